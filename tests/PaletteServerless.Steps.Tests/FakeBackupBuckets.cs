using System.Text;
using PaletteServerless.Domain.Ports;

namespace PaletteServerless.Steps.Tests;

/// <summary>
/// The cloud account's buckets in memory, as <see cref="IBackupBuckets"/> promises them: a make of a bucket this account
/// owns is done again (its tags, protections and retention put again), of one another account owns is
/// BucketAlreadyExists; another account's bucket is unreachable to a status read; a missing bucket lists nothing and reads
/// null; folders are the names one '/' under a prefix, each once, in key order; a delete refuses a bucket holding
/// objects and counts a missing one as done. A test can seed buckets and objects, make an operation fail with an AWS
/// error code (<see cref="Fail"/>), or act just before a delete (<see cref="BeforeDelete"/>: a writer getting there
/// first). Every call is logged in <see cref="Calls"/> as "operation bucket[/key]".
/// </summary>
public sealed class FakeBackupBuckets : IBackupBuckets
{
    /// <summary>One bucket: its tags, whether its protections are on, its lifecycle's retention, its objects by key.</summary>
    public sealed record Bucket(IReadOnlyDictionary<string, string> Tags, bool Protected, int? RetentionDays, SortedDictionary<string, StoredObject> Objects, bool Foreign = false);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CloudServiceException> _failures = new(StringComparer.Ordinal);
    private readonly List<string> _calls = [];

    /// <summary>Runs with the name of every bucket delete, before the store looks at it.</summary>
    public Action<string>? BeforeDelete { get; set; }

    public IReadOnlyDictionary<string, Bucket> Buckets { get { lock (_gate) return new Dictionary<string, Bucket>(_buckets, StringComparer.Ordinal); } }

    public IReadOnlyList<string> Calls { get { lock (_gate) return [.. _calls]; } }

    /// <summary>A bucket as if made earlier, unprotected; <paramref name="foreign"/>: another account owns it.</summary>
    public void SeedBucket(string name, bool foreign = false)
    {
        lock (_gate)
            _buckets[name] = new Bucket(new Dictionary<string, string>(), false, null, new SortedDictionary<string, StoredObject>(StringComparer.Ordinal), foreign);
    }

    /// <summary>Writes an object into an existing bucket (as Velero or kube-bench would).</summary>
    public void Put(string bucket, string key, byte[] content, DateTimeOffset? at = null)
    {
        lock (_gate)
            _buckets[bucket].Objects[key] = new StoredObject(content, at ?? DateTimeOffset.UnixEpoch);
    }

    public void Put(string bucket, string key, string text, DateTimeOffset? at = null) => Put(bucket, key, Encoding.UTF8.GetBytes(text), at);

    public void RemoveObjects(string bucket)
    {
        lock (_gate)
            _buckets[bucket].Objects.Clear();
    }

    /// <summary>Makes every later call of <paramref name="operation"/> (ensure, status, folders, read, delete) fail with AWS's <paramref name="code"/>.</summary>
    public void Fail(string operation, string code, bool transient = false)
    {
        lock (_gate)
            _failures[operation] = new CloudServiceException(code, $"{code} (test)", transient);
    }

    public Task EnsureAsync(ProtectedBucket bucket, CancellationToken ct)
    {
        lock (_gate)
        {
            Enter("ensure", bucket.Name);
            if (bucket.RetentionDays < 1)
                throw new CloudServiceException("InvalidArgument", "'Days' for Expiration action must be a positive integer", false);
            var objects = new SortedDictionary<string, StoredObject>(StringComparer.Ordinal);
            if (_buckets.TryGetValue(bucket.Name, out var existing))
            {
                if (existing.Foreign)
                    throw new CloudServiceException("BucketAlreadyExists", "The requested bucket name is not available.", false);
                objects = existing.Objects;
            }
            _buckets[bucket.Name] = new Bucket(new Dictionary<string, string>(bucket.Tags, StringComparer.Ordinal), true, bucket.RetentionDays, objects);
            return Task.CompletedTask;
        }
    }

    public Task<BucketStatus> StatusAsync(string bucket, CancellationToken ct)
    {
        lock (_gate)
        {
            Enter("status", bucket);
            return Task.FromResult(!_buckets.TryGetValue(bucket, out var found) ? new BucketStatus(BucketState.Missing)
                : found.Foreign ? new BucketStatus(BucketState.Unreachable, "AccessDenied: Access Denied (test)")
                : new BucketStatus(found.Objects.Count > 0 ? BucketState.HoldsObjects : BucketState.Empty));
        }
    }

    public Task<IReadOnlyList<string>> ListFoldersAsync(string bucket, string prefix, CancellationToken ct)
    {
        lock (_gate)
        {
            Enter("folders", $"{bucket}/{prefix}");
            if (!_buckets.TryGetValue(bucket, out var found))
                return Task.FromResult<IReadOnlyList<string>>([]);
            if (found.Foreign)
                throw new CloudServiceException("AccessDenied", "Access Denied (test)", false);
            IReadOnlyList<string> names = [.. found.Objects.Keys
                .Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && k.IndexOf('/', prefix.Length) > prefix.Length)
                .Select(k => k[prefix.Length..k.IndexOf('/', prefix.Length)])
                .Distinct(StringComparer.Ordinal)];
            return Task.FromResult(names);
        }
    }

    public Task<StoredObject?> ReadAsync(string bucket, string key, CancellationToken ct)
    {
        lock (_gate)
        {
            Enter("read", $"{bucket}/{key}");
            if (_buckets.TryGetValue(bucket, out var found) && found.Foreign)
                throw new CloudServiceException("AccessDenied", "Access Denied (test)", false);
            return Task.FromResult(found is not null && found.Objects.TryGetValue(key, out var stored) ? stored : null);
        }
    }

    public Task<bool> DeleteIfEmptyAsync(string bucket, CancellationToken ct)
    {
        BeforeDelete?.Invoke(bucket);
        lock (_gate)
        {
            Enter("delete", bucket);
            if (!_buckets.TryGetValue(bucket, out var found))
                return Task.FromResult(true);
            if (found.Foreign)
                throw new CloudServiceException("AccessDenied", "Access Denied (test)", false);
            if (found.Objects.Count > 0)
                return Task.FromResult(false);
            _buckets.Remove(bucket);
            return Task.FromResult(true);
        }
    }

    private void Enter(string operation, string what)
    {
        _calls.Add($"{operation} {what}");
        if (_failures.TryGetValue(operation, out var failure))
            throw failure;
    }
}
