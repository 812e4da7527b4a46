namespace PaletteServerless.Local.Aws.Core;

/// <summary>One authenticated, routed request, with everything a service needs to answer it.</summary>
public sealed class AwsCall
{
    public required LocalAwsRequest Request { get; init; }

    /// <summary>The operation name: the query <c>Action</c> or the part of X-Amz-Target after the dot.</summary>
    public required string Operation { get; init; }

    public required string Account { get; init; }
    public required string Region { get; init; }
    public required string AccessKeyId { get; init; }
    public required string RequestId { get; init; }

    /// <summary>The request's parameters for query services; empty for JSON services (read <see cref="LocalAwsRequest.Body"/>).</summary>
    public required QueryParameters Parameters { get; init; }

    /// <summary>The local AWS answering, for the store, clock, latency, faults and cross-service calls.</summary>
    public required LocalAws Aws { get; init; }

    /// <summary>The clock's time when the call arrived; use it for every state read in the call.</summary>
    public required DateTimeOffset Now { get; init; }

    /// <summary>Who signed the call, when the local IAM issued its credentials; null: the account's administrator.</summary>
    public PaletteServerless.Local.Aws.Iam.IamPrincipal? Principal { get; init; }

    /// <summary>The caller's account and region; hold <see cref="ResourceStore.Sync"/> while using it.</summary>
    public AwsWorld World => Aws.Store.World(Account, Region);
}
