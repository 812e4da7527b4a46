using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Domain.Provisioning;

/// <summary>
/// The tags of everything the product creates, set at creation (never afterwards, so nothing ever
/// exists untagged): the user's cluster tags (product doc: they propagate), then the discovery
/// tags Kubernetes and Cluster API read, then our ownership tags, which nothing can override.
/// </summary>
public static class ResourceTags
{
    /// <summary>EC2 and ELB accept at most 50 tags per resource.</summary>
    public const int MaxTagsPerResource = 50;

    public const string CapaClusterPrefix = "sigs.k8s.io/cluster-api-provider-aws/cluster/";
    public const string CapaRole = "sigs.k8s.io/cluster-api-provider-aws/role";
    public const string KubernetesClusterPrefix = "kubernetes.io/cluster/";
    public const string ElbRole = "kubernetes.io/role/elb";
    public const string InternalElbRole = "kubernetes.io/role/internal-elb";

    /// <summary>Tags one resource gets. <paramref name="role"/> is Cluster API's role (public, private, node, apiserver-lb, ...).</summary>
    public static Dictionary<string, string> For(Cluster cluster, string name, string role, IReadOnlyDictionary<string, string>? extra = null)
    {
        var tags = new Dictionary<string, string>(cluster.Definition.Tags, StringComparer.Ordinal);
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
            tags[key] = value;
        tags["Name"] = name;
        tags[CapaClusterPrefix + cluster.Name] = "owned";
        tags[KubernetesClusterPrefix + cluster.Name] = "owned";
        tags[CapaRole] = role;
        tags[OwnershipTags.ClusterUid] = cluster.Uid;
        tags[OwnershipTags.ClusterName] = cluster.Name;
        tags[OwnershipTags.Tenant] = cluster.Scope.Tenant;
        tags[OwnershipTags.Project] = cluster.Scope.Project;
        return tags;
    }

    /// <summary>How many tags of ours a resource may carry at most, so user tags + ours never exceed the limit.</summary>
    public const int ReservedTagCount = 10;

    /// <summary>The four tags the product doc asks for on the public subnets of a static VPC.</summary>
    public static IReadOnlyDictionary<string, string> StaticPublicSubnetDiscoveryTags(string clusterName) => new Dictionary<string, string>
    {
        [ElbRole] = "1",
        [CapaRole] = "public",
        [KubernetesClusterPrefix + clusterName] = "shared",
        [CapaClusterPrefix + clusterName] = "owned",
    };
}
