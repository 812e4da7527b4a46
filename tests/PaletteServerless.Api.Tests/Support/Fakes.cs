using System.Collections.Concurrent;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Api.Tests.Support;

/// <summary>Records each workflow start and answers with the execution ARN Step Functions would give.</summary>
public sealed class RecordingWorkflowStarter : IWorkflowStarter
{
    public ConcurrentQueue<(string Operation, Cluster Cluster)> Started { get; } = new();

    /// <summary>
    /// The executions that exist, by name, as Step Functions counts them: a start with a name it
    /// already has (same input) returns that execution instead of starting another.
    /// </summary>
    public IReadOnlySet<string> Executions => Started.Select(s => $"{s.Operation}-{s.Cluster.Uid}").ToHashSet();

    public Task<string> StartProvisioningAsync(Cluster cluster, CancellationToken ct) => Record("provision", cluster);

    public Task<string> StartDeletionAsync(Cluster cluster, CancellationToken ct) => Record("delete", cluster);

    public Task<string> StartUpdateAsync(Cluster cluster, CancellationToken ct) => Record($"update{cluster.UpdateRuns}", cluster);

    private Task<string> Record(string operation, Cluster cluster)
    {
        Started.Enqueue((operation, cluster));
        return Task.FromResult($"arn:aws:states:us-east-1:123456789012:execution:{operation}:{operation}-{cluster.Uid}");
    }
}

/// <summary>A workflow engine that cannot be reached, as when Step Functions is down.</summary>
public sealed class UnreachableWorkflowStarter : IWorkflowStarter
{
    public Task<string> StartProvisioningAsync(Cluster cluster, CancellationToken ct) =>
        throw new HttpRequestException("connection refused (states.us-east-1.amazonaws.com)");

    public Task<string> StartDeletionAsync(Cluster cluster, CancellationToken ct) =>
        throw new HttpRequestException("connection refused (states.us-east-1.amazonaws.com)");

    public Task<string> StartUpdateAsync(Cluster cluster, CancellationToken ct) =>
        throw new HttpRequestException("connection refused (states.us-east-1.amazonaws.com)");
}

/// <summary>
/// The force delete workflow without a cloud: records each start and, unless told to leave it
/// running, does what the workflow does when nothing is left (the cluster Deleted with its report).
/// Starts of a running execution find it, as Step Functions does for the same execution name.
/// </summary>
public sealed class RecordingForceDeleter(IClusterStore clusters, TimeProvider clock) : IForceDeleter
{
    public ConcurrentQueue<(Cluster Cluster, Caller Caller)> Calls { get; } = new();

    /// <summary>The executions that exist, by name.</summary>
    public IReadOnlySet<string> Executions => Calls.Select(c => ExecutionName(c.Cluster)).ToHashSet();

    /// <summary>False: the workflow is still running when the API answers.</summary>
    public bool Completes { get; set; } = true;

    /// <summary>What the sweep "could not remove", for the report.</summary>
    public List<Leftover> Leftovers { get; } = [];

    public static string ExecutionName(Cluster cluster) => $"force-delete-{cluster.Uid}";

    public async Task<string> StartAsync(Cluster cluster, Caller caller, CancellationToken ct)
    {
        Calls.Enqueue((cluster, caller));
        if (Completes)
        {
            var now = clock.GetUtcNow();
            var reason = $"force deleted by {caller.Subject}";
            var report = ForceDeleteReport.Of(LeftoverReport.Of(cluster.Name, Leftovers, now), ClusterStatus.Deleted, reason);
            await clusters.UpdateAsync(
                cluster with { Status = ClusterStatus.Deleted, StatusReason = reason, DeletedAt = now, UpdatedAt = now, ForceDeleteReport = report },
                cluster.Version, ct);
        }
        return $"arn:aws:states:us-east-1:123456789012:execution:palette-force-delete-cluster:{ExecutionName(cluster)}";
    }
}

/// <summary>Preflight without a cloud: answers the problems a test sets (none by default) and records what it was asked.</summary>
public sealed class ScriptedPreflight : IPreflight
{
    public List<string> Problems { get; } = [];
    public List<Cluster> Checked { get; } = [];

    public Task<IReadOnlyList<string>> CheckAsync(Cluster cluster, PaletteServerless.Domain.CloudAccounts.CloudAccount account, CancellationToken ct)
    {
        Checked.Add(cluster);
        return Task.FromResult<IReadOnlyList<string>>([.. Problems]);
    }
}

