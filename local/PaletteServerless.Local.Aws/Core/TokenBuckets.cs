namespace PaletteServerless.Local.Aws.Core;

/// <summary>
/// EC2's request token buckets (Amazon EC2 API Reference, "Request throttling for the Amazon EC2 API"), one set per account, region and service:
/// Describe/Get/List refill 20/s with a burst of 100, RunInstances 2/s burst 5, other mutating
/// calls 5/s burst 200. Refill follows the clock, so a fake clock controls it. Refill rates are
/// real AWS rates and are not scaled by the time scale: throttling is about request rates.
/// </summary>
public sealed class TokenBuckets(TimeProvider clock)
{
    private readonly Dictionary<(string Account, string Region, string Service, string Category), Bucket> _buckets = [];
    private readonly Lock _sync = new();

    /// <summary>Takes one token for the call; false when the bucket is empty.</summary>
    public bool TryTake(string account, string region, string service, string operation)
    {
        var (category, refillPerSecond, burst) = CategoryOf(operation);
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
            if (bucket.Tokens < 1)
                return false;
            bucket.Tokens -= 1;
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
