namespace PaletteServerless.Manifest;

/// <summary>One route of the product API: its method, its path template with {parameters}, and what it does.</summary>
/// <param name="Public">True when API Gateway routes it without the JWT authorizer.</param>
public sealed record ApiRouteDefinition(string Method, string Template, string Description, bool Public = false)
{
    /// <summary>"METHOD /template", as API Gateway names a route key.</summary>
    public string Key => $"{Method} {Template}";
}

/// <summary>
/// Every route of the product API. The API function routes by it, API Gateway (the CDK app) and
/// the local edge expose it, and openapi.json documents it; tests hold all of them to this list.
/// </summary>
public static class ApiRouteCatalog
{
    private const string Projects = "/v1/projects/{project}";
    private const string AccountRegion = Projects + "/cloudaccounts/{name}/regions/{region}";

    public static readonly ApiRouteDefinition OpenApiDocument = new("GET", "/v1/openapi.json", "The OpenAPI document of this API", Public: true);

    public static readonly ApiRouteDefinition CreateCloudAccount = new("POST", $"{Projects}/cloudaccounts", "Register a cloud account (an IAM role to assume)");
    public static readonly ApiRouteDefinition ListCloudAccounts = new("GET", $"{Projects}/cloudaccounts", "List cloud accounts");
    public static readonly ApiRouteDefinition GetCloudAccount = new("GET", $"{Projects}/cloudaccounts/{{name}}", "Read a cloud account");
    public static readonly ApiRouteDefinition DeleteCloudAccount = new("DELETE", $"{Projects}/cloudaccounts/{{name}}", "Remove a cloud account no cluster uses");

    // What a cloud account has in a region, read live through its role: the choices of a cluster spec.
    public static readonly ApiRouteDefinition ListKeyPairs = new("GET", $"{AccountRegion}/keypairs", "The EC2 key pairs of a cloud account in a region");
    public static readonly ApiRouteDefinition ListAvailabilityZones = new("GET", $"{AccountRegion}/availabilityzones", "The availability zones a cloud account may use in a region");
    public static readonly ApiRouteDefinition ListInstanceTypes = new("GET", $"{AccountRegion}/instancetypes", "The instance types offered in a zone, with their estimated on-demand price");
    public static readonly ApiRouteDefinition ListVpcs = new("GET", $"{AccountRegion}/vpcs", "The VPCs of a cloud account in a region");
    public static readonly ApiRouteDefinition ListSubnets = new("GET", $"{AccountRegion}/vpcs/{{vpcId}}/subnets", "The subnets of a VPC");

    public static readonly ApiRouteDefinition CreateClusterProfile = new("POST", $"{Projects}/clusterprofiles", "Create a cluster profile");
    public static readonly ApiRouteDefinition ListClusterProfiles = new("GET", $"{Projects}/clusterprofiles", "List cluster profiles");
    public static readonly ApiRouteDefinition GetClusterProfile = new("GET", $"{Projects}/clusterprofiles/{{name}}", "Read a cluster profile");
    public static readonly ApiRouteDefinition DeleteClusterProfile = new("DELETE", $"{Projects}/clusterprofiles/{{name}}", "Remove a cluster profile no cluster uses");

    public static readonly ApiRouteDefinition CreateCluster = new("POST", $"{Projects}/clusters", "Create a cluster (or dry-run its spec)");
    public static readonly ApiRouteDefinition ListClusters = new("GET", $"{Projects}/clusters", "List clusters");
    public static readonly ApiRouteDefinition GetCluster = new("GET", $"{Projects}/clusters/{{name}}", "Read a cluster and its status");
    public static readonly ApiRouteDefinition DeleteCluster = new("DELETE", $"{Projects}/clusters/{{name}}", "Delete a cluster and everything it owns");
    public static readonly ApiRouteDefinition ListClusterEvents = new("GET", $"{Projects}/clusters/{{name}}/events", "A cluster's event history");
    public static readonly ApiRouteDefinition GetClusterKubeconfig = new("GET", $"{Projects}/clusters/{{name}}/kubeconfig", "A kubeconfig for a running cluster, with a client certificate for the caller");
    public static readonly ApiRouteDefinition ListClusterKubeconfigs = new("GET", $"{Projects}/clusters/{{name}}/kubeconfigs", "The client certificates issued for a cluster (admins: everyone's; others: their own)");
    public static readonly ApiRouteDefinition ForceDeleteCluster = new("POST", $"{Projects}/clusters/{{name}}/force-delete", "Start the force delete of a cluster stuck in Deleting");

