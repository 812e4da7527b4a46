using System.Text.Json.Nodes;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Manifest;

namespace PaletteServerless.Aws.Cloud;

/// <summary>
/// Who a session into a cloud account acts for. Every session the product opens is an AssumeRole of a
/// cluster-builder role, and carries this scope three ways: as session tags (tenant, project and, when it
/// works on one cluster, its uid: the role's statements compare resource tags with them for equality),
/// as a session policy (only the calling function's own actions, <see cref="ClusterActions"/>, and only
/// on this cluster's tagged resources), and as the source identity (tenant.project, kept on every call
/// in the account's CloudTrail).
/// </summary>
/// <param name="Function">The catalog name of the function that opens the session (<see cref="FunctionCatalog"/>).</param>
public sealed record SessionScope(string Function, string SessionName, string Tenant, string Project, string? ClusterUid)
{
    /// <summary>A session that works on no one cluster: reads (the console's choices, the orphan finder).</summary>
    public static SessionScope OfProject(string function, ProjectScope scope, string sessionName) =>
        new(function, sessionName, scope.Tenant, scope.Project, null);

    /// <summary>A session that works on one cluster's resources.</summary>
    public static SessionScope OfCluster(string function, ProjectScope scope, string clusterUid, string? sessionName = null) =>
        new(function, sessionName ?? $"palette-{clusterUid}", scope.Tenant, scope.Project, clusterUid);

    public static SessionScope OfCluster(string function, Cluster cluster, string? sessionName = null) =>
        OfCluster(function, cluster.Scope, cluster.Uid, sessionName);

    /// <summary>The session tags: the ownership tags' own keys, so a policy reads "resource tag = principal tag" for one key.</summary>
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

    /// <summary>STS's source identity (2 to 64 of [\w+=,.@-]): the tenant and project, whose rules keep them within that alphabet.</summary>
    public string SourceIdentity => Truncate($"{Tenant}.{Project}", 64);

    /// <summary>STS's role session name (2 to 64 of [\w+=,.@-]).</summary>
    public string RoleSessionName => Truncate(SessionName, 64);

    /// <summary>
    /// The session policy: at most the function's own actions; with a cluster, only where a resource or
    /// request that carries the ownership tag carries this cluster's uid (what carries none, such as an
    /// AMI, a key pair or the tenant's own subnet, is left to the role's fences).
    /// </summary>
    public string PolicyJson()
    {
        var statement = new JsonObject
        {
            ["Sid"] = "ThisFunctionsActions",
            ["Effect"] = "Allow",
            ["Action"] = new JsonArray([.. ClusterActions.OfFunction(Function).Select(a => (JsonNode)a)]),
            ["Resource"] = "*",
        };
        if (ClusterUid is not null)
        {
            // The session's own uid tag, by policy variable: one text per function, whatever the cluster.
            statement["Condition"] = new JsonObject
            {
                ["StringEqualsIfExists"] = new JsonObject
                {
                    ["aws:ResourceTag/" + OwnershipTags.ClusterUid] = SessionClusterUid,
                    ["aws:RequestTag/" + OwnershipTags.ClusterUid] = SessionClusterUid,
                },
            };
        }
        return new JsonObject { ["Version"] = "2012-10-17", ["Statement"] = new JsonArray(statement) }.ToJsonString();
    }

    /// <summary>The policy variable of the session's cluster uid tag (<see cref="Tags"/>).</summary>
    public const string SessionClusterUid = "${aws:PrincipalTag/" + OwnershipTags.ClusterUid + "}";

    private static string Truncate(string text, int length) => text.Length > length ? text[..length] : text;
}
