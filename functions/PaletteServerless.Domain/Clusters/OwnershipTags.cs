namespace PaletteServerless.Domain.Clusters;

/// <summary>
/// Tags that mark what the product created. Cluster names are unique only per project, so
/// ownership is matched on the cluster's uid, never on its name alone: a sweep can never touch
/// another cluster's resources.
/// </summary>
public static class OwnershipTags
{
    public const string ClusterUid = "palette.serverless/cluster-uid";
    public const string Tenant = "palette.serverless/tenant";
    public const string Project = "palette.serverless/project";
    public const string ClusterName = "palette.serverless/cluster";
}
