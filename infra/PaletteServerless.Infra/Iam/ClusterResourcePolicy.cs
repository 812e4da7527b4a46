using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using CdkAws = Amazon.CDK.Aws;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Domain.VirtualClusters;
using PaletteServerless.Manifest;

namespace PaletteServerless.Infra.Iam;

/// <summary>
/// The one builder of EC2 / ELB permissions for clusters, used for the step functions' roles in the
/// product account and for the role a tenant deploys in each target account.
///
/// Ownership is the <see cref="OwnershipTags.ClusterUid"/> tag: a create is allowed only when the
/// request tags it with the session's own cluster uid (<c>aws:RequestTag</c> equal to the session tag
/// <c>aws:PrincipalTag</c>), and a mutation or delete only on a resource whose tag equals it
/// (<c>aws:ResourceTag</c>), for every action and resource type where EC2 and ELB
/// evaluate those keys (Service Authorization Reference, "Actions, resources, and condition keys"
/// for Amazon EC2 and Elastic Load Balancing V2). Resources a create only reads or attaches to
/// (an AMI, a key pair, the tenant's own subnets under static placement) have no tag to test;
/// they are listed by type, never as "*".
/// </summary>
public static class ClusterResourcePolicy
{
    public const string RequestTagKey = "aws:RequestTag/" + OwnershipTags.ClusterUid;
    public const string ResourceTagKey = "aws:ResourceTag/" + OwnershipTags.ClusterUid;

    /// <summary>Why each "*" resource below is "*"; tests require every "*" statement to be one of these.</summary>
    public static readonly IReadOnlyDictionary<string, string> AnyResourceJustifications = new Dictionary<string, string>
    {
        ["DescribeClusterResources"] = "EC2 and ELB Describe* actions support no resource-level permissions: IAM requires \"*\"",
        ["FindTaggedResources"] = "tag:GetResources supports no resource-level permissions; the caller filters on the ownership tag",
        ["ReadVcpuQuota"] = "a read of quota values, no resource of a cluster; preflight reads only EC2's on-demand vCPU quota (L-1216C47A)",
        ["DescribeOwnAccountsInstances"] = "ec2:DescribeInstances supports no resource-level permissions; the EC2 events function reads the tags of the instance an event of the product's own account names",
    };

