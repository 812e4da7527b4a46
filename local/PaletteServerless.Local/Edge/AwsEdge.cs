using Microsoft.AspNetCore.Http;
using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Edge;

/// <summary>Answers one AWS wire-protocol request: returns the status, content type, headers and body.</summary>
public delegate Task<LocalAwsResponse> AwsServiceHandler(LocalAwsRequest request, CancellationToken ct);

/// <summary>
/// The AWS side of the one edge endpoint: a signed request is routed by its protocol, so a user
/// points any AWS client at one URL. DynamoDB goes to dynalite, Step Functions to the local
/// engine, everything else (EC2, ELBv2, STS, EventBridge, SSM, tagging, Service Quotas, S3) to the local AWS.
/// </summary>
public sealed class AwsEdge(Uri dynamoDbEndpoint, AwsServiceHandler stepFunctions, LocalAws localAws, HttpClient proxyClient, RequestCounters counters,
    Iam.EdgeAuthorization authorization)
{
    public static bool IsAwsRequest(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith("AWS4-HMAC-SHA256", StringComparison.Ordinal)
        || request.Headers.ContainsKey("X-Amz-Target")
        || request.Query.ContainsKey("X-Amz-Credential");

    public async Task HandleAsync(HttpContext context)
    {
        var request = await ReadAsync(context);
        var target = request.Header("X-Amz-Target") ?? "";
        var ct = context.RequestAborted;
        // S3 is REST: its body is an object, not a form to read an Action from.
        counters.Count(target.Length > 0 ? target : SigV4Credential.From(request) is { Service: "s3" } ? $"s3/{request.Method}" : QueryAction(request));
        var edgeService = target.StartsWith("DynamoDB_20120810.", StringComparison.Ordinal) || target.StartsWith("AWSStepFunctions.", StringComparison.Ordinal);
        var response = edgeService && await authorization.RefuseAsync(request, ct) is { } refusal ? refusal
            : target.StartsWith("DynamoDB_20120810.", StringComparison.Ordinal)
            ? await ProxyToDynamoDbAsync(request, ct)
            : target.StartsWith("AWSStepFunctions.", StringComparison.Ordinal)
                ? await stepFunctions(request, ct)
                : await localAws.HandleAsync(request, ct);
        context.Response.StatusCode = response.StatusCode;
        context.Response.ContentType = response.ContentType;
        foreach (var (name, value) in response.Headers)
            context.Response.Headers[name] = value;
        await context.Response.Body.WriteAsync(response.Body, ct);
    }

    /// <summary>"Version/Action" of a query-protocol request, e.g. "2016-11-15/RunInstances".</summary>
    private static string QueryAction(LocalAwsRequest request)
    {
        var form = System.Web.HttpUtility.ParseQueryString(System.Text.Encoding.UTF8.GetString(request.Body));
        return $"{form["Version"]}/{form["Action"]}";
    }

    private static async Task<LocalAwsRequest> ReadAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var headers = context.Request.Headers.Select(h => new KeyValuePair<string, string>(h.Key, h.Value.ToString()));
        var query = context.Request.QueryString.HasValue ? context.Request.QueryString.Value![1..] : "";
        return LocalAwsRequest.Create(context.Request.Method, context.Request.Path.Value ?? "/", query, headers, buffer.ToArray());
    }

    /// <summary>Forwards the request as it came (the signature is not re-checked by dynalite) and relays the answer.</summary>
    private async Task<LocalAwsResponse> ProxyToDynamoDbAsync(LocalAwsRequest request, CancellationToken ct)
    {
        using var forward = new HttpRequestMessage(HttpMethod.Post, dynamoDbEndpoint) { Content = new ByteArrayContent(request.Body) };
        foreach (var (name, value) in request.Headers)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                continue;
            if (!forward.Headers.TryAddWithoutValidation(name, value))
                forward.Content.Headers.TryAddWithoutValidation(name, value);
        }
        using var answer = await proxyClient.SendAsync(forward, ct);
        var body = await answer.Content.ReadAsByteArrayAsync(ct);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in answer.Headers)
        {
            if (name.StartsWith("x-amz", StringComparison.OrdinalIgnoreCase))
                headers[name] = string.Join(',', values);
        }
        var contentType = answer.Content.Headers.ContentType?.ToString() ?? "application/x-amz-json-1.0";
        return new LocalAwsResponse((int)answer.StatusCode, contentType, body, headers);
    }
}
