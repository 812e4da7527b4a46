using System.Security.Cryptography;
using System.Text;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Aws.Cloud.Kinds;

/// <summary>
/// Launches the nodes of a pool that are named by their hosts (<see cref="InstancePlan.NamedByHost"/>) in batches:
/// one launch (RunInstances) with MinCount = MaxCount per zone and up to <see cref="MaxBatch"/> nodes, a few batches at a
/// time. Their user data is the same, so one call launches them all, as an Auto Scaling group or a fleet would.
/// Each batch is recorded in the inventory (a <see cref="ResourceKinds.LaunchRequest"/> holding its ClientToken and
/// its nodes' names) before the call; its instances are recorded under those names the moment the call returns,
/// and the batch record is forgotten only then. A batch whose answer was lost, or whose instances were not all
/// recorded, is finished by asking again with its recorded ClientToken: EC2 answers the same reservation, so
/// nothing launches twice and nothing is left unrecorded.
/// </summary>
public sealed class NodeBatches(ClusterResources resources, NodePoolKind nodes)
{
    /// <summary>Nodes per RunInstances: a zone of a 500-node pool in two calls, each answered in one reservation.</summary>
    public const int MaxBatch = 100;

    /// <summary>Batches in flight at once: RunInstances' request bucket holds 5 (refill 2/s).</summary>
    public const int Concurrency = 4;

    /// <summary>The batch record's attributes: its pool, and its nodes' names in launch index order.</summary>
    public const string PoolAttribute = NodeAttributes.Pool;
    public const string MembersAttribute = "members";

    /// <summary>
    /// Launches every node of <paramref name="plans"/> not yet recorded (first finishing the batches an earlier
    /// run left), grouped by pool and zone. The plans must be nodes named by their hosts.
    /// </summary>
    public async Task LaunchAsync(IReadOnlyList<InstancePlan> plans, NodeLaunch launch, Func<string, string> subnetFor, CancellationToken ct)
    {
        if (plans.Any(p => !p.NamedByHost))
            throw new ArgumentException("only nodes named by their hosts share their user data and launch in batches", nameof(plans));
        if (plans.Count == 0)
            return;
        var batches = plans.GroupBy(p => p.Pool).SelectMany(pool => Unfinished(pool.First())).ToList();
        var recorded = resources.All(ResourceKinds.Instance).Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var pending = batches.SelectMany(b => b.Members).ToHashSet(StringComparer.Ordinal);
        foreach (var group in plans.Where(p => !recorded.Contains(p.Name) && !pending.Contains(p.Name)).GroupBy(p => (p.Pool, p.AvailabilityZone)))
        {
            foreach (var chunk in group.Chunk(MaxBatch))
            {
                var members = chunk.Select(p => p.Name).ToList();
                batches.Add((chunk[0], members, TokenOf(members), null));
            }
        }
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = ct },
            async (batch, token) => await LaunchBatchAsync(batch.Template, batch.Members, batch.Token, batch.Record, launch, subnetFor(batch.Template.AvailabilityZone), token));
    }

    /// <summary>Finishes the batches of <paramref name="template"/>'s pool that an earlier run recorded and did not finish.</summary>
    public async Task FinishAsync(InstancePlan template, NodeLaunch launch, Func<string, string> subnetFor, CancellationToken ct) =>
        await Parallel.ForEachAsync(Unfinished(template), new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = ct },
            async (batch, token) => await LaunchBatchAsync(batch.Template, batch.Members, batch.Token, batch.Record, launch, subnetFor(batch.Template.AvailabilityZone), token));

    /// <summary>Whether a pool has batches recorded and not finished.</summary>
    public bool HasUnfinished(string pool) =>
        resources.All(ResourceKinds.LaunchRequest).Any(r => r.Attributes?.GetValueOrDefault(PoolAttribute) == pool);

    // Batches an earlier run recorded and did not finish: the same call again, with the same token (their nodes'
    // user data does not depend on their names, so the pool's template in the batch's zone asks the same).
    private IEnumerable<(InstancePlan Template, IReadOnlyList<string> Members, string Token, InventoryItem? Record)> Unfinished(InstancePlan template) =>
        resources.All(ResourceKinds.LaunchRequest)
            .Where(r => r.Attributes?.GetValueOrDefault(PoolAttribute) == template.Pool)
            .Select(r => (Record: r, Members: r.Attributes?.GetValueOrDefault(MembersAttribute)?.Split(',') ?? []))
            .Where(r => r.Members.Length > 0)
            .Select(r => (template with { AvailabilityZone = r.Record.AvailabilityZone ?? template.AvailabilityZone, Name = r.Members[0] },
                (IReadOnlyList<string>)r.Members, r.Record.Id, (InventoryItem?)r.Record));

    private async Task LaunchBatchAsync(InstancePlan template, IReadOnlyList<string> members, string clientToken, InventoryItem? record, NodeLaunch launch, string subnetId, CancellationToken ct)
    {
        record ??= new InventoryItem
        {
            Kind = ResourceKinds.LaunchRequest, Id = clientToken, Role = template.Role, AvailabilityZone = template.AvailabilityZone,
            Name = $"{resources.Cluster.Name}-{template.Pool}",
            Attributes = new Dictionary<string, string> { [PoolAttribute] = template.Pool, [MembersAttribute] = string.Join(',', members) },
            RecordedAt = resources.Clock.GetUtcNow(),
        };
        // Recorded before the call: whatever happens to its answer, a later run finishes this batch with this token. A batch
        // of one needs no record: its node is recorded whole or not at all, and a later run asks again with the same token.
        if (members.Count > 1)
            await resources.RecordAsync(record, ct);
        var request = nodes.LaunchRequest(template, launch, subnetId, members.Count, clientToken, $"{resources.Cluster.Name}-{template.Pool}");
        // The instances in launch order: the n-th is the n-th member.
        var launched = await CloudErrors.CreateAsync($"launch {members.Count} node(s) of pool {template.Pool} in {template.AvailabilityZone}",
            () => resources.Cloud.Nodes.LaunchAsync(request, ct));
        var known = resources.All(ResourceKinds.Instance).Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
        var attributes = nodes.AttributesOf(template);
        var items = launched.Select((instanceId, index) => new InventoryItem
        {
            Kind = ResourceKinds.Instance, Id = instanceId, Role = members[index], AvailabilityZone = template.AvailabilityZone,
            Name = members[index], Attributes = new Dictionary<string, string>(attributes), RecordedAt = resources.Clock.GetUtcNow(),
        }).Where(i => !known.Contains(i.Id)).ToList();
        await resources.RecordManyAsync(items, ct);
        if (launched.Count < members.Count)
            throw new ProvisioningFailedException($"EC2 launched {launched.Count} of {members.Count} node(s) of pool {template.Pool} in {template.AvailabilityZone} (MinCount is the whole batch)");
        if (members.Count > 1)
            await resources.ForgetAsync(record, ct);
    }

    /// <summary>A batch's ClientToken (at most 64 characters): the cluster's uid and a hash of its nodes' names.</summary>
    private string TokenOf(IReadOnlyList<string> members) =>
        $"{resources.Cluster.Uid}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join(',', members))))[..24]}";
}
