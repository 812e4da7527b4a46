using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Constructs;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Domain.VirtualClusters;
using PaletteServerless.Infra.Iam;

namespace PaletteServerless.Infra;

/// <summary>
/// What the nodes of an account need to read their cluster's secrets, made in every account
/// clusters are built in: the product's KMS key (alias <see cref="SecretParameters.KmsKeyAlias"/>),
/// and two node roles with their instance profiles: control planes
/// (<see cref="SecretParameters.ControlPlaneInstanceProfileName"/>) read their cluster's CA,
/// certificate key and join token, refresh the join token, and hold the cloud controller manager's
/// permissions (<see cref="CloudControllerManagerPolicy"/>); workers
/// (<see cref="SecretParameters.WorkerInstanceProfileName"/>) read only the join token, so a worker,
/// or a pod on one, can never read the CA key and mint cluster-admin certificates.
///
/// How a node is kept to its own cluster: the role reaches only the product's parameters
/// (<c>parameter/palette-serverless/*</c>) whose tenant tag is one of the account's tenants (one in a
/// target account; in the product's own account those the deployer allows role-less cloud accounts),
/// and a parameter only when its <see cref="SecretParameters.VpcTag"/> tag equals the VPC the node's
/// role credentials are used from (the global key <c>aws:ec2InstanceSourceVPC</c>, present on every
/// request signed with EC2 role credentials). We chose the VPC over the cluster uid because IAM has no
/// way to compare a parameter's tag with the calling instance's own tags, while every cluster with
/// dynamic placement has its own VPC; the path cannot carry it either, since one instance profile per
/// node role serves every cluster of the account. Static clusters sharing a VPC share this fence
/// (README, Known limits).
///
/// How a node reports its phase (<see cref="NodePhases"/>): it may call ec2:CreateTags only on the
/// instance its credentials were issued to, and only with the phase tag keys and its Kubernetes version (a control plane also
/// with the in-cluster agent's two report keys; its agent reads the cluster's desired-state parameter,
/// fenced as the secrets are). The resource is
/// the policy variable <c>${ec2:SourceInstanceARN}</c> (the ARN of the instance the role credentials
/// belong to, as the EC2 condition keys document it; IAM resolves policy variables in a Resource),
/// so the tagged resource must equal the calling instance; <c>aws:TagKeys</c> limits the keys.
/// The control plane's cloud controller manager statement allows ec2:CreateTags on "*" (upstream's
/// policy: it tags the security groups it creates for load balancers), so two deny statements keep
/// the product's own tag keys out of its reach: none anywhere but on the node's own instance, and
/// there only the phase keys (never the ownership tags the product's decisions read).
/// </summary>
public sealed class NodeAccess : Construct
{
    public Key Key { get; }
    public Role ControlPlaneRole { get; }
    public Role WorkerRole { get; }
    public CfnInstanceProfile ControlPlaneInstanceProfile { get; }
    public CfnInstanceProfile WorkerInstanceProfile { get; }

    public const string SourceVpcCondition = "ssm:resourceTag/" + SecretParameters.VpcTag;
    public const string SourceVpcVariable = "${aws:ec2InstanceSourceVPC}";
    public const string TenantCondition = "ssm:resourceTag/" + OwnershipTags.Tenant;
    public const string SourceInstanceArnKey = "ec2:SourceInstanceARN";
    public const string SourceInstanceArnVariable = "${" + SourceInstanceArnKey + "}";

    /// <summary>The prefix of every tag key the product writes (ownership, pool, fingerprint, phase).</summary>
    public const string ProductTagKeys = "palette.serverless/*";

    /// <summary>Why a node role's statement has a "*" resource; tests require every "*" statement of a node role to be one of these.</summary>
    public static readonly IReadOnlyDictionary<string, string> AnyResourceJustifications = new Dictionary<string, string>
    {
        [CloudControllerManagerPolicy.Sid] = "cloud-provider-aws's documented control-plane policy: resources the controller creates (load balancers, their security groups) have no ARN known in advance, and EC2 / ELB describes support no resource-level permissions",
    };

