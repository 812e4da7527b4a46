using System.Text.Json.Serialization;

namespace PaletteServerless.Local.Aws.Core;

/// <summary>A ClientToken AWS has seen: the request it belonged to and what that request created.</summary>
public sealed record ClientTokenRecord(string Operation, string Token, string Fingerprint, string ResultId, DateTimeOffset At);

/// <summary>
/// Everything one account owns in one region. Not thread-safe by itself: callers hold
/// <see cref="ResourceStore.Sync"/> around every read-modify-write, so quotas and dependency checks
/// see one consistent world.
/// </summary>
public sealed class AwsWorld
{
    public required string Account { get; init; }
    public required string Region { get; init; }

    /// <summary>The store's lock (<see cref="ResourceStore.Sync"/>), for code that holds only a world.</summary>
    [JsonIgnore]
    public Lock Sync { get; internal set; } = new();

    private readonly Dictionary<string, AwsResource> _resourcesById = new(StringComparer.Ordinal);

    // The same resources by concrete kind, so All<T>() does not scan every resource of the world.
    private readonly Dictionary<Type, Dictionary<string, AwsResource>> _resourcesByKind = [];

    /// <summary>Resources by id. Change them only through <see cref="Add"/> and <see cref="Remove"/>.</summary>
    [JsonIgnore]
    public IReadOnlyDictionary<string, AwsResource> ResourcesById => _resourcesById;

    /// <summary>The persisted form of <see cref="ResourcesById"/>.</summary>
    public List<AwsResource> Resources
    {
        get => [.. _resourcesById.Values];
        init
        {
            foreach (var resource in value)
                Index(resource);
        }
    }

    /// <summary>The <see cref="AwsResource.Sequence"/> of the last resource added.</summary>
    public long LastSequence { get; set; }

    /// <summary>ClientTokens by operation and token, kept so a retried create returns the first result.</summary>
    public Dictionary<string, ClientTokenRecord> ClientTokens { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Adds a resource created now, stamping its account, region and creation time.</summary>
    public T Add<T>(T resource, DateTimeOffset now) where T : AwsResource
    {
        resource.Account = Account;
        resource.Region = Region;
        if (resource.CreatedAt == default)
            resource.CreatedAt = now;
        if (resource.BaseStateSince == default)
            resource.BaseStateSince = now;
        Remove(resource.Id);
        resource.Sequence = ++LastSequence;
        Index(resource);
        return resource;
    }

    public bool Remove(string id)
    {
        if (!_resourcesById.Remove(id, out var resource))
            return false;
        _resourcesByKind[resource.GetType()].Remove(id);
        return true;
    }

    public T? Find<T>(string id) where T : AwsResource =>
        _resourcesById.TryGetValue(id, out var resource) ? resource as T : null;

    /// <summary>Every resource of kind <typeparamref name="T"/> (and its subclasses), in no particular order.</summary>
    public IEnumerable<T> All<T>() where T : AwsResource
    {
        if (typeof(T).IsSealed)
            return _resourcesByKind.TryGetValue(typeof(T), out var kind) ? kind.Values.Cast<T>() : [];
        return _resourcesById.Values.OfType<T>();
    }

    private void Index(AwsResource resource)
    {
        _resourcesById[resource.Id] = resource;
        if (!_resourcesByKind.TryGetValue(resource.GetType(), out var kind))
        {
            kind = new Dictionary<string, AwsResource>(StringComparer.Ordinal);
            _resourcesByKind[resource.GetType()] = kind;
        }
        kind[resource.Id] = resource;
    }

    /// <summary>
    /// Runs <paramref name="create"/> once per ClientToken: a retry with the same parameters gets the
    /// first result's id, a retry with other parameters is refused as AWS refuses it.
    /// Without a token every call creates.
    /// </summary>
    public string Idempotent(string operation, string? clientToken, string fingerprint, DateTimeOffset now, Func<string> create)
    {
        if (string.IsNullOrEmpty(clientToken))
            return create();
        var key = operation + "\n" + clientToken;
        if (ClientTokens.TryGetValue(key, out var seen))
        {
            if (seen.Fingerprint != fingerprint)
            {
                throw new AwsErrorException("IdempotentParameterMismatch",
                    "Arguments on this idempotent request are inconsistent with arguments used in previous request(s).");
            }
            return seen.ResultId;
        }
        var resultId = create();
        ClientTokens[key] = new ClientTokenRecord(operation, clientToken, fingerprint, resultId, now);
        return resultId;
    }

    /// <summary>
    /// Applies what time has decided: resources gone for longer than <paramref name="retention"/>
    /// disappear, and owned resources (network interfaces, volumes) go when their owner has gone.
    /// </summary>
    public void Settle(DateTimeOffset now, TimeSpan retention)
    {
        // Repeat until nothing goes, since an owner that goes can orphan what it owned.
        List<string> gone;
        do
        {
            gone = [];
            foreach (var resource in _resourcesById.Values)
            {
                var expired = !resource.IsLiveAt(now) && now - resource.StateSince(now) >= retention;
                var orphaned = resource.OwnerId is { } ownerId
                    && (!_resourcesById.TryGetValue(ownerId, out var owner) || !owner.IsLiveAt(now));
                if (expired || orphaned)
                    gone.Add(resource.Id);
            }
            foreach (var id in gone)
                Remove(id);
        }
        while (gone.Count > 0);
    }
}
