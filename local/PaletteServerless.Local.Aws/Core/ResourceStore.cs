using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace PaletteServerless.Local.Aws.Core;

/// <summary>
/// Every resource of every service, account and region. One lock guards it all: the local AWS
/// serves a handful of callers, and one lock makes quota and dependency checks trivially atomic.
/// </summary>
public sealed class ResourceStore
{
    private readonly Dictionary<(string Account, string Region), AwsWorld> _worlds = [];

    /// <summary>Hold this around every read-modify-write of any world. It is reentrant.</summary>
    public Lock Sync { get; } = new();

    /// <summary>The world of one account in one region, created empty on first use.</summary>
    public AwsWorld World(string account, string region)
    {
        lock (Sync)
        {
            if (!_worlds.TryGetValue((account, region), out var world))
            {
                world = new AwsWorld { Account = account, Region = region, Sync = Sync };
                _worlds[(account, region)] = world;
            }
            return world;
        }
    }

    /// <summary>A copy of the list of worlds; read their contents under <see cref="Sync"/>.</summary>
    public IReadOnlyList<AwsWorld> Worlds
    {
        get
        {
            lock (Sync)
                return [.. _worlds.Values];
        }
    }

    /// <summary>Every resource still alive at <paramref name="now"/>, after settling each world.</summary>
    public IReadOnlyList<AwsResource> LiveResources(DateTimeOffset now, TimeSpan retention, IEnumerable<IAppliesTime>? services = null)
    {
        lock (Sync)
        {
            var live = new List<AwsResource>();
            foreach (var world in _worlds.Values)
            {
                world.Settle(now, retention);
                foreach (var service in services ?? [])
                    service.ApplyTime(world, now, retention);
                live.AddRange(world.ResourcesById.Values.Where(r => r.IsLiveAt(now)));
            }
            return live;
        }
    }

    /// <summary>Writes the whole store to <paramref name="path"/> atomically: a reader never sees half a file.</summary>
    public void Save(string path)
    {
        byte[] json;
        lock (Sync)
            json = JsonSerializer.SerializeToUtf8Bytes(new Snapshot([.. _worlds.Values]), SnapshotJson);
        var temporary = path + ".tmp";
        File.WriteAllBytes(temporary, json);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Replaces the store's contents with the snapshot at <paramref name="path"/>, if there is one.</summary>
    public bool Load(string path)
    {
        if (!File.Exists(path))
            return false;
        var snapshot = JsonSerializer.Deserialize<Snapshot>(File.ReadAllBytes(path), SnapshotJson)
            ?? throw new InvalidDataException($"The local AWS snapshot {Path.GetFileName(path)} is empty.");
        lock (Sync)
        {
            _worlds.Clear();
            foreach (var world in snapshot.Worlds)
            {
                world.Sync = Sync;
                _worlds[(world.Account, world.Region)] = world;
            }
        }
        return true;
    }

    private sealed record Snapshot(List<AwsWorld> Worlds);

    /// <summary>
    /// Snapshot JSON: each resource carries its concrete kind, so every service's resource classes
    /// round-trip without the store knowing them. Kinds are found once in this assembly.
    /// </summary>
    private static readonly JsonSerializerOptions SnapshotJson = CreateSnapshotJson();

    private static JsonSerializerOptions CreateSnapshotJson()
    {
        var kinds = typeof(AwsResource).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(AwsResource)) && !t.IsAbstract)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .ToList();
        var resolver = new DefaultJsonTypeInfoResolver();
        resolver.Modifiers.Add(typeInfo =>
        {
            if (typeInfo.Type != typeof(AwsResource))
                return;
            typeInfo.PolymorphismOptions = new JsonPolymorphismOptions { TypeDiscriminatorPropertyName = "$kind" };
            foreach (var kind in kinds)
                typeInfo.PolymorphismOptions.DerivedTypes.Add(new JsonDerivedType(kind, kind.Name));
        });
        return new JsonSerializerOptions
        {
            TypeInfoResolver = resolver,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
    }
}