    public static readonly ApiRouteDefinition UpdateCluster = new("PATCH", $"{Projects}/clusters/{{name}}", "Change a cluster's spec with a JSON merge patch (or dry-run the change plan)");
    public static readonly ApiRouteDefinition RetryClusterUpdate = new("POST", $"{Projects}/clusters/{{name}}/update", "Run the update again (after a failed one)");
    public static readonly ApiRouteDefinition ListNodePools = new("GET", $"{Projects}/clusters/{{name}}/nodepools", "A cluster's node pools");
    public static readonly ApiRouteDefinition AddNodePool = new("POST", $"{Projects}/clusters/{{name}}/nodepools", "Add a worker pool");
    public static readonly ApiRouteDefinition ReplaceNodePool = new("PUT", $"{Projects}/clusters/{{name}}/nodepools/{{pool}}", "Replace one pool's spec");
    public static readonly ApiRouteDefinition RemoveNodePool = new("DELETE", $"{Projects}/clusters/{{name}}/nodepools/{{pool}}", "Remove a worker pool");

    public static readonly ApiRouteDefinition ListVirtualClusters = new("GET", $"{Projects}/clusters/{{name}}/virtualclusters", "A cluster's virtual clusters, with their status");
    public static readonly ApiRouteDefinition CreateVirtualCluster = new("POST", $"{Projects}/clusters/{{name}}/virtualclusters", "Create a virtual cluster (the vcluster chart, installed by the in-cluster agent)");
    public static readonly ApiRouteDefinition GetVirtualCluster = new("GET", $"{Projects}/clusters/{{name}}/virtualclusters/{{vcluster}}", "Read a virtual cluster and its status");
    public static readonly ApiRouteDefinition DeleteVirtualCluster = new("DELETE", $"{Projects}/clusters/{{name}}/virtualclusters/{{vcluster}}", "Delete a virtual cluster");
    public static readonly ApiRouteDefinition GetVirtualClusterKubeconfig = new("GET", $"{Projects}/clusters/{{name}}/virtualclusters/{{vcluster}}/kubeconfig", "A running virtual cluster's kubeconfig");
    public static readonly ApiRouteDefinition ListBackups = new("GET", $"{Projects}/clusters/{{name}}/backups", "A cluster's backups: name, phase, startedAt, completedAt, location");
    public static readonly ApiRouteDefinition CreateBackup = new("POST", $"{Projects}/clusters/{{name}}/backups", "Start a backup of a cluster now (settings.backup on)");
    public static readonly ApiRouteDefinition CreateRestore = new("POST", $"{Projects}/clusters/{{name}}/restores", "Restore a completed backup into the cluster");

    public static readonly ApiRouteDefinition ListScans = new("GET", $"{Projects}/clusters/{{name}}/scans", "A cluster's CIS benchmark scans: pass, fail and warn counts and each failed check");
    public static readonly ApiRouteDefinition CreateScan = new("POST", $"{Projects}/clusters/{{name}}/scans", "Start a CIS benchmark scan (kube-bench) of a cluster now (settings.securityScans on)");

    public static readonly ApiRouteDefinition FindOrphans = new("GET", $"{Projects}/orphans", "Resources tagged for clusters that no longer exist");
    public static readonly ApiRouteDefinition RemoveOrphans = new("POST", $"{Projects}/orphans", "Start a sweep that removes those orphaned resources");
    public static readonly ApiRouteDefinition GetOrphanSweep = new("GET", $"{Projects}/orphans/sweeps/{{sweep}}", "A sweep's state and, once it ends, its report");

    public static readonly IReadOnlyList<ApiRouteDefinition> All =
    [
        OpenApiDocument,
        CreateCloudAccount, ListCloudAccounts, GetCloudAccount, DeleteCloudAccount,
        ListKeyPairs, ListAvailabilityZones, ListInstanceTypes, ListVpcs, ListSubnets,
        CreateClusterProfile, ListClusterProfiles, GetClusterProfile, DeleteClusterProfile,
        CreateCluster, ListClusters, GetCluster, DeleteCluster, ListClusterEvents, GetClusterKubeconfig, ListClusterKubeconfigs, ForceDeleteCluster,
        UpdateCluster, RetryClusterUpdate, ListNodePools, AddNodePool, ReplaceNodePool, RemoveNodePool,
        ListVirtualClusters, CreateVirtualCluster, GetVirtualCluster, DeleteVirtualCluster, GetVirtualClusterKubeconfig,
        ListBackups, CreateBackup, CreateRestore, ListScans, CreateScan,
        FindOrphans, RemoveOrphans, GetOrphanSweep,
    ];
}
