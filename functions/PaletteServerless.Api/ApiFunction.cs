using System.Text;
using System.Text.Json;
using Amazon.DynamoDBv2;
using PaletteServerless.Api.Endpoints;
using PaletteServerless.Api.Http;
using PaletteServerless.Aws.Clients;
using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Configuration;
using PaletteServerless.Aws.Observability;
using PaletteServerless.Aws.Storage;
using PaletteServerless.Aws.Workflows;
using PaletteServerless.Domain.Changes;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Profiles;
using PaletteServerless.Domain.VirtualClusters;
using PaletteServerless.Manifest;

namespace PaletteServerless.Api;

/// <summary>
/// The API's one Lambda entry point (handler string in <see cref="FunctionCatalog.Api"/>): takes an
/// API Gateway HTTP API payload 2.0 event, returns the 2.0 response. It only parses, routes, calls
/// the domain and maps the result or the domain's exception to a status.
/// </summary>
public sealed class ApiFunction
{
    private readonly Router _router;

    // Bodies go to HTTP clients as application/json, never into HTML: '+' and non-ASCII need no escaping.
    private static readonly JsonSerializerOptions BodyJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The Lambda runtime's constructor: configuration from the environment, real AWS clients.</summary>
    public ApiFunction() : this(FromEnvironment())
    {
    }

    public ApiFunction(ApiRoutes routes)
    {
        _router = new Router(routes.All());
    }

    public IReadOnlyList<Route> Routes => _router.Routes;

