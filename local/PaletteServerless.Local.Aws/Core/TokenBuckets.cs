namespace PaletteServerless.Local.Aws.Core;

/// <summary>
/// EC2's token buckets (Amazon EC2 API Reference, "Request throttling for the Amazon EC2 API"), one set per account, region and service.
/// Request buckets, one token a call: Describe/Get/List refill 20/s with a burst of 100, RunInstances 2/s burst 5, other mutating
/// calls 5/s burst 200. Resource buckets, one token an instance, beside the request bucket: RunInstances and StartInstances
/// 1000 refilled 2/s, TerminateInstances and StopInstances 1000 refilled 20/s. Refill follows the clock, so a fake clock
/// controls it. By default the rates are per real second, unscaled by the time scale; with <paramref name="refillScale"/>
/// the time scale, per modelled second, as the latency model's delays are (the large-cluster benchmark's choice).
/// </summary>
public sealed class TokenBuckets(TimeProvider clock, double refillScale = 1)
{
    private readonly Dictionary<(string Account, string Region, string Service, string Category), Bucket> _buckets = [];
    private readonly Lock _sync = new();

    /// <summary>Takes one token for the call; false when the bucket is empty.</summary>
    public bool TryTake(string account, string region, string service, string operation)
    {
        var (category, refillPerSecond, burst) = CategoryOf(operation);
        return TryTake(account, region, service, category, refillPerSecond, burst, 1);
    }

    /// <summary>Takes <paramref name="count"/> tokens of the operation's resource bucket (instances), all or none; true for operations without one.</summary>
    public bool TryTakeResources(string account, string region, string service, string operation, int count) =>
        ResourceBucketOf(operation) is not { } bucket || TryTake(account, region, service, bucket.Category, bucket.RefillPerSecond, bucket.Size, count);

    /// <summary>The resource token bucket of an operation, counting instances; null for operations without one.</summary>
    public static (string Category, double RefillPerSecond, double Size)? ResourceBucketOf(string operation) => operation switch
    {
        "RunInstances" or "StartInstances" => (operation + " instances", 2, 1000),
        "TerminateInstances" or "StopInstances" => (operation + " instances", 20, 1000),
        _ => null,
    };

    private bool TryTake(string account, string region, string service, string category, double refillPerSecond, double burst, int count)
    {
        refillPerSecond *= refillScale;
        var now = clock.GetUtcNow();
        lock (_sync)
        {
            var key = (account, region, service, category);
            if (!_buckets.TryGetValue(key, out var bucket))
            {
                bucket = new Bucket { Tokens = burst, RefilledAt = now };
                _buckets[key] = bucket;
            }
            var elapsed = Math.Max(0, (now - bucket.RefilledAt).TotalSeconds);
            bucket.Tokens = Math.Min(burst, bucket.Tokens + elapsed * refillPerSecond);
            bucket.RefilledAt = now;
            if (bucket.Tokens < count)
                return false;
            bucket.Tokens -= count;
            return true;
        }
    }

    public static (string Category, double RefillPerSecond, double Burst) CategoryOf(string operation) =>
        operation == "RunInstances" ? ("RunInstances", 2, 5)
        : IsReadOnly(operation) ? ("Describe", 20, 100)
        : ("Mutating", 5, 200);

    /// <summary>Describe/Get/List (and S3's Head) calls change nothing.</summary>
    public static bool IsReadOnly(string operation) =>
        operation.StartsWith("Describe", StringComparison.Ordinal)
        || operation.StartsWith("Head", StringComparison.Ordinal)
        || operation.StartsWith("Get", StringComparison.Ordinal)
        || operation.StartsWith("List", StringComparison.Ordinal);

    private sealed class Bucket
    {
        public double Tokens { get; set; }
        public DateTimeOffset RefilledAt { get; set; }
    }
}
