using System.Text.Json.Serialization;

namespace PaletteServerless.Domain.Changes;

/// <summary>Where a node is in its life, as the update sees it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<NodeState>))]
public enum NodeState
{
    /// <summary>Asked for, not yet a healthy member of the cluster.</summary>
    Launching,
    /// <summary>Running and passing its health check: it serves.</summary>
    Healthy,
    /// <summary>Running but failing its health check (or never joined): it serves nothing.</summary>
    Unhealthy,
    /// <summary>Termination asked for; it still exists until the cloud reports it gone.</summary>
    Terminating,
}

/// <summary>One node of a pool: its instance id, zone, launch time, the launch fingerprint it was made with, and its state.</summary>
public sealed record PoolNode(string Id, string Pool, string Zone, DateTimeOffset LaunchedAt, string Fingerprint, NodeState State);

/// <summary>Keeps a pool's nodes spread evenly over its zones.</summary>
public static class ZoneBalance
{
    /// <summary>
    /// Zones for <paramref name="count"/> new nodes: each goes to the zone with the fewest nodes so far, ties to
    /// the zone listed first. With no zones (the caller knows none) every placement is "".
    /// </summary>
    public static IReadOnlyList<string> PlaceNew(IReadOnlyList<string> zones, IEnumerable<string> existingZones, int count)
    {
        if (count <= 0)
            return [];
        if (zones.Count == 0)
            return Enumerable.Repeat("", count).ToList();
        var perZone = zones.ToDictionary(z => z, _ => 0, StringComparer.Ordinal);
        foreach (var zone in existingZones)
        {
            if (perZone.ContainsKey(zone))
                perZone[zone]++;
        }
        var placed = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var zone = zones.MinBy(z => perZone[z])!;
            perZone[zone]++;
            placed.Add(zone);
        }
        return placed;
    }

    /// <summary>
    /// The order in which to remove nodes on scale-in: always from the zone that has the most of them, and there
    /// the oldest first (ties by id, so the order is stable), so the zones stay balanced.
    /// </summary>
    public static IReadOnlyList<PoolNode> ScaleInOrder(IEnumerable<PoolNode> nodes)
    {
        var byZone = nodes.GroupBy(n => n.Zone, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => new Queue<PoolNode>(g.OrderBy(n => n.LaunchedAt).ThenBy(n => n.Id, StringComparer.Ordinal)), StringComparer.Ordinal);
        var order = new List<PoolNode>();
        while (byZone.Count > 0)
        {
            // The zone holding the most; ties go to the zone whose oldest node is oldest, then by zone name.
            var zone = byZone.OrderByDescending(z => z.Value.Count).ThenBy(z => z.Value.Peek().LaunchedAt).ThenBy(z => z.Key, StringComparer.Ordinal).First();
            order.Add(zone.Value.Dequeue());
            if (zone.Value.Count == 0)
                byZone.Remove(zone.Key);
        }
        return order;
    }
}
