using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Aws.Cloud;

/// <summary>
/// One cluster's resources during a step: the inventory read once, and the one way to make a
/// resource exist: use the recorded one, else adopt one found by its ownership tags (a create
/// whose record was lost to a crash), else create it tagged and record it before going on.
/// </summary>
public sealed class ClusterResources(Cluster cluster, ICloudSession cloud, IInventoryStore inventory, List<InventoryItem> items, TimeProvider clock)
{
    public Cluster Cluster => cluster;
    public ICloudSession Cloud => cloud;
    public TimeProvider Clock => clock;
    // A delete pass removes independent resources side by side, so the list is read and changed under a lock.
    private readonly Lock _gate = new();

    public IReadOnlyList<InventoryItem> Items
    {
        get { lock (_gate) return [.. items]; }
    }

    public static async Task<ClusterResources> LoadAsync(Cluster cluster, ICloudSession cloud, IInventoryStore inventory, TimeProvider clock, CancellationToken ct) =>
        new(cluster, cloud, inventory, [.. await inventory.ListAsync(cluster, ct)], clock);

    public InventoryItem? Find(string kind, string? role = null, string? zone = null)
    {
        lock (_gate)
            return items.FirstOrDefault(i => i.Kind == kind && (role is null || i.Role == role) && (zone is null || i.AvailabilityZone == zone));
    }

    public IEnumerable<InventoryItem> All(string kind, string? role = null)
    {
        lock (_gate)
            return items.Where(i => i.Kind == kind && (role is null || i.Role == role)).ToList();
    }

    public string Id(string kind, string? role = null, string? zone = null) =>
        Find(kind, role, zone)?.Id ?? throw new ProvisioningFailedException($"the inventory has no {kind} {role} {zone}: an earlier step did not finish");

    /// <summary>Makes sure the resource exists and is recorded; returns its inventory item.</summary>
    public async Task<InventoryItem> EnsureAsync(
        string kind, string role, string? zone, string name,
        Func<Task<(string Id, Dictionary<string, string>? Attributes)?>> lookup,
        Func<Task<(string Id, Dictionary<string, string>? Attributes)>> create,
        CancellationToken ct)
    {
        if (Find(kind, role, zone) is { } known)
            return known;
        var found = await lookup() ?? await CloudErrors.CreateAsync($"create {kind} {name}", create);
        var item = new InventoryItem
        {
            Kind = kind, Id = found.Id, Role = role, AvailabilityZone = zone, Name = name,
            Attributes = found.Attributes, RecordedAt = clock.GetUtcNow(),
        };
        await inventory.RecordAsync(cluster, item, ct);
        lock (_gate)
            items.Add(item);
        return item;
    }

    /// <summary>Updates a recorded item (e.g. a new association id) in place.</summary>
    public async Task RecordAsync(InventoryItem item, CancellationToken ct)
    {
        lock (_gate)
        {
            items.RemoveAll(i => i.Kind == item.Kind && i.Id == item.Id);
            items.Add(item);
        }
        await inventory.RecordAsync(cluster, item, ct);
    }

    /// <summary>Records (or updates) many items in fewer calls: a batch of nodes the moment their launch returns.</summary>
    public async Task RecordManyAsync(IReadOnlyList<InventoryItem> records, CancellationToken ct)
    {
        if (records.Count == 0)
            return;
        lock (_gate)
        {
            foreach (var item in records)
            {
                items.RemoveAll(i => i.Kind == item.Kind && i.Id == item.Id);
                items.Add(item);
            }
        }
        await inventory.RecordManyAsync(cluster, records, ct);
    }

    /// <summary>Forgets many items in fewer calls: a pool's nodes that EC2 reports gone.</summary>
    public async Task ForgetManyAsync(IReadOnlyList<InventoryItem> gone, CancellationToken ct)
    {
        if (gone.Count == 0)
            return;
        lock (_gate)
            items.RemoveAll(i => gone.Any(g => g.Kind == i.Kind && g.Id == i.Id));
        await inventory.ForgetManyAsync(cluster, gone, ct);
    }

    public async Task ForgetAsync(InventoryItem item, CancellationToken ct)
    {
        lock (_gate)
            items.RemoveAll(i => i.Kind == item.Kind && i.Id == item.Id);
        await inventory.ForgetAsync(cluster, item, ct);
    }

    /// <summary>Tags for a create through a port: nothing we create exists untagged.</summary>
    public IReadOnlyDictionary<string, string> CreationTags(string name, string role, IReadOnlyDictionary<string, string>? extra = null) =>
        ResourceTags.For(cluster, name, role, extra);

    /// <summary>The tags that find what this cluster (by uid) created in a role (and, where a role has several, by name).</summary>
    public Domain.Ports.OwnedBy OwnedBy(string role, string? name = null)
    {
        var tags = new Dictionary<string, string> { [OwnershipTags.ClusterUid] = cluster.Uid, [ResourceTags.CapaRole] = role };
        if (name is not null)
            tags["Name"] = name;
        return new Domain.Ports.OwnedBy(tags);
    }
}
