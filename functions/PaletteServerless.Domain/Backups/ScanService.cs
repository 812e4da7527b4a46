using System.Globalization;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;

namespace PaletteServerless.Domain.Backups;

/// <summary>One failed check of a scan: its CIS id (kube-bench's test_number), title and the node role it ran on.</summary>
public sealed record ScanFinding(string Id, string Title, string NodeRole);

/// <summary>
/// One CIS benchmark run (kube-bench on one node of each role), as the API lists it: Completed once every role's
/// result is in the bucket, with the pass, fail and warn counts summed over the roles and each failed check.
/// </summary>
public sealed record ScanRecord(string Name, string Phase, DateTimeOffset? CompletedAt, int Pass, int Fail, int Warn, IReadOnlyList<ScanFinding> Failed,
    IReadOnlyList<string> NodeRoles, string Location);

/// <summary>Reads the scans in a cluster's bucket.</summary>
public interface IScanCatalog
{
    Task<IReadOnlyList<ScanRecord>> ListAsync(Cluster cluster, CloudAccounts.CloudAccount account, CancellationToken ct);
}

/// <summary>
/// Security scans of a cluster (<c>settings.securityScans</c>): a viewer lists them, an editor starts one on demand
/// (202: the backup workflow, kind <c>scan</c>, asks the in-cluster agent for kube-bench on each node role and reports
/// ScanCompleted with the counts).
/// </summary>
public sealed class ScanService(IClusterStore clusters, ICloudAccountStore accounts, IScanCatalog catalog, IBackupWorkflow workflow, TimeProvider clock)
{
    public async Task<IReadOnlyList<ScanRecord>> ListAsync(Caller caller, ProjectScope scope, string name, CancellationToken ct)
    {
        caller.Demand(Permission.Read, scope.Project);
        var cluster = await clusters.GetAsync(scope, name, ct) ?? throw new NotFoundException($"cluster '{name}' not found");
        if (ScanLocation.Bucket(cluster) is null)
            return [];
        var account = await accounts.GetAsync(scope, cluster.Definition.CloudAccount, ct)
            ?? throw new ConflictException($"cloud account '{cluster.Definition.CloudAccount}' of cluster '{name}' is gone");
        return await catalog.ListAsync(cluster, account, ct);
    }

    public async Task<BackupOperation> StartAsync(Caller caller, ProjectScope scope, string name, CancellationToken ct)
    {
        caller.Demand(Permission.Write, scope.Project);
        var cluster = await clusters.GetAsync(scope, name, ct) ?? throw new NotFoundException($"cluster '{name}' not found");
        if (cluster.Spec.Settings?.SecurityScans is not { Enabled: true })
            throw new ConflictException($"cluster '{name}' has settings.securityScans.enabled false: turn security scans on first");
        if (cluster.Status != ClusterStatus.Running)
            throw new ConflictException($"cluster '{name}' is {cluster.Status}: scans run on a Running cluster");
        var now = clock.GetUtcNow();
        var operation = new BackupOperation
        {
            Kind = BackupOperation.ScanKind,
            Name = $"{cluster.Name}-scan-{now.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture)}",
            RequestedAt = now,
        };
        try
        {
            await workflow.StartAsync(cluster, operation, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not DomainException)
        {
            throw new ServiceUnavailableException("the scan workflow could not be started; nothing was asked of the cluster, try again", ex);
        }
        return operation;
    }
}

/// <summary>
/// Where scans go: the cluster's own bucket (<see cref="BackupLocation.BucketName"/>), which the product creates when
/// scans are on even if backups are off or go to a bucket of the user's; under <see cref="Prefix"/>, one "directory"
/// per scan with one kube-bench JSON result per node role (<c>scans/&lt;name&gt;/&lt;role&gt;.json</c>).
/// </summary>
public static class ScanLocation
{
    public const string Prefix = "scans";

    /// <summary>kube-bench's targets by node role: the control planes run the master and node checks, workers the node checks.</summary>
    public const string ControlPlaneRole = "controlplane";
    public const string WorkerRole = "worker";

    /// <summary>The cluster's bucket when scans are on (the VPC is known once the network exists), else null.</summary>
    public static string? Bucket(Cluster cluster, string vpcId = "") =>
        cluster.Spec.Settings?.SecurityScans is { Enabled: true } ? BackupLocation.BucketName(vpcId, cluster.Uid) : null;

    /// <summary>The node roles a scan of this cluster covers: control planes, and workers when it has worker pools.</summary>
    public static IReadOnlyList<string> NodeRoles(Cluster cluster) =>
        cluster.Definition.NodePools.Any(p => p.Role == NodePoolRoles.Worker && p.Count > 0) ? [ControlPlaneRole, WorkerRole] : [ControlPlaneRole];

    public static string ResultKey(string scan, string role) => $"{Prefix}/{scan}/{role}.json";
}
