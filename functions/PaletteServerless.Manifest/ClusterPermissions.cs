namespace PaletteServerless.Manifest;

/// <summary>
/// What a function may do to the AWS resources of a cluster. The cluster-builder role (every account the
/// product builds in) is built from these by the CDK app's ClusterResourcePolicy, and each function's
/// sessions are narrowed to its own by <see cref="ClusterActions"/>.
/// </summary>
[Flags]
public enum ClusterPermissions
{
    None = 0,
    /// <summary>EC2 and ELB describes: reading what exists before creating or deleting it.</summary>
    Describe = 1 << 0,
    /// <summary>VPC, subnets, internet gateway, EIPs, NAT gateways, route tables, security groups.</summary>
    CreateNetwork = 1 << 2,
    DeleteNetwork = 1 << 3,
    /// <summary>The API server's network load balancer, its target group and listener (no targets: <see cref="RegisterTargets"/>).</summary>
    CreateLoadBalancer = 1 << 4,
    DeleteLoadBalancer = 1 << 5,
    /// <summary>Node pool instances (with their volumes and network interfaces).</summary>
    CreateInstances = 1 << 6,
    DeleteInstances = 1 << 7,
    /// <summary>Lists everything that carries the ownership tag (the leftovers report).</summary>
    FindTagged = 1 << 8,
    /// <summary>Preflight's read of EC2's on-demand vCPU quota (Service Quotas GetServiceQuota).</summary>
    ReadQuotas = 1 << 9,
    /// <summary>Deregisters targets of the cluster's target group (a control-plane node drains before it is replaced).</summary>
    DrainTargets = 1 << 10,
    /// <summary>Changes the user's tags on resources the cluster owns (a day-2 tag change applies in place).</summary>
    Retag = 1 << 11,
    /// <summary>The cluster's secret parameters under the product's SSM path, under the product's KMS key: create and read.</summary>
    WriteSecrets = 1 << 12,
    /// <summary>Lists and deletes the cluster's secret parameters (teardown, force delete).</summary>
    DeleteSecrets = 1 << 13,
    /// <summary>Reads a cluster's CA parameter only (the API signs kubeconfig client certificates with it).</summary>
    ReadCertificateAuthority = 1 << 14,
    /// <summary>Reads the cluster's secret parameters (every node launch after the network step stored them); WriteSecrets includes it.</summary>
    ReadSecrets = 1 << 15,
    /// <summary>Registers instances with the cluster's target group only (control-plane nodes join the API load balancer: the create's polls, a roll, a replacement).</summary>
    RegisterTargets = 1 << 16,
    /// <summary>Adds and revokes ingress rules of the cluster's own security groups (what its CNI and kubeadm need between the nodes: create and day-2).</summary>
    SecurityGroupRules = 1 << 17,
    /// <summary>
    /// Writes the cluster's instructions to its nodes, String parameters beside its secrets: the desired in-cluster state
    /// (for the in-cluster agent) and the OS patch request (for every node's patch agent): create tagged, overwrite.
    /// </summary>
    WriteDesiredState = 1 << 18,
    /// <summary>
    /// The virtual clusters' parameters beside the desired state (the list the agent reads, one SecureString report per
    /// virtual cluster): create tagged, overwrite the list, read the reports decrypted, delete a report.
    /// </summary>
    VirtualClusters = 1 << 19,
    /// <summary>The cluster's backup bucket (settings.backup with no location): create it tagged, encrypted, public access blocked, with its lifecycle; delete it once empty.</summary>
    BackupBucket = 1 << 20,
    /// <summary>Reads a cluster's backup location: whether the bucket exists, Velero's backups and restore results in it.</summary>
    ReadBackups = 1 << 21,
    /// <summary>Reads the cluster's desired in-cluster state back (an operation joins those it holds).</summary>
    ReadDesiredState = 1 << 22,

    /// <summary>Everything a workflow may do in a target account: what the tenant's role grants.</summary>
    All = Describe | CreateNetwork | DeleteNetwork | CreateLoadBalancer | DeleteLoadBalancer
        | CreateInstances | DeleteInstances | FindTagged | ReadQuotas | DrainTargets | Retag
        | WriteSecrets | DeleteSecrets | ReadCertificateAuthority | ReadSecrets | RegisterTargets | SecurityGroupRules | WriteDesiredState | VirtualClusters
        | BackupBucket | ReadBackups | ReadDesiredState,
}
