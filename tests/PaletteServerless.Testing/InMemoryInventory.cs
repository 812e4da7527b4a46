using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Testing;

/// <summary>The inventory as a list: what the kinds record and forget, for tests of the kinds and steps.</summary>
public sealed class InMemoryInventory : IInventoryStore
{
    public List<InventoryItem> Items { get; } = [];

    // The product records a batch's instances side by side, as the table takes them.
    private readonly Lock _sync = new();

    public Task RecordAsync(Cluster cluster, InventoryItem item, CancellationToken ct)
    {
        lock (_sync)
        {
            Items.RemoveAll(i => i.Kind == item.Kind && i.Id == item.Id);
            Items.Add(item);
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<InventoryItem>> ListAsync(Cluster cluster, CancellationToken ct)
    {
        lock (_sync)
            return Task.FromResult<IReadOnlyList<InventoryItem>>([.. Items]);
    }

    public Task ForgetAsync(Cluster cluster, InventoryItem item, CancellationToken ct)
    {
        lock (_sync)
            Items.RemoveAll(i => i.Kind == item.Kind && i.Id == item.Id);
        return Task.CompletedTask;
    }

    public async Task RecordManyAsync(Cluster cluster, IReadOnlyList<InventoryItem> items, CancellationToken ct)
    {
        foreach (var item in items)
            await RecordAsync(cluster, item, ct);
    }

    public async Task ForgetManyAsync(Cluster cluster, IReadOnlyList<InventoryItem> items, CancellationToken ct)
    {
        foreach (var item in items)
            await ForgetAsync(cluster, item, ct);
    }

    public InventoryItem Add(string kind, string id, string role = "common", string? zone = null, Dictionary<string, string>? attributes = null)
    {
        var item = new InventoryItem { Kind = kind, Id = id, Role = role, AvailabilityZone = zone, Name = id, Attributes = attributes, RecordedAt = DateTimeOffset.UnixEpoch };
        Items.Add(item);
        return item;
    }
}