/// <summary>An orphan sweep without a cloud: records the scope it was given and finds nothing.</summary>
public sealed class RecordingOrphanSweeper : IOrphanSweeper
{
    public List<(string Tenant, string Project, IReadOnlySet<string> Live)> Calls { get; } = [];

    public Task<PaletteServerless.Domain.Provisioning.LeftoverReport> FindAsync(ProjectScope scope, IReadOnlyList<PaletteServerless.Domain.CloudAccounts.CloudAccount> accounts, IReadOnlyList<string> regions, IReadOnlySet<string> live, CancellationToken ct)
    {
        Calls.Add((scope.Tenant, scope.Project, live));
        return Task.FromResult(PaletteServerless.Domain.Provisioning.LeftoverReport.Of(null, [], DateTimeOffset.UnixEpoch));
    }
}

/// <summary>The sweep workflow without a cloud: records each start; a sweep runs until a test finishes it with a report.</summary>
public sealed class RecordingSweepWorkflow(TimeProvider clock) : ISweepWorkflow
{
    private readonly ConcurrentDictionary<string, (ProjectScope Scope, OrphanSweep Sweep)> _sweeps = new();

    public IReadOnlyCollection<string> Started => [.. _sweeps.Keys];

    public Task StartAsync(ProjectScope scope, string sweepId, CancellationToken ct)
    {
        _sweeps[sweepId] = (scope, new OrphanSweep(sweepId, SweepStates.Running, clock.GetUtcNow(), null, null, null));
        return Task.CompletedTask;
    }

    public void Finish(string sweepId, LeftoverReport report)
    {
        var (scope, sweep) = _sweeps[sweepId];
        _sweeps[sweepId] = (scope, sweep with { State = SweepStates.Succeeded, StoppedAt = clock.GetUtcNow(), Report = report });
    }

    public Task<OrphanSweep?> GetAsync(ProjectScope scope, string sweepId, CancellationToken ct) =>
        Task.FromResult(_sweeps.TryGetValue(sweepId, out var entry) && entry.Scope == scope ? entry.Sweep : null);
}

/// <summary>One CA for every cluster and a fixed API host, as the cluster's SSM parameter and inventory would give them.</summary>
public sealed class FixedClusterCredentials : IClusterCredentials
{
    public const string ApiHost = "demo-api-0123.elb.us-east-1.amazonaws.com";

    public CertificateAuthority Authority { get; } = ClusterPki.CreateCertificateAuthority("demo", ApiHarness.Start);

    public Task<ClusterAccess?> ReadAsync(Cluster cluster, PaletteServerless.Domain.CloudAccounts.CloudAccount account, CancellationToken ct) =>
        Task.FromResult<ClusterAccess?>(new ClusterAccess(Authority, ApiHost));
}

/// <summary>
/// A cloud account as the reader sees it: a few of each kind, deliberately out of order, one VPC
/// with subnets. Denies every read when <see cref="DenyRole"/> is set, as AWS refusing the role.
/// </summary>
public sealed class ScriptedCloudAccountReader : ICloudAccountReader
{
    public const string VpcId = "vpc-0a1b2c3d4e5f60718";

    public ConcurrentQueue<(string Account, string Region, string? Argument)> Calls { get; } = new();

    public bool DenyRole { get; set; }

    public Task<IReadOnlyList<CloudKeyPair>> KeyPairsAsync(ProjectScope scope, CloudAccount account, string region, CancellationToken ct) => Answer(account, region, null,
        (IReadOnlyList<CloudKeyPair>)[new("zeta", "key-0f", "ed25519", "SHA256digest="), new("ops", "key-01", "rsa", "1f:2e")]);

    public Task<IReadOnlyList<CloudZone>> AvailabilityZonesAsync(ProjectScope scope, CloudAccount account, string region, CancellationToken ct) => Answer(account, region, null,
        (IReadOnlyList<CloudZone>)[new($"{region}b", "use1-az2", "available"), new($"{region}a", "use1-az1", "available")]);

    public Task<IReadOnlyList<CloudInstanceType>> InstanceTypesAsync(ProjectScope scope, CloudAccount account, string region, string zone, CancellationToken ct) => Answer(account, region, zone,
        (IReadOnlyList<CloudInstanceType>)
        [
            new("t3.medium", 2, 4096, "x86_64", null),
            new("m6g.large", 2, 8192, "arm64", null),
            new("m5.large", 2, 8192, "x86_64", null),
            new("x9z.mega", 96, 786432, "x86_64", null),
        ]);

