using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using Newtonsoft.Json.Linq;
using PaletteServerless.Local.StepFunctions.Language;

namespace PaletteServerless.Local.StepFunctions.Resources;

/// <summary>
/// The optimized integrations <c>arn:aws:states:::events:putEvents</c> and
/// <c>arn:aws:states:::dynamodb:getItem|putItem|updateItem|deleteItem</c>: the Task's parameters
/// become the AWS JSON request, sent over HTTP to the local AWS endpoint and signed with SigV4
/// (AWSSDK.Core's signing handler). The access key id is the execution's account id, which the
/// local stack maps back to that account. Errors map as Step Functions maps them:
/// "DynamoDB.ConditionalCheckFailedException", "EventBridge.ResourceNotFoundException", ...
/// </summary>
public sealed class AwsServiceIntegrations(Uri endpoint, HttpMessageHandler? transport = null) : ITaskResource, IDisposable
{
    private const string Prefix = "arn:aws:states:::";

    private sealed record Operation(string SigningService, string Target, string ContentType, string ErrorPrefix);

    private static readonly Dictionary<string, Operation> Operations = new(StringComparer.Ordinal)
    {
        ["events:putEvents"] = new("events", "AWSEvents.PutEvents", "application/x-amz-json-1.1", "EventBridge"),
        ["dynamodb:getItem"] = new("dynamodb", "DynamoDB_20120810.GetItem", "application/x-amz-json-1.0", "DynamoDB"),
        ["dynamodb:putItem"] = new("dynamodb", "DynamoDB_20120810.PutItem", "application/x-amz-json-1.0", "DynamoDB"),
        ["dynamodb:updateItem"] = new("dynamodb", "DynamoDB_20120810.UpdateItem", "application/x-amz-json-1.0", "DynamoDB"),
        ["dynamodb:deleteItem"] = new("dynamodb", "DynamoDB_20120810.DeleteItem", "application/x-amz-json-1.0", "DynamoDB"),
    };

    private readonly HttpMessageHandler _transport = transport ?? new SocketsHttpHandler();
    private readonly ConcurrentDictionary<string, HttpClient> _clientsByAccount = new(StringComparer.Ordinal);

    public bool Handles(string resource) =>
        resource.StartsWith(Prefix, StringComparison.Ordinal) && Operations.ContainsKey(resource[Prefix.Length..]);

    public async Task<JToken> InvokeAsync(TaskRequest request, CancellationToken ct)
    {
        var operation = Operations[request.Resource[Prefix.Length..]];
        var body = operation.SigningService == "events" ? PutEventsBody(request.Parameters) : request.Parameters;
        using var message = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new StringContent(JsonText.Print(body), Encoding.UTF8),
        };
        message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(operation.ContentType);
        message.Headers.TryAddWithoutValidation("X-Amz-Target", operation.Target);
        message.Options.Set(new HttpRequestOptionsKey<string>(SigV4SigningHandler.ServiceOptionKey), operation.SigningService);
        message.Options.Set(new HttpRequestOptionsKey<string>(SigV4SigningHandler.RegionOptionKey), request.Region);

        HttpResponseMessage response;
        try
        {
            response = await Client(request.AccountId).SendAsync(message, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new StatesException(StatesErrors.TaskFailed, $"{operation.ErrorPrefix} could not be reached at {endpoint}: {ex.Message}");
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            var requestId = response.Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.First() : Guid.NewGuid().ToString();
            var json = JsonText.TryParse(text, out var parsed) && parsed is JObject document ? document : new JObject();
            if (!response.IsSuccessStatusCode)
            {
                var type = (string?)json["__type"] ?? $"Amazon{operation.ErrorPrefix}Exception";
                var shortType = type[(type.LastIndexOf('#') + 1)..];
                var errorMessage = (string?)json["message"] ?? (string?)json["Message"] ?? text;
                throw new StatesException($"{operation.ErrorPrefix}.{shortType}",
                    $"{errorMessage} (Service: {operation.ErrorPrefix}, Status Code: {(int)response.StatusCode}, Error Code: {shortType}, Request ID: {requestId})");
            }
            var result = json;
            if (operation.SigningService == "events" && (int?)result["FailedEntryCount"] > 0)
                throw new StatesException("EventBridge.FailedEntry", JsonText.Print(result));
            if (operation.SigningService == "dynamodb")
                AddSdkMetadata(result, response, requestId);
            return result;
        }
    }

    /// <summary>Step Functions sends a JSON "Detail" object as the string the PutEvents API expects.</summary>
    private static JToken PutEventsBody(JToken parameters)
    {
        var body = parameters.DeepClone();
        if (body["Entries"] is JArray entries)
            foreach (var entry in entries.OfType<JObject>())
                if (entry["Detail"] is { Type: not JTokenType.String } detail)
                    entry["Detail"] = JsonText.Print(detail);
        return body;
    }

    /// <summary>The AWS SDK for Java metadata Step Functions adds to DynamoDB results.</summary>
    private static void AddSdkMetadata(JObject result, HttpResponseMessage response, string requestId)
    {
        var headers = new JObject();
        var allHeaders = new JObject();
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            headers[name] = values.First();
            allHeaders[name] = new JArray(values);
        }
        result["SdkHttpMetadata"] = new JObject
        {
            ["AllHttpHeaders"] = allHeaders,
            ["HttpHeaders"] = headers,
            ["HttpStatusCode"] = (int)response.StatusCode,
        };
        result["SdkResponseMetadata"] = new JObject { ["RequestId"] = requestId };
    }

    private HttpClient Client(string accountId) => _clientsByAccount.GetOrAdd(accountId, account =>
        new HttpClient(new SigV4SigningHandler(new BasicAWSCredentials(account, "local-step-functions"), RegionEndpoint.USEast1, "dynamodb", _transport), disposeHandler: false));

    public void Dispose()
    {
        foreach (var client in _clientsByAccount.Values)
            client.Dispose();
        _transport.Dispose();
    }
}