    /// <param name="tenants">
    /// The tenants whose clusters this account runs, comma-separated (a parameter's value): one in a target
    /// account; in the product's own account those the deployer allows role-less cloud accounts.
    /// </param>
    public NodeAccess(Construct scope, string id, string tenants) : base(scope, id)
    {
        Key = new Key(this, "SecretsKey", new KeyProps
        {
            Alias = SecretParameters.KmsKeyAlias,
            Description = "Encrypts PaletteServerless cluster secrets (SSM SecureString parameters)",
            EnableKeyRotation = true,
            // Parameters it encrypted may outlive the stack; a deleted key would make them unreadable.
            RemovalPolicy = RemovalPolicy.RETAIN,
        });
        // The tenants are a parameter's value, known only at deploy time: a list for the condition
        // (Fn::Split), where a path per tenant would need a list of ARNs CloudFormation cannot build.
        var ownClusterOnly = new Dictionary<string, object>
        {
            ["StringEquals"] = new Dictionary<string, object> { [SourceVpcCondition] = SourceVpcVariable },
            // StringLike: "*" (any tenant) is the local stack's choice for its own account; tenant names hold no wildcard.
            ["StringLike"] = new Dictionary<string, object> { [TenantCondition] = Fn.Split(",", tenants) },
        };
        ControlPlaneRole = NodeRole("ControlPlaneRole", SecretParameters.ControlPlaneRoleName,
            "Kubernetes control planes built by PaletteServerless: read their own cluster's secrets, refresh its join token, report their own phase, run the AWS cloud controller manager",
            [
                // kubeadm init needs the CA, kubeadm join --control-plane the certificate key, both the join token.
                ClusterResourcePolicy.Allow("ReadOwnClusterSecrets", ["ssm:GetParameter", "ssm:GetParameters"],
                    [.. SecretParameters.All.Select(p => ClusterResourcePolicy.SecretParameterArn($"*/*/{p}"))], ownClusterOnly),
                // Control planes replace the join token before it expires; nothing else is written.
                ClusterResourcePolicy.Allow("RefreshOwnJoinToken", ["ssm:PutParameter"],
                    [ClusterResourcePolicy.SecretParameterArn($"*/*/{SecretParameters.JoinToken}")], ownClusterOnly),
                // The in-cluster agent reads its cluster's desired state (a String: no key needed).
                ClusterResourcePolicy.Allow("ReadOwnDesiredState", ["ssm:GetParameter"],
                    [ClusterResourcePolicy.SecretParameterArn($"*/*/{DesiredState.Parameter}")], ownClusterOnly),
                // The agent reads its cluster's virtual clusters and reports each one (status, kubeconfig) by overwriting the
                // report parameter the product created: never a new parameter, never another cluster's.
                ClusterResourcePolicy.Allow("ReadOwnVirtualClusters", ["ssm:GetParameter"],
                    [ClusterResourcePolicy.SecretParameterArn($"*/*/{DesiredVirtualClusters.Parameter}")], ownClusterOnly),
                ClusterResourcePolicy.Allow("ReportOwnVirtualClusters", ["ssm:PutParameter"],
                    [ClusterResourcePolicy.SecretParameterArn($"*/*/{DesiredVirtualClusters.ReportFolder}/*")], ownClusterOnly),
                // The OS patch agent reads its cluster's patch request (a String), on every node.
                ClusterResourcePolicy.Allow("ReadOwnOsPatchRequest", ["ssm:GetParameter"],
                    [ClusterResourcePolicy.SecretParameterArn($"*/*/{Domain.Patching.OsPatchRequest.Parameter}")], ownClusterOnly),
                ReportOwnPhase("ReportOwnPhase", NodePhases.ControlPlaneReportKeys),
                UseSecretsKey("UseSecretsKey", "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"),
                CloudControllerManagerPolicy.Statement(),
                KeepProductTagsOffOtherResources("ProductTagsOnlyOnOwnInstance"),
                KeepOwnershipTags("OnlyPhaseTagsOfTheProduct"),
                .. BackupToOwnLocation("ControlPlane"),
            ]);
        WorkerRole = NodeRole("WorkerRole", SecretParameters.WorkerRoleName,
            "Kubernetes workers built by PaletteServerless: read their own cluster's join token, report their own phase",
            [
                // A worker joins with the token alone (the CA's hash is in its user data): no CA, no certificate key.
                ClusterResourcePolicy.Allow("ReadOwnJoinToken", ["ssm:GetParameter", "ssm:GetParameters"],
                    [ClusterResourcePolicy.SecretParameterArn($"*/*/{SecretParameters.JoinToken}")], ownClusterOnly),
                ClusterResourcePolicy.Allow("WorkerReadsOwnOsPatchRequest", ["ssm:GetParameter"],
                    [ClusterResourcePolicy.SecretParameterArn($"*/*/{Domain.Patching.OsPatchRequest.Parameter}")], ownClusterOnly),
                ReportOwnPhase("WorkerReportsOwnPhase", NodePhases.ReportTagKeys),
                UseSecretsKey("WorkerDecryptsSecrets", "kms:Decrypt"),
                .. BackupToOwnLocation("Worker"),
            ]);
        ControlPlaneInstanceProfile = new CfnInstanceProfile(this, "ControlPlaneInstanceProfile", new CfnInstanceProfileProps
        {
            InstanceProfileName = SecretParameters.ControlPlaneInstanceProfileName,
            Roles = [ControlPlaneRole.RoleName],
        });
        WorkerInstanceProfile = new CfnInstanceProfile(this, "WorkerInstanceProfile", new CfnInstanceProfileProps
        {
            InstanceProfileName = SecretParameters.WorkerInstanceProfileName,
            Roles = [WorkerRole.RoleName],
        });
    }

