using System.Text.Json.Nodes;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Aws.Cloud;

/// <summary>What a session into a cloud account is for, which bounds what it may do there.</summary>
public enum SessionAccess
{
    /// <summary>Describes, the tagging API's reads and the vCPU quota: what the console and the orphan finder show.</summary>
    Read,
    /// <summary>Reads, and one cluster's CA parameter (issuing a kubeconfig).</summary>
    ReadCertificateAuthority,
    /// <summary>Everything a workflow does, to one cluster's resources only.</summary>
    BuildCluster,
}

/// <summary>
/// Who a session acts for. Every session the product opens is an AssumeRole of a cluster-builder role,
/// and carries this scope three ways: as session tags (tenant, project, cluster uid: the role's policy
/// compares resource tags with them for equality), as a session policy (which narrows the role to
/// <see cref="Access"/> and to this cluster's tagged resources and secret path), and as the source
/// identity (tenant.project, kept on every call in the account's CloudTrail).
/// </summary>
public sealed record SessionScope(string SessionName, string Tenant, string Project, string? ClusterUid, SessionAccess Access)
{
    public static SessionScope Read(ProjectScope scope, string sessionName) => new(sessionName, scope.Tenant, scope.Project, null, SessionAccess.Read);

    public static SessionScope ReadCertificateAuthority(Cluster cluster) =>
        new($"kubeconfig-{cluster.Uid}", cluster.Scope.Tenant, cluster.Scope.Project, cluster.Uid, SessionAccess.ReadCertificateAuthority);

    public static SessionScope Build(Cluster cluster) => Build(cluster.Scope, cluster.Uid);

    public static SessionScope Build(ProjectScope scope, string clusterUid) =>
        new($"palette-{clusterUid}", scope.Tenant, scope.Project, clusterUid, SessionAccess.BuildCluster);

    /// <summary>The session tag keys: the ownership tags' keys, so a policy reads "resource tag = principal tag" for one key.</summary>
    public IReadOnlyDictionary<string, string> Tags
    {
        get
        {
            var tags = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [OwnershipTags.Tenant] = Tenant,
                [OwnershipTags.Project] = Project,
            };
            if (ClusterUid is not null)
                tags[OwnershipTags.ClusterUid] = ClusterUid;
            return tags;
        }
    }

    /// <summary>STS's source identity (2 to 64 of [\w+=,.@-]): the tenant and project, which both rules keep within that alphabet.</summary>
    public string SourceIdentity => Truncate($"{Tenant}.{Project}", 64);

    /// <summary>STS's role session name (2 to 64 of [\w+=,.@-]).</summary>
    public string RoleSessionName => Truncate(SessionName, 64);

    /// <summary>
    /// The session policy: what the session may do at most, whatever the role allows. It names no
    /// account (the role's own policy fences that) and stays far below STS's 2,048-character limit.
    /// </summary>
    public string PolicyJson()
    {
        var statements = new JsonArray
        {
            Statement("Read", ["ec2:Describe*", "elasticloadbalancing:Describe*", "tag:GetResources", "servicequotas:GetServiceQuota", "iam:GetInstanceProfile"], "*"),
        };
        if (ClusterUid is not null && Access == SessionAccess.ReadCertificateAuthority)
        {
            statements.Add(Statement("ThisClustersCertificateAuthority", ["ssm:GetParameter"], ParameterArn($"{ClusterPath}/{SecretParameters.CertificateAuthority}")));
            statements.Add(Statement("DecryptThisClustersSecrets", ["kms:Decrypt"], "*"));
        }
        if (ClusterUid is not null && Access == SessionAccess.BuildCluster)
        {
            // A resource or request that carries the ownership tag must carry this cluster's uid; what
            // carries none (an AMI, a key pair, the tenant's own subnets) is left to the role's fences.
            var statement = Statement("ThisClusterOnly", ["ec2:*", "elasticloadbalancing:*", "iam:PassRole"], "*");
            statement["Condition"] = new JsonObject
            {
                ["StringEqualsIfExists"] = new JsonObject
                {
                    ["aws:ResourceTag/" + OwnershipTags.ClusterUid] = ClusterUid,
                    ["aws:RequestTag/" + OwnershipTags.ClusterUid] = ClusterUid,
                },
            };
            statements.Add(statement);
            statements.Add(Statement("ThisClustersSecrets", ["ssm:*"], new JsonArray(ParameterArn(ClusterPath), ParameterArn(ClusterPath + "/*"))));
            statements.Add(Statement("UseSecretsKey", ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"], "*"));
        }
        return new JsonObject { ["Version"] = "2012-10-17", ["Statement"] = statements }.ToJsonString();
    }

    private string ClusterPath => $"{SecretParameters.Product}/{Tenant}/{ClusterUid}";

    private static string ParameterArn(string path) => $"arn:aws:ssm:*:*:parameter/{path}";

    private static JsonObject Statement(string sid, string[] actions, JsonNode resource) => new()
    {
        ["Sid"] = sid,
        ["Effect"] = "Allow",
        ["Action"] = new JsonArray([.. actions.Select(a => (JsonNode)a)]),
        ["Resource"] = resource,
    };

    private static string Truncate(string text, int length) => text.Length > length ? text[..length] : text;
}