    public Task<IReadOnlyList<CloudVpc>> VpcsAsync(ProjectScope scope, CloudAccount account, string region, CancellationToken ct) => Answer(account, region, null,
        (IReadOnlyList<CloudVpc>)
        [
            new(VpcId, "10.0.0.0/16", false, "shared", new Dictionary<string, string> { ["Name"] = "shared", ["team"] = "net" }),
            new("vpc-01234567", "172.31.0.0/16", true, null, new Dictionary<string, string>()),
        ]);

    public Task<IReadOnlyList<CloudSubnet>?> SubnetsAsync(ProjectScope scope, CloudAccount account, string region, string vpcId, CancellationToken ct) => Answer(account, region, vpcId,
        vpcId != VpcId ? null : (IReadOnlyList<CloudSubnet>?)
        [
            new("subnet-0bbbbbbbbbbbbbbbb", $"{region}b", "10.0.2.0/24", false, 251, null, new Dictionary<string, string>()),
            new("subnet-0aaaaaaaaaaaaaaaa", $"{region}a", "10.0.1.0/24", true, 250, "public-a",
                new Dictionary<string, string> { ["Name"] = "public-a", ["kubernetes.io/role/elb"] = "1" }),
        ]);

    private Task<T> Answer<T>(CloudAccount account, string region, string? argument, T result)
    {
        Calls.Enqueue((account.Name!, region, argument));
        if (DenyRole)
            throw new PaletteServerless.Domain.Errors.CloudAccessDeniedException($"the role {account.RoleArn} of cloud account '{account.Name}' cannot be assumed (AccessDenied)");
        return Task.FromResult(result);
    }
}

/// <summary>EC2's answer for a cluster's instances, as a test sets it; or, with <see cref="Error"/>, the failure the real reader reports.</summary>
public sealed class ScriptedClusterInstances : IClusterInstances
{
    public ConcurrentQueue<(string Account, IReadOnlyList<string> InstanceIds)> Calls { get; } = new();

    public List<DescribedInstance> Instances { get; } = [];

    public string? Error { get; set; }

    public Task<InstanceDescription> DescribeAsync(Cluster cluster, CloudAccount account, IReadOnlyList<string> instanceIds, CancellationToken ct)
    {
        Calls.Enqueue((account.Name!, instanceIds));
        return Task.FromResult(Error is { } error
            ? InstanceDescription.Failed(error)
            : new InstanceDescription(Instances.Where(i => instanceIds.Contains(i.InstanceId)).ToList(), null));
    }
}

/// <summary>The virtual clusters' parameters in memory: the last list published, report parameters, and reports a test writes as the agent would.</summary>
public sealed class FakeVirtualClusterCloud : PaletteServerless.Domain.VirtualClusters.IVirtualClusterCloud
{
    public PaletteServerless.Domain.VirtualClusters.DesiredVirtualClusters? Published { get; set; }
    public Dictionary<string, PaletteServerless.Domain.VirtualClusters.VirtualClusterReport> Reports { get; } = new(StringComparer.Ordinal);

    public Task PublishAsync(Cluster cluster, PaletteServerless.Domain.CloudAccounts.CloudAccount account, IReadOnlyList<PaletteServerless.Domain.VirtualClusters.VirtualCluster> records, CancellationToken ct)
    {
        foreach (var record in records.Where(r => r.Status != "Deleting"))
            Reports.TryAdd(record.Name, new PaletteServerless.Domain.VirtualClusters.VirtualClusterReport { Status = "Pending" });
        Published = PaletteServerless.Domain.VirtualClusters.DesiredVirtualClusters.Of(cluster, records);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyDictionary<string, PaletteServerless.Domain.VirtualClusters.VirtualClusterReport>> ReadAsync(Cluster cluster, PaletteServerless.Domain.CloudAccounts.CloudAccount account, IReadOnlyList<string> names, CancellationToken ct) =>
        Task.FromResult<IReadOnlyDictionary<string, PaletteServerless.Domain.VirtualClusters.VirtualClusterReport>>(
            names.Where(Reports.ContainsKey).ToDictionary(n => n, n => Reports[n], StringComparer.Ordinal));

    public Task<PaletteServerless.Domain.VirtualClusters.DesiredVirtualClusters?> PublishedAsync(Cluster cluster, PaletteServerless.Domain.CloudAccounts.CloudAccount account, CancellationToken ct) =>
        Task.FromResult(Published);

    public Task RemoveAsync(Cluster cluster, PaletteServerless.Domain.CloudAccounts.CloudAccount account, string name, CancellationToken ct)
    {
        Reports.Remove(name);
        return Task.CompletedTask;
    }
}