    private Role NodeRole(string id, string name, string description, PolicyStatement[] statements) => new(this, id, new RoleProps
    {
        RoleName = name,
        Description = description,
        AssumedBy = new ServicePrincipal("ec2.amazonaws.com"),
        InlinePolicies = new Dictionary<string, PolicyDocument>
        {
            ["NodePermissions"] = new(new PolicyDocumentProps { Statements = statements }),
        },
    });

    /// <summary>
    /// Velero (settings.backup) writes and reads its backups with the node's role: in the bucket the product made for
    /// the cluster (its name carries the cluster's VPC, compared with the caller's <c>aws:ec2InstanceSourceVPC</c>), or
    /// under the cluster's prefix in a bucket of the user's (<c>palette-backups/&lt;vpc&gt;/</c>); nothing else of S3.
    /// </summary>
    private static PolicyStatement[] BackupToOwnLocation(string role)
    {
        var ownBucket = $"arn:{Aws.PARTITION}:s3:::{Domain.Backups.BackupLocation.BucketPrefix}{SourceVpcVariable}-*";
        var ownPrefix = $"{Domain.Backups.BackupLocation.SharedPrefix}/{SourceVpcVariable}/*";
        return
        [
            ClusterResourcePolicy.Allow(role + "VeleroOwnBucket", ["s3:ListBucket"], [ownBucket]),
            ClusterResourcePolicy.Allow(role + "VeleroOwnBucketObjects", ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"], [ownBucket + "/*"]),
            ClusterResourcePolicy.Allow(role + "VeleroOwnPrefix", ["s3:ListBucket"], [$"arn:{Aws.PARTITION}:s3:::*"],
                new Dictionary<string, object> { ["StringLike"] = new Dictionary<string, object> { ["s3:prefix"] = ownPrefix } }),
            ClusterResourcePolicy.Allow(role + "VeleroOwnPrefixObjects", ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"], [$"arn:{Aws.PARTITION}:s3:::*/{ownPrefix}"]),
        ];
    }

    private PolicyStatement UseSecretsKey(string sid, params string[] actions) =>
        ClusterResourcePolicy.Allow(sid, actions, [Key.KeyArn],
            new Dictionary<string, object> { ["StringLike"] = new Dictionary<string, object> { ["kms:ViaService"] = "ssm.*.amazonaws.com" } });

    private static PolicyStatement ReportOwnPhase(string sid, IReadOnlyList<string> keys) =>
        ClusterResourcePolicy.Allow(sid, ["ec2:CreateTags"], [SourceInstanceArnVariable], new Dictionary<string, object>
        {
            // Only from an instance of this account (the variable is then its own ARN) ...
            ["ArnLike"] = new Dictionary<string, object> { [SourceInstanceArnKey] = $"arn:{Aws.PARTITION}:ec2:*:{Aws.ACCOUNT_ID}:instance/*" },
            // ... and only the report keys (phase; on control planes the agent's too): never the ownership tags the product's decisions read.
            ["ForAllValues:StringEquals"] = new Dictionary<string, object> { ["aws:TagKeys"] = keys.ToArray() },
            ["Null"] = new Dictionary<string, object> { ["aws:TagKeys"] = "false" },
        });

    /// <summary>No product tag key on anything but the node's own instance, whatever else allows ec2:CreateTags.</summary>
    private static PolicyStatement KeepProductTagsOffOtherResources(string sid) => new(new PolicyStatementProps
    {
        Sid = sid,
        Effect = Effect.DENY,
        Actions = ["ec2:CreateTags", "ec2:DeleteTags"],
        NotResources = [SourceInstanceArnVariable],
        Conditions = new Dictionary<string, object>
        {
            ["ForAnyValue:StringLike"] = new Dictionary<string, object> { ["aws:TagKeys"] = ProductTagKeys },
        },
    });

    /// <summary>Of the product's tag keys, only the phase keys, even on the node's own instance (its ownership, pool and fingerprint tags stay as launched).</summary>
    private static PolicyStatement KeepOwnershipTags(string sid) => new(new PolicyStatementProps
    {
        Sid = sid,
        Effect = Effect.DENY,
        Actions = ["ec2:CreateTags", "ec2:DeleteTags"],
        Resources = ["*"],
        Conditions = new Dictionary<string, object>
        {
            ["ForAnyValue:StringLike"] = new Dictionary<string, object> { ["aws:TagKeys"] = ProductTagKeys },
            ["ForAnyValue:StringNotEquals"] = new Dictionary<string, object> { ["aws:TagKeys"] = NodePhases.ControlPlaneReportKeys.ToArray() },
        },
    });
}