    public async Task<Stream> Handle(Stream input)
    {
        var response = await HandleAsync(input, CancellationToken.None);
        return new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(response, ApiJsonContext.Default.HttpApiResponse));
    }

    public async Task<HttpApiResponse> HandleAsync(Stream input, CancellationToken ct)
    {
        HttpApiRequest? apiEvent;
        try
        {
            apiEvent = await JsonSerializer.DeserializeAsync(input, ApiJsonContext.Default.HttpApiRequest, ct);
        }
        catch (JsonException ex)
        {
            // Not a client error: API Gateway always sends a well-formed event. Fail loudly in the logs.
            JsonLog.Write("ERROR", $"unreadable API Gateway event: {ex.Message}");
            return Respond(Problem.Of(500, "the request event could not be read", null), null);
        }
        var request = new ApiRequest(apiEvent ?? new HttpApiRequest());
        var started = TimeProvider.System.GetTimestamp();
        var response = await RouteAsync(request, ct);
        // One line per request (the access log's twin, in the function's own log group): never a body or a header.
        JsonLog.Write(response.StatusCode >= 500 ? "ERROR" : "INFO", $"{request.Method} {request.Path} {response.StatusCode}",
        [
            new("requestId", request.RequestId), new("method", request.Method), new("path", request.Path),
            new("status", response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("durationMs", TimeProvider.System.GetElapsedTime(started).TotalMilliseconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)),
        ]);
        return response;
    }

    private async Task<HttpApiResponse> RouteAsync(ApiRequest request, CancellationToken ct)
    {
        try
        {
            var (route, allowed) = _router.Find(request);
            if (route is null)
            {
                return allowed.Count > 0
                    ? Respond(Problem.Of(405, $"{request.Method} is not allowed on {request.Path}; use {string.Join(", ", allowed)}", request.Path), new() { ["Allow"] = string.Join(", ", allowed) })
                    : Respond(Problem.Of(404, $"no route for {request.Method} {request.Path}", request.Path), null);
            }
            var result = await route.Handler(request, ct);
            return new HttpApiResponse
            {
                StatusCode = result.Status,
                Headers = WithContentType(result.Headers, result.Body is null ? null : "application/json"),
                Body = result.Body?.ToJsonString(BodyJson),
            };
        }
        catch (Exception ex)
        {
            return Respond(ToProblem(ex, request), null);
        }
    }

    private static Problem ToProblem(Exception ex, ApiRequest request) => ex switch
    {
        ValidationFailedException v => Problem.Of(400, "the request is not valid: see errors", request.Path, [.. v.Errors]),
        UnauthenticatedException u => Problem.Of(401, ex.Message, request.Path, u.Claim is { } claim ? [claim] : null),
        ForbiddenException f => Problem.Of(403, ex.Message, request.Path, f.Errors.Count == 0 ? null : [.. f.Errors]),
        NotFoundException => Problem.Of(404, ex.Message, request.Path),
        ConflictException => Problem.Of(409, ex.Message, request.Path),
        PayloadTooLargeException => Problem.Of(413, ex.Message, request.Path),
        UnsupportedMediaTypeException => Problem.Of(415, ex.Message, request.Path),
        ServiceUnavailableException s => Unavailable(s, request),
        // The caller may read, but the cloud account's AWS role refused the product: an upstream's answer, not the caller's role.
        CloudAccessDeniedException => Problem.Of(502, ex.Message, request.Path),
        // The table or an AWS service is throttling or failing: nothing the client did; retrying is right.
        Amazon.Runtime.AmazonServiceException aws when (int)aws.StatusCode >= 500
            || aws.ErrorCode is "ThrottlingException" or "RequestLimitExceeded" or "ProvisionedThroughputExceededException"
            => Unavailable(new ServiceUnavailableException("a dependency is busy; try again", aws), request),
        Domain.Ports.CloudServiceException { Transient: true } cloud => Unavailable(new ServiceUnavailableException("a dependency is busy; try again", cloud), request),
        _ => Unexpected(ex, request),
    };

    private static Problem Unavailable(ServiceUnavailableException ex, ApiRequest request)
    {
        JsonLog.Write("WARN", $"503 {request.Method} {request.Path}: {ex.Message}: {ex.Dependency?.Message}", [new("requestId", request.RequestId)]);
        return Problem.Of(503, ex.Message, request.Path);
    }

    private static Problem Unexpected(Exception ex, ApiRequest request)
    {
        JsonLog.Write("ERROR", $"500 {request.Method} {request.Path}: {ex.GetType().Name}: {ex.Message}",
            [new("requestId", request.RequestId), new("errorType", ex.GetType().FullName), new("stackTrace", ex.StackTrace)]);
        return Problem.Of(500, $"an unexpected error occurred; quote request id {request.RequestId} when reporting it", request.Path);
    }

    private static HttpApiResponse Respond(Problem problem, Dictionary<string, string>? headers) => new()
    {
        StatusCode = problem.Status,
        Headers = WithContentType(headers, "application/problem+json"),
        Body = JsonSerializer.Serialize(problem, ApiJsonContext.Default.Problem),
    };

    private static Dictionary<string, string> WithContentType(Dictionary<string, string>? headers, string? contentType)
    {
        var result = new Dictionary<string, string>(headers ?? []);
        if (contentType is not null)
            result["Content-Type"] = contentType;
        return result;
    }

    private static ApiRoutes FromEnvironment()
    {
        var settings = FunctionSettings.FromEnvironment();
        var clock = TimeProvider.System;
        var sessions = new AwsCloudSessionOpener(clock, settings.ProductAccountId);
        // The SDK reads credentials, region and AWS_ENDPOINT_URL from the environment, as in Lambda.
        var dynamo = new AmazonDynamoDBClient();
        var store = new DynamoDbStore(dynamo, settings.TableName, clock);
        var options = new AwsClientOptions(settings.Region);
        var stepFunctions = new StepFunctionsClient(options);
        var events = new EventBridgeClient(options);
        var workflows = new StepFunctionsWorkflowStarter(stepFunctions, settings.ProvisionStateMachineArn, settings.DeleteStateMachineArn, settings.UpdateStateMachineArn);
        var inventory = new DynamoDbInventoryStore(dynamo, settings.TableName);
        var forceDeleter = new ForceDeleteWorkflow(stepFunctions, settings.ForceDeleteStateMachineArn);
        var virtualClusters = new DynamoDbVirtualClusterStore(dynamo, settings.TableName);
        var backupCatalog = new BackupCatalog(sessions, inventory, clock);
        var backupArn = Environment.GetEnvironmentVariable(EnvironmentNames.BackupStateMachineArn) is { Length: > 0 } arn
            ? arn : throw new InvalidOperationException($"environment variable {EnvironmentNames.BackupStateMachineArn} is not set; the deployment (CDK or the local stack) must set it");
        return new ApiRoutes(
            new ClusterService(store, store, store, workflows, forceDeleter, new CloudPreflight(sessions), clock, backupCatalog),
            new CloudAccountService(store, store, clock, new CloudAccountRules(settings.ProductAccountId, CloudAccountRules.ParseTenants(settings.RoleLessTenants))),
            new ProfileService(store, store, clock),
            new OrphanService(store, store, new OrphanSweeper(sessions, inventory, clock), new SweepWorkflow(stepFunctions, settings.SweepOrphansStateMachineArn), settings.Region),
            new KubeconfigService(store, store, new ClusterCredentials(sessions, inventory), store, clock),
            clock,
            new ClusterChangeService(store, store, store, workflows, new InventoryNodes(inventory), clock, virtualClusters, backupCatalog),
            new CloudAccountResourceService(store, new CloudAccountReader(sessions)),
            new ClusterNodeService(store, store, inventory, new ClusterInstances(sessions)),
            new VirtualClusterService(store, store, store, virtualClusters, new VirtualClusterCloud(sessions, inventory, clock), clock),
            new Domain.Backups.BackupService(store, store, backupCatalog, new BackupWorkflow(stepFunctions, backupArn), clock),
            new Domain.Backups.ScanService(store, store, new ScanCatalog(sessions, inventory, clock), new BackupWorkflow(stepFunctions, backupArn), clock));
    }
}
