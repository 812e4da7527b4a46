namespace PaletteServerless.Local.Aws.Core;

/// <summary>The wire protocol a service answers; it decides how the facade routes to it.</summary>
public enum AwsProtocol
{
    /// <summary>Form-encoded <c>Action=...&amp;Version=...</c>; routed by <see cref="ILocalAwsService.RouteKey"/> = the API version.</summary>
    Query,
    /// <summary>JSON 1.0/1.1 with <c>X-Amz-Target: Prefix.Operation</c>; routed by <see cref="ILocalAwsService.RouteKey"/> = the prefix.</summary>
    Json,
    /// <summary>REST with XML bodies (S3): routed by <see cref="ILocalAwsService.RouteKey"/> = the SigV4 signing name; the service names the operation (<see cref="IRestService"/>).</summary>
    RestXml,
}

/// <summary>A REST service: which operation a request is follows from its method, path and query, which only the service knows.</summary>
public interface IRestService
{
    /// <summary>The operation of a request, or an error in the service's own format when it names none the service answers.</summary>
    string OperationOf(LocalAwsRequest request);
}

/// <summary>
/// One AWS service of the local AWS. Implementations in this assembly with a public
/// parameterless constructor are found and registered by <see cref="LocalAws"/> itself,
/// so adding a service is writing one class.
/// </summary>
public interface ILocalAwsService
{
    /// <summary>The SigV4 signing name (<c>ec2</c>, <c>elasticloadbalancing</c>, <c>sts</c>, <c>events</c>, <c>tagging</c>, <c>servicequotas</c>).</summary>
    string ServiceName { get; }

    AwsProtocol Protocol { get; }

    /// <summary>Query: the API version (<c>2016-11-15</c>). JSON: the X-Amz-Target prefix (<c>AWSEvents</c>).</summary>
    string RouteKey { get; }

    AwsErrorStyle ErrorStyle { get; }

    /// <summary>The XML namespace of query responses and errors; null for JSON services.</summary>
    string? XmlNamespace { get; }

    /// <summary>The code of a throttled call: EC2 says <c>RequestLimitExceeded</c>, most others <c>Throttling</c>.</summary>
    string ThrottlingErrorCode { get; }

    /// <summary>
    /// Answers one call. Throw <see cref="AwsErrorException"/> for AWS errors; the facade writes
    /// them in <see cref="ErrorStyle"/>. Hold <see cref="ResourceStore.Sync"/> while touching the store.
    /// </summary>
    Task<LocalAwsResponse> HandleAsync(AwsCall call, CancellationToken cancellationToken);
}

/// <summary>
/// A service whose resources react to time or to each other beyond what
/// <see cref="AwsWorld.Settle"/> does (EC2 unmaps an address whose interface is gone). The facade
/// calls it before it reads a world for the inventory, so the inventory agrees with Describe calls.
/// </summary>
public interface IAppliesTime
{
    void ApplyTime(AwsWorld world, DateTimeOffset now, TimeSpan retention);
}
