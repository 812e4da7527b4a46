using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Constructs;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Infra.Iam;

namespace PaletteServerless.Infra;

/// <summary>
/// What the nodes of an account need to read their cluster's secrets, made in every account
/// clusters are built in: the product's KMS key (alias <see cref="SecretParameters.KmsKeyAlias"/>),
/// and the node role with its instance profile (<see cref="SecretParameters.NodeInstanceProfileName"/>).
///
/// How a node is kept to its own cluster: the role reaches only
/// <c>parameter/palette-serverless/{tenant}/*</c>, and a parameter only when its
/// <see cref="SecretParameters.VpcTag"/> tag equals the VPC the node's role credentials are used
/// from (the global key <c>aws:ec2InstanceSourceVPC</c>, present on every request signed with EC2
/// role credentials). We chose the VPC over the cluster uid because IAM has no way to compare a
/// parameter's tag with the calling instance's own tags, while every cluster with dynamic placement
/// has its own VPC; the path cannot carry it either, since one instance profile serves every
/// cluster of the account. Static clusters sharing a VPC share this fence (README, Known limits).
///
/// How a node reports its phase (<see cref="NodePhases"/>): it may call ec2:CreateTags only on the
/// instance its credentials were issued to, and only with the two phase tag keys. The resource is
/// the policy variable <c>${ec2:SourceInstanceARN}</c> (the ARN of the instance the role credentials
/// belong to, as the EC2 condition keys document it; IAM resolves policy variables in a Resource),
/// so the tagged resource must equal the calling instance; <c>aws:TagKeys</c> limits the keys.
/// </summary>
public sealed class NodeAccess : Construct
{
    public Key Key { get; }
    public Role Role { get; }
    public CfnInstanceProfile InstanceProfile { get; }

    public const string SourceVpcCondition = "ssm:resourceTag/" + SecretParameters.VpcTag;
    public const string SourceVpcVariable = "${aws:ec2InstanceSourceVPC}";
    public const string SourceInstanceArnKey = "ec2:SourceInstanceARN";
    public const string SourceInstanceArnVariable = "${" + SourceInstanceArnKey + "}";

    /// <param name="tenant">The tenant whose clusters this account runs, or "*" for the product's own account (every tenant).</param>
    public NodeAccess(Construct scope, string id, string tenant) : base(scope, id)
    {
        Key = new Key(this, "SecretsKey", new KeyProps
        {
            Alias = SecretParameters.KmsKeyAlias,
            Description = "Encrypts PaletteServerless cluster secrets (SSM SecureString parameters)",
            EnableKeyRotation = true,
            // Parameters it encrypted may outlive the stack; a deleted key would make them unreadable.
            RemovalPolicy = RemovalPolicy.RETAIN,
        });
        var ownClusterOnly = new Dictionary<string, object>
        {
            ["StringEquals"] = new Dictionary<string, object> { [SourceVpcCondition] = SourceVpcVariable },
        };
        Role = new Role(this, "NodeRole", new RoleProps
        {
            RoleName = SecretParameters.NodeRoleName,
            Description = "Kubernetes nodes built by PaletteServerless: read their own cluster's secrets, refresh its join token, report their own phase",
            AssumedBy = new ServicePrincipal("ec2.amazonaws.com"),
            InlinePolicies = new Dictionary<string, PolicyDocument>
            {
                ["OwnClusterSecrets"] = new(new PolicyDocumentProps
                {
                    Statements =
                    [
                        ClusterResourcePolicy.Allow("ReadOwnClusterSecrets", ["ssm:GetParameter", "ssm:GetParameters"],
                            [ClusterResourcePolicy.SecretParameterArn($"{tenant}/*")], ownClusterOnly),
                        // Control planes replace the join token before it expires; nothing else is written.
                        ClusterResourcePolicy.Allow("RefreshOwnJoinToken", ["ssm:PutParameter"],
                            [ClusterResourcePolicy.SecretParameterArn($"{tenant}/*/{SecretParameters.JoinToken}")], ownClusterOnly),
                        ClusterResourcePolicy.Allow("ReportOwnPhase", ["ec2:CreateTags"], [SourceInstanceArnVariable], new Dictionary<string, object>
                        {
                            // Only from an instance of this account (the variable is then its own ARN) ...
                            ["ArnLike"] = new Dictionary<string, object> { [SourceInstanceArnKey] = $"arn:{Aws.PARTITION}:ec2:*:{Aws.ACCOUNT_ID}:instance/*" },
                            // ... and only the phase keys: never the ownership tags the product's decisions read.
                            ["ForAllValues:StringEquals"] = new Dictionary<string, object> { ["aws:TagKeys"] = new[] { NodePhases.TagKey, NodePhases.MessageTagKey } },
                            ["Null"] = new Dictionary<string, object> { ["aws:TagKeys"] = "false" },
                        }),
                        ClusterResourcePolicy.Allow("UseSecretsKey", ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"], [Key.KeyArn],
                            new Dictionary<string, object> { ["StringLike"] = new Dictionary<string, object> { ["kms:ViaService"] = "ssm.*.amazonaws.com" } }),
                    ],
                }),
            },
        });
        InstanceProfile = new CfnInstanceProfile(this, "NodeInstanceProfile", new CfnInstanceProfileProps
        {
            InstanceProfileName = SecretParameters.NodeInstanceProfileName,
            Roles = [Role.RoleName],
        });
    }
}
