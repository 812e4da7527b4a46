namespace PaletteServerless.Manifest;

/// <summary>
/// The IAM actions of each <see cref="ClusterPermissions"/> flag, as a session policy names them: a
/// function's sessions in a cloud account may use only the actions of its own permissions
/// (<see cref="FunctionAccessCatalog"/>), whatever the cluster-builder role allows. The role's statements
/// (the CDK app's ClusterResourcePolicy) fence each action by resource and tag; a test holds the two to
/// the same actions. Describes are one wildcard per service: reads with no resource-level permissions,
/// and a session policy must stay under STS's 2,048 characters.
/// </summary>
public static class ClusterActions
{
    private static readonly IReadOnlyDictionary<ClusterPermissions, string[]> ByPermission = new Dictionary<ClusterPermissions, string[]>
    {
        [ClusterPermissions.Describe] = ["ec2:Describe*", "elasticloadbalancing:Describe*", "iam:GetInstanceProfile"],
        [ClusterPermissions.CreateNetwork] =
        [
            "ec2:AllocateAddress", "ec2:AssociateRouteTable", "ec2:AttachInternetGateway", "ec2:AuthorizeSecurityGroupIngress",
            "ec2:CreateInternetGateway", "ec2:CreateNatGateway", "ec2:CreateRoute", "ec2:CreateRouteTable", "ec2:CreateSecurityGroup",
            "ec2:CreateSubnet", "ec2:CreateTags", "ec2:CreateVpc", "ec2:ReplaceRoute",
        ],
        [ClusterPermissions.DeleteNetwork] =
        [
            "ec2:DeleteInternetGateway", "ec2:DeleteNatGateway", "ec2:DeleteRouteTable", "ec2:DeleteSecurityGroup", "ec2:DeleteSubnet",
            "ec2:DeleteVpc", "ec2:DetachInternetGateway", "ec2:DisassociateAddress", "ec2:DisassociateRouteTable", "ec2:ReleaseAddress",
            "ec2:RevokeSecurityGroupIngress",
        ],
        [ClusterPermissions.CreateLoadBalancer] =
            ["elasticloadbalancing:AddTags", "elasticloadbalancing:CreateListener", "elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
        [ClusterPermissions.DeleteLoadBalancer] = ["elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:DeleteTargetGroup"],
        [ClusterPermissions.CreateInstances] = ["ec2:CreateTags", "ec2:RunInstances", "iam:PassRole"],
        [ClusterPermissions.DeleteInstances] = ["ec2:TerminateInstances"],
        [ClusterPermissions.FindTagged] = ["tag:GetResources"],
        [ClusterPermissions.ReadQuotas] = ["servicequotas:GetServiceQuota"],
        [ClusterPermissions.DrainTargets] = ["elasticloadbalancing:DeregisterTargets"],
        [ClusterPermissions.Retag] =
        [
            "ec2:CreateTags", "ec2:DeleteTags", "elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags",
            "ssm:AddTagsToResource", "ssm:RemoveTagsFromResource",
        ],
        [ClusterPermissions.WriteSecrets] = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "ssm:AddTagsToResource", "ssm:GetParameters", "ssm:PutParameter"],
        [ClusterPermissions.DeleteSecrets] = ["ssm:DeleteParameters", "ssm:GetParametersByPath"],
        [ClusterPermissions.ReadCertificateAuthority] = ["kms:Decrypt", "ssm:GetParameter"],
        [ClusterPermissions.ReadSecrets] = ["kms:Decrypt", "ssm:GetParameters"],
        [ClusterPermissions.RegisterTargets] = ["elasticloadbalancing:RegisterTargets"],
        [ClusterPermissions.SecurityGroupRules] = ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
        [ClusterPermissions.WriteDesiredState] = ["ssm:AddTagsToResource", "ssm:PutParameter"],
        [ClusterPermissions.VirtualClusters] =
        [
            "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "ssm:AddTagsToResource", "ssm:DeleteParameters", "ssm:GetParameters", "ssm:PutParameter",
        ],
        [ClusterPermissions.BackupBucket] =
        [
            "s3:CreateBucket", "s3:DeleteBucket", "s3:GetLifecycleConfiguration", "s3:ListBucket", "s3:PutBucketPublicAccessBlock",
            "s3:PutBucketTagging", "s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration",
        ],
        [ClusterPermissions.ReadBackups] = ["s3:GetObject", "s3:ListBucket"],
        [ClusterPermissions.ReadDesiredState] = ["ssm:GetParameter"],
    };

    /// <summary>The actions of every flag in <paramref name="permissions"/>, sorted, each once.</summary>
    public static IReadOnlyList<string> Of(ClusterPermissions permissions) =>
        [.. ByPermission.Where(p => permissions.HasFlag(p.Key)).SelectMany(p => p.Value).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>The actions a function's sessions may use (<see cref="FunctionAccessCatalog"/>).</summary>
    public static IReadOnlyList<string> OfFunction(string functionName) =>
        FunctionAccessCatalog.Table.TryGetValue(functionName, out var access)
            ? Of(access.Cluster)
            : throw new InvalidOperationException($"function {functionName} is not in the access table");
}