    public static IEnumerable<PolicyStatement> Statements(ClusterPermissions permissions)
    {
        if (permissions.HasFlag(ClusterPermissions.Describe))
            yield return AnyResource("DescribeClusterResources",
                "ec2:DescribeAddresses", "ec2:DescribeAvailabilityZones",
                "ec2:DescribeImages", "ec2:DescribeInstances", "ec2:DescribeInstanceStatus", "ec2:DescribeInstanceTypeOfferings",
                "ec2:DescribeInstanceTypes", "ec2:DescribeInternetGateways", "ec2:DescribeKeyPairs",
                "ec2:DescribeNatGateways", "ec2:DescribeNetworkInterfaces", "ec2:DescribeRouteTables",
                "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVolumes", "ec2:DescribeVpcs",
                "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeLoadBalancers",
                "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth");
        if (permissions.HasFlag(ClusterPermissions.ReadQuotas))
            yield return AnyResource("ReadVcpuQuota", "servicequotas:GetServiceQuota");

        if (permissions.HasFlag(ClusterPermissions.Describe))
            // Preflight: both node instance profiles must exist before any node is launched with one.
            yield return Allow("ReadNodeInstanceProfiles", ["iam:GetInstanceProfile"],
                [.. SecretParameters.NodeRoleNames.Select(name => $"arn:{CdkAws.PARTITION}:iam::{CdkAws.ACCOUNT_ID}:instance-profile/{name}")]);

        if (permissions.HasFlag(ClusterPermissions.FindTagged))
            yield return AnyResource("FindTaggedResources", "tag:GetResources");

        if (permissions.HasFlag(ClusterPermissions.CreateNetwork))
        {
            // IAM authorizes a create once per resource it touches, so each statement names only the
            // resource types its actions create, and what they attach to is fenced separately.
            // A security group's VPC is not fenced: static placement puts our (tagged) groups into
            // the tenant's VPC, which carries no tag of ours.
            yield return Allow("CreateTaggedNetworkRoots",
                ["ec2:AllocateAddress", "ec2:CreateInternetGateway", "ec2:CreateSecurityGroup", "ec2:CreateVpc"],
                [Ec2("elastic-ip/*"), Ec2("internet-gateway/*"), Ec2("security-group/*"), Ec2("vpc/*")],
                RequestTagged());
            // A security group goes into the cluster's VPC or, under static placement, the tenant's,
            // which carries no tag of ours: EC2 authorizes the VPC without request tags (they are
            // keys of the new group only), so its VPC is allowed by type alone.
            yield return Allow("CreateSecurityGroupsInVpcs", ["ec2:CreateSecurityGroup"], [Ec2("vpc/*")]);
            yield return Allow("CreateTaggedVpcParts", ["ec2:CreateRouteTable", "ec2:CreateSubnet"],
                [Ec2("route-table/*"), Ec2("subnet/*")], RequestTagged());
            // Subnets and route tables go only into a VPC we created.
            yield return Allow("CreateInOwnedVpc", ["ec2:CreateRouteTable", "ec2:CreateSubnet"], [Ec2("vpc/*")], ResourceTagged());
            yield return Allow("CreateTaggedNatGateway", ["ec2:CreateNatGateway"], [Ec2("natgateway/*")], RequestTagged());
            // A NAT gateway sits in our public subnet and takes our EIP.
            yield return Allow("CreateNatOnOwnedResources", ["ec2:CreateNatGateway"], [Ec2("subnet/*"), Ec2("elastic-ip/*")], ResourceTagged());
            yield return TagOnCreate("TagNetworkOnCreate", "ec2:CreateTags", "ec2:CreateAction",
                ["AllocateAddress", "CreateInternetGateway", "CreateNatGateway", "CreateRouteTable", "CreateSecurityGroup", "CreateSubnet", "CreateVpc"],
                [Ec2("elastic-ip/*"), Ec2("internet-gateway/*"), Ec2("natgateway/*"), Ec2("route-table/*"),
                 Ec2("security-group/*"), Ec2("subnet/*"), Ec2("vpc/*")]);
            yield return Allow("ConfigureOwnedNetwork",
                ["ec2:AssociateRouteTable", "ec2:AttachInternetGateway", "ec2:AuthorizeSecurityGroupIngress", "ec2:CreateRoute",
                 "ec2:ReplaceRoute"],
                [Ec2("internet-gateway/*"), Ec2("route-table/*"), Ec2("security-group/*"), Ec2("subnet/*"), Ec2("vpc/*")],
                ResourceTagged());
        }

        // Rules of our own groups only; the rules name other groups of ours, which IAM does not authorize separately.
        if (permissions.HasFlag(ClusterPermissions.SecurityGroupRules))
            yield return Allow("ReconcileOwnedSecurityGroupRules", ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
                [Ec2("security-group/*")], ResourceTagged());

        if (permissions.HasFlag(ClusterPermissions.DeleteNetwork))
            yield return Allow("DeleteOwnedNetwork",
                ["ec2:DeleteInternetGateway", "ec2:DeleteNatGateway", "ec2:DeleteRouteTable",
                 "ec2:DeleteSecurityGroup", "ec2:DeleteSubnet", "ec2:DeleteVpc", "ec2:DetachInternetGateway",
                 "ec2:DisassociateAddress", "ec2:DisassociateRouteTable", "ec2:ReleaseAddress",
                 "ec2:RevokeSecurityGroupIngress"],
                [Ec2("elastic-ip/*"), Ec2("internet-gateway/*"), Ec2("natgateway/*"), Ec2("route-table/*"),
                 Ec2("security-group/*"), Ec2("subnet/*"), Ec2("vpc/*")],
                ResourceTagged());

        if (permissions.HasFlag(ClusterPermissions.CreateLoadBalancer))
        {
            yield return Allow("CreateTaggedLoadBalancer",
                ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
                [Elb("loadbalancer/net/*/*"), Elb("targetgroup/*/*")],
                RequestTagged());
            yield return TagOnCreate("TagLoadBalancerOnCreate", "elasticloadbalancing:AddTags", "elasticloadbalancing:CreateAction",
                ["CreateListener", "CreateLoadBalancer", "CreateTargetGroup"],
                [Elb("loadbalancer/net/*/*"), Elb("targetgroup/*/*"), Elb("listener/net/*/*/*")]);
            // The listener joins our load balancer to our target group (its target group's settings are made by the create).
            yield return Allow("ConfigureOwnedLoadBalancer", ["elasticloadbalancing:CreateListener"],
                [Elb("loadbalancer/net/*/*"), Elb("targetgroup/*/*")],
                ResourceTagged());
        }

        // Who registers targets never needs to create anything: the network step that makes the
        // target group registers nothing; the polls and the node steps that register make nothing.
        if (permissions.HasFlag(ClusterPermissions.RegisterTargets))
            yield return Allow("RegisterOwnedTargets", ["elasticloadbalancing:RegisterTargets"], [Elb("targetgroup/*/*")], ResourceTagged());

        // Deleting the load balancer removes its listeners, and a deleted target group its targets.
        if (permissions.HasFlag(ClusterPermissions.DeleteLoadBalancer))
            yield return Allow("DeleteOwnedLoadBalancer",
                ["elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:DeleteTargetGroup"],
                [Elb("loadbalancer/net/*/*"), Elb("targetgroup/*/*")],
                ResourceTagged());

        if (permissions.HasFlag(ClusterPermissions.DrainTargets))
            yield return Allow("DrainOwnedTargets", ["elasticloadbalancing:DeregisterTargets"], [Elb("targetgroup/*/*")], ResourceTagged());

        if (permissions.HasFlag(ClusterPermissions.Retag))
        {
            yield return Allow("RetagOwnedEc2Resources", ["ec2:CreateTags", "ec2:DeleteTags"],
                [Ec2("instance/*"), Ec2("volume/*"), Ec2("elastic-ip/*"), Ec2("internet-gateway/*"), Ec2("natgateway/*"), Ec2("route-table/*"),
                 Ec2("security-group/*"), Ec2("subnet/*"), Ec2("vpc/*")],
                ResourceTagged());
            yield return Allow("RetagOwnedLoadBalancer", ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
                [Elb("loadbalancer/net/*/*"), Elb("targetgroup/*/*"), Elb("listener/net/*/*/*")],
                ResourceTagged());
            yield return Allow("RetagOwnedSecrets", ["ssm:AddTagsToResource", "ssm:RemoveTagsFromResource"], [SecretParameterArn()], ResourceTagged());
        }

        if (permissions.HasFlag(ClusterPermissions.CreateInstances))
        {
            // The instance and its volumes must carry the tag...
            yield return Allow("RunTaggedInstances", ["ec2:RunInstances"], [Ec2("instance/*"), Ec2("volume/*")], RequestTagged());
            // ...what it only uses cannot: public or tenant AMIs, the tenant's key pair, and subnets or
            // security groups that static placement takes from the tenant's VPC; nor can the primary
            // network interface, which is created untagged with the (tagged) instance, nor the one-time
            // Spot request a spot pool's launch makes with it (EC2 authorizes RunInstances with market
            // options on the spot-instances-request resource too: the EC2 User Guide, tagging Spot requests).
            yield return Allow("RunInstancesWithExistingResources", ["ec2:RunInstances"],
                [$"arn:{CdkAws.PARTITION}:ec2:*::image/*", Ec2("image/*"), Ec2("key-pair/*"), Ec2("subnet/*"), Ec2("security-group/*"),
                 Ec2("network-interface/*"), Ec2("spot-instances-request/*")]);
            yield return TagOnCreate("TagInstancesOnCreate", "ec2:CreateTags", "ec2:CreateAction", ["RunInstances"],
                [Ec2("instance/*"), Ec2("volume/*")]);
            // Control planes and workers run with their own instance profiles; those two roles may be
            // passed to EC2 and nothing else.
            yield return Allow("PassNodeRoles", ["iam:PassRole"],
                [.. SecretParameters.NodeRoleNames.Select(name => $"arn:{CdkAws.PARTITION}:iam::{CdkAws.ACCOUNT_ID}:role/{name}")],
                new Dictionary<string, object> { ["StringEquals"] = new Dictionary<string, object> { ["iam:PassedToService"] = "ec2.amazonaws.com" } });
        }

        if (permissions.HasFlag(ClusterPermissions.WriteSecrets))
        {
            // PutParameter with Tags is authorized as ssm:AddTagsToResource too; both only under the
            // product's path and only with the ownership tag, as every other create.
            yield return Allow("CreateTaggedSecrets", ["ssm:AddTagsToResource", "ssm:PutParameter"], [SecretParameterArn()], RequestTagged());
            yield return Allow("ReadClusterSecrets", ["ssm:GetParameters"], [SecretParameterArn()], ResourceTagged());
            yield return UseSecretsKey("EncryptClusterSecrets", "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey");
        }
        else if (permissions.HasFlag(ClusterPermissions.ReadSecrets))
        {
            yield return Allow("ReadClusterSecrets", ["ssm:GetParameters"], [SecretParameterArn()], ResourceTagged());
            yield return UseSecretsKey("DecryptClusterSecrets", "kms:Decrypt");
        }

        if (permissions.HasFlag(ClusterPermissions.WriteDesiredState))
        {
            // Created with the ownership tag (PutParameter with Tags is also ssm:AddTagsToResource), then overwritten
            // (without tags, as SSM requires) only while it carries it; the desired-state and OS patch request parameters only.
            string[] instructions = [SecretParameterArn($"*/*/{DesiredState.Parameter}"), SecretParameterArn($"*/*/{Domain.Patching.OsPatchRequest.Parameter}")];
            yield return Allow("CreateTaggedDesiredState", ["ssm:AddTagsToResource", "ssm:PutParameter"], instructions, RequestTagged());
            yield return Allow("OverwriteOwnedDesiredState", ["ssm:PutParameter"], instructions, ResourceTagged());
        }

        if (permissions.HasFlag(ClusterPermissions.VirtualClusters))
        {
            // The list the agent reads and the virtual clusters' report parameters: created with the ownership tag,
            // then only while they carry it: the list overwritten and read back, the reports read (decrypted) and deleted.
            var list = SecretParameterArn($"*/*/{DesiredVirtualClusters.Parameter}");
            var reports = SecretParameterArn($"*/*/{DesiredVirtualClusters.ReportFolder}/*");
            yield return Allow("CreateTaggedVirtualClusterParameters", ["ssm:AddTagsToResource", "ssm:PutParameter"], [list, reports], RequestTagged());
            yield return Allow("OverwriteOwnedVirtualClusterList", ["ssm:PutParameter"], [list], ResourceTagged());
            yield return Allow("ReadOwnedVirtualClusterReports", ["ssm:GetParameters"], [list, reports], ResourceTagged());
            yield return Allow("DeleteOwnedVirtualClusterReports", ["ssm:DeleteParameters"], [reports], ResourceTagged());
            yield return UseSecretsKey("EncryptVirtualClusterReports", "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey");
        }

        if (permissions.HasFlag(ClusterPermissions.ReadCertificateAuthority))
        {
            yield return Allow("ReadCertificateAuthority", ["ssm:GetParameter"],
                [SecretParameterArn($"*/*/{SecretParameters.CertificateAuthority}")], ResourceTagged());
            yield return UseSecretsKey("DecryptCertificateAuthority", "kms:Decrypt");
        }

        if (permissions.HasFlag(ClusterPermissions.DeleteSecrets))
        {
            // Listing by path is authorized on the path, which carries no tag; the deletes on the tagged parameters.
            yield return Allow("ListClusterSecrets", ["ssm:GetParametersByPath"], [SecretParameterArn()]);
            yield return Allow("DeleteClusterSecrets", ["ssm:DeleteParameters"], [SecretParameterArn()], ResourceTagged());
        }

        if (permissions.HasFlag(ClusterPermissions.DeleteInstances))
            yield return Allow("TerminateOwnedInstances", ["ec2:TerminateInstances"], [Ec2("instance/*")], ResourceTagged());

        foreach (var statement in BackupStatements(permissions))
            yield return statement;
    }

    /// <summary>
    /// S3 evaluates no tag of a bucket for these actions, so a cluster's bucket is fenced by its name: it ends with the
    /// cluster's uid (<see cref="Domain.Backups.BackupLocation.BucketName"/>), which must equal the session's own.
    /// Reading a location (a bucket of the user's too) reaches only what Velero writes: backup metadata and restore results.
    /// </summary>
    private static IEnumerable<PolicyStatement> BackupStatements(ClusterPermissions permissions)
    {
        var ownBucket = $"arn:{CdkAws.PARTITION}:s3:::{Domain.Backups.BackupLocation.BucketPrefix}*-{SessionClusterUid}";
        if (permissions.HasFlag(ClusterPermissions.BackupBucket))
        {
            yield return Allow("OwnBackupBucket",
                ["s3:CreateBucket", "s3:DeleteBucket", "s3:GetLifecycleConfiguration", "s3:ListBucket", "s3:PutBucketPublicAccessBlock",
                 "s3:PutBucketTagging", "s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration"], [ownBucket]);
        }
        if (permissions.HasFlag(ClusterPermissions.ReadBackups))
        {
            yield return Allow("ListBackupLocations", ["s3:ListBucket"], [$"arn:{CdkAws.PARTITION}:s3:::*"]);
            yield return Allow("ReadVeleroResults", ["s3:GetObject"],
                [$"arn:{CdkAws.PARTITION}:s3:::*/backups/*/velero-backup.json", $"arn:{CdkAws.PARTITION}:s3:::*/restores/*/restore-*-results.gz",
                 $"{ownBucket}/{Domain.Backups.ScanLocation.Prefix}/*"]);
        }
        if (permissions.HasFlag(ClusterPermissions.ReadDesiredState))
            yield return Allow("ReadOwnedDesiredState", ["ssm:GetParameter"], [SecretParameterArn($"*/*/{DesiredState.Parameter}")], ResourceTagged());
    }

    /// <summary>Every parameter under the product's path, in any region of the account.</summary>
    public static string SecretParameterArn(string below = "*") => Arn("ssm", $"parameter/{SecretParameters.Product}/{below}");

    /// <summary>
    /// The product's KMS key, named by its alias (kms:ResourceAliases), only as SSM uses it for
    /// SecureString parameters (kms:ViaService).
    /// </summary>
    public static PolicyStatement UseSecretsKey(string sid, params string[] actions) =>
        Allow(sid, actions, [Arn("kms", "key/*")], new Dictionary<string, object>
        {
            ["ForAnyValue:StringEquals"] = new Dictionary<string, object> { ["kms:ResourceAliases"] = SecretParameters.KmsKeyAlias },
            ["StringLike"] = new Dictionary<string, object> { ["kms:ViaService"] = "ssm.*.amazonaws.com" },
        });

    private static string Arn(string service, string resource) => $"arn:{CdkAws.PARTITION}:{service}:*:{CdkAws.ACCOUNT_ID}:{resource}";

    // Any region: a cluster is built in the region its spec names.
    private static string Ec2(string resource) => Arn("ec2", resource);

    private static string Elb(string resource) => Arn("elasticloadbalancing", resource);

    /// <summary>The session's cluster uid tag: every session the product opens carries it (SessionScope in the functions).</summary>
    public const string SessionClusterUid = "${aws:PrincipalTag/" + OwnershipTags.ClusterUid + "}";

    /// <summary>The request must tag what it creates with the session's own cluster uid.</summary>
    private static Dictionary<string, object> RequestTagged() => new()
    {
        ["StringEquals"] = new Dictionary<string, object> { [RequestTagKey] = SessionClusterUid },
    };

    /// <summary>The resource must carry the session's own cluster uid: another cluster's resources are out of reach.</summary>
    private static Dictionary<string, object> ResourceTagged() => new()
    {
        ["StringEquals"] = new Dictionary<string, object> { [ResourceTagKey] = SessionClusterUid },
    };

    /// <summary>Tagging is allowed only as part of the named create calls, never on an existing resource.</summary>
    private static PolicyStatement TagOnCreate(string sid, string tagAction, string createActionKey, string[] createActions, string[] resources) =>
        Allow(sid, [tagAction], resources,
            new Dictionary<string, object> { ["StringEquals"] = new Dictionary<string, object> { [createActionKey] = createActions } });

    internal static PolicyStatement AnyResource(string sid, params string[] actions)
    {
        if (!AnyResourceJustifications.ContainsKey(sid))
            throw new InvalidOperationException($"statement {sid} uses \"*\" resources without a justification");
        return Allow(sid, actions, ["*"]);
    }

    internal static PolicyStatement Allow(string sid, string[] actions, string[] resources, Dictionary<string, object>? conditions = null) =>
        new(new PolicyStatementProps
        {
            Sid = sid,
            Effect = Effect.ALLOW,
            Actions = actions,
            Resources = resources,
            Conditions = conditions,
        });
}
