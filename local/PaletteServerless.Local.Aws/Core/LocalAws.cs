using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using PaletteServerless.Local.Aws.Iam;

namespace PaletteServerless.Local.Aws.Core;

/// <summary>
/// The local AWS: the one entry point the local stack's HTTP edge calls for every AWS request
/// that is not DynamoDB or Step Functions. It authenticates (any SigV4 key is accepted; a
/// 12-digit key id names the account), routes by protocol to a service, injects the faults,
/// throttling and latency the options ask for, and persists the store after mutating calls.
/// </summary>
public sealed class LocalAws : IDisposable
{
    /// <summary>How often, on the clock, <see cref="Tick"/> runs by itself.</summary>
    public static readonly TimeSpan TickPeriod = TimeSpan.FromMilliseconds(200);

    private readonly Dictionary<string, ILocalAwsService> _queryServicesByVersion = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ILocalAwsService> _jsonServicesByTargetPrefix = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ILocalAwsService> _restServicesBySigningName = new(StringComparer.Ordinal);
    private readonly List<ILocalAwsService> _services = [];
    private readonly ConcurrentDictionary<string, string> _accountsByIssuedKey = new(StringComparer.Ordinal);
    private readonly TokenBuckets _buckets;

    /// <summary>
    /// Takes an operation's resource tokens (instances) when throttling is on; else, or for an operation without a
    /// resource bucket, nothing. Throws EC2's RequestLimitExceeded (503) when the bucket holds too few.
    /// </summary>
    public void TakeResourceTokens(string account, string region, string operation, int count)
    {
        if (Options.Throttling && count > 0 && !_buckets.TryTakeResources(account, region, "ec2", operation, count))
        {
            Interlocked.Increment(ref _throttledCalls);
            throw new AwsErrorException("RequestLimitExceeded", "Request limit exceeded.", 503);
        }
    }

    private long _throttledCalls;

    /// <summary>Calls the token buckets refused (request or resource buckets), since the start.</summary>
    public long ThrottledCalls => Interlocked.Read(ref _throttledCalls);
    private readonly Lock _saveSync = new();
    private readonly ITimer _ticker;

    public LocalAws(LocalAwsOptions? options = null, TimeProvider? clock = null)
    {
        Options = options ?? new LocalAwsOptions();
        Clock = clock ?? TimeProvider.System;
        Latency = new LatencyModel(Options);
        var profile = WithRateOverrides(Options.FaultProfile ?? (Options.FaultProfilePath is { } path ? FaultProfile.Load(path) : null)) ?? new FaultProfile();
        profile = profile with
        {
            NodeNeverReportsRate = Options.NodeNeverReportsRate ?? profile.NodeNeverReportsRate,
            PacksFailureRate = Options.PacksFailureRate ?? profile.PacksFailureRate,
        };
        Faults = new FaultInjector(profile, Options.FaultSeed);
        _buckets = new TokenBuckets(Clock, Options.ThrottlingInModelledTime && Options.TimeScale > 0 ? Options.TimeScale : 1);
        foreach (var service in DiscoverServices())
            Register(service);
        if (Options.DataDirectory is { } directory)
        {
            Directory.CreateDirectory(directory);
            Store.Load(SnapshotPath!);
        }
        // Last: a tick reads the store and the services.
        _ticker = Clock.CreateTimer(_ => TickOrReport(), null, TickPeriod, TickPeriod);
    }

    /// <summary>Raised when a timed change fails; the next tick tries again.</summary>
    public event Action<Exception>? TickFailed;

    // An exception escaping a timer callback would end the whole process: a failed tick is reported
    // and the next one tries again, as a request that fails leaves the service serving.
    private void TickOrReport()
    {
        try
        {
            Tick();
        }
        catch (Exception failure)
        {
            if (TickFailed is { } report)
                report(failure);
            else
                Console.Error.WriteLine($"local AWS: a timed change failed and is tried again at the next tick: {failure.GetType().Name}: {failure.Message}");
        }
    }

    /// <summary>
    /// What time decides by itself: EC2 announces the states instances reached, interrupts and
    /// impairs instances at the fault profile's rates; EventBridge fires scheduled rules. Runs
    /// every <see cref="TickPeriod"/> of the clock (a fake clock runs it as it advances).
    /// </summary>
    public void Tick()
    {
        var now = Clock.GetUtcNow();
        lock (Store.Sync)
        {
            foreach (var service in _services.OfType<ITicks>())
                service.Tick(this, now);
        }
    }

    /// <summary>Invokes the local stack's functions for EventBridge targets that are Lambda ARNs; null: such targets are only logged.</summary>
    public LambdaInvoker? LambdaInvoker { get; set; }

    /// <summary>Puts an event a service sends by itself on the default bus of its account and region.</summary>
    public void PutServiceEvent(ServiceEvent serviceEvent)
    {
        foreach (var bus in _services.OfType<IServiceEventBus>())
            bus.PutServiceEvent(this, serviceEvent);
    }

    public void Dispose() => _ticker.Dispose();

    private FaultProfile? WithRateOverrides(FaultProfile? profile)
    {
        if (Options.SpotInterruptionRate is null && Options.InstanceImpairmentRate is null)
            return profile;
        profile ??= new FaultProfile();
        return profile with
        {
            SpotInterruptionRate = Options.SpotInterruptionRate ?? profile.SpotInterruptionRate,
            InstanceImpairmentRate = Options.InstanceImpairmentRate ?? profile.InstanceImpairmentRate,
        };
    }

    public LocalAwsOptions Options { get; }
    public TimeProvider Clock { get; }
    public ResourceStore Store { get; } = new();
    public LatencyModel Latency { get; }
    /// <summary>The faults in force; tests and the soak may swap the profile while the stack runs.</summary>
    public FaultInjector Faults { get; set; }
    public IReadOnlyList<ILocalAwsService> Services => _services;

    /// <summary>EC2's offer to the other services (subnet lookups, network interfaces of load balancers).</summary>
    public IEc2Network Network =>
        _services.OfType<IEc2Network>().FirstOrDefault()
        ?? throw new InvalidOperationException("No EC2 service is registered in this local AWS.");

    /// <summary>How long terminated or deleted resources stay describable, scaled.</summary>
    public TimeSpan TerminalRetention => Latency.Scale(Options.TerminalRetention);

    public string? SnapshotPath =>
        Options.DataDirectory is { } directory ? Path.Combine(directory, LocalAwsOptions.SnapshotFileName) : null;

    /// <summary>Adds a service; discovered services are added by the constructor already.</summary>
    public void Register(ILocalAwsService service)
    {
        var routes = service.Protocol switch
        {
            AwsProtocol.Query => _queryServicesByVersion,
            AwsProtocol.RestXml => _restServicesBySigningName,
            _ => _jsonServicesByTargetPrefix,
        };
        if (!routes.TryAdd(service.RouteKey, service))
            throw new InvalidOperationException($"Two local AWS services answer {service.Protocol} route '{service.RouteKey}'.");
        _services.Add(service);
    }

    /// <summary>
    /// Makes an access key id (issued by STS, say) act in <paramref name="account"/>; keys not
    /// registered follow the 12-digit rule of <see cref="SigV4Credential.AccountFromKey"/>.
    /// </summary>
    public void RegisterAccessKey(string accessKeyId, string account) => _accountsByIssuedKey[accessKeyId] = account;

    public async Task<LocalAwsResponse> HandleAsync(LocalAwsRequest request, CancellationToken cancellationToken)
    {
        var requestId = Guid.NewGuid().ToString();
        var target = request.Header("X-Amz-Target");
        var credential = SigV4Credential.From(request);
        // A REST service (S3) is named by the request's signing name; its body is no form.
        var rest = target is null && credential is not null && _restServicesBySigningName.TryGetValue(credential.Service, out var restService) ? restService : null;
        var parameters = target is null && rest is null ? QueryParameters.FromRequest(request) : QueryParameters.Empty;
        if (credential is null)
            return Unsigned(request, target, parameters, requestId);

        ILocalAwsService service;
        string operation;
        if (rest is not null)
        {
            service = rest;
            try
            {
                operation = ((IRestService)rest).OperationOf(request);
            }
            catch (AwsErrorException error)
            {
                return WithoutBodyForHead(request, AwsErrors.Format(error, rest.ErrorStyle, requestId, rest.XmlNamespace));
            }
        }
        else if (!TryRoute(target, parameters, out service, out operation, out var routingError))
            return routingError(requestId);

        var principal = Iam is null ? null : await Iam.FindAsync(credential.AccessKeyId, request.Header("X-Amz-Security-Token"), Clock.GetUtcNow(), cancellationToken);
        var call = new AwsCall
        {
            Principal = principal,
            Request = request,
            Operation = operation,
            Account = principal?.Account ?? (_accountsByIssuedKey.TryGetValue(credential.AccessKeyId, out var issued) ? issued : credential.AccountFromKey),
            Region = credential.Region,
            AccessKeyId = credential.AccessKeyId,
            RequestId = requestId,
            Parameters = parameters,
            Aws = this,
            Now = Clock.GetUtcNow(),
        };
        try
        {
            await AuthorizeAsync(service, call, cancellationToken);
            ThrowInjectedFaults(service, call);
            var delay = Latency.Of(TokenBuckets.IsReadOnly(operation) ? LatencyModel.ReadCall : LatencyModel.MutatingCall);
            if (delay > TimeSpan.Zero)
                await Task.Delay(delay, cancellationToken);
            var response = await service.HandleAsync(call, cancellationToken);
            if (!TokenBuckets.IsReadOnly(operation))
                Save();
            return response;
        }
        catch (AwsErrorException error)
        {
            return WithoutBodyForHead(request, AwsErrors.Format(error, service.ErrorStyle, requestId, service.XmlNamespace, JsonContentType(request)));
        }
        catch (Exception unexpected) when (unexpected is not OperationCanceledException)
        {
            // A defect of the local AWS still answers in the protocol, so clients show what broke.
            var error = new AwsErrorException("InternalError", $"The local AWS failed on {operation}: {unexpected.GetType().Name}: {unexpected.Message}", 500);
            return WithoutBodyForHead(request, AwsErrors.Format(error, service.ErrorStyle, requestId, service.XmlNamespace, JsonContentType(request)));
        }
    }

    /// <summary>Writes the store to the data directory, if there is one.</summary>
    public void Save()
    {
        if (SnapshotPath is not { } path)
            return;
        lock (_saveSync)
            Store.Save(path);
    }

    /// <summary>Every live resource of every account and region: what <c>GET /local/inventory</c> serves.</summary>
    public LocalAwsInventory Inventory()
    {
        var now = Clock.GetUtcNow();
        var resources = Store.LiveResources(now, TerminalRetention, _services.OfType<IAppliesTime>());
        return new LocalAwsInventory([.. resources
            .OrderBy(r => r.Account, StringComparer.Ordinal)
            .ThenBy(r => r.Region, StringComparer.Ordinal)
            .ThenBy(r => r.Type, StringComparer.Ordinal)
            .ThenBy(r => r.Sequence)
            .Select(r => new InventoryResource(r.Account, r.Region, r.Type, r.Id, r.Arn, r.StateAt(now), new Dictionary<string, string>(r.Tags)))]);
    }

    private bool TryRoute(
        string? target, QueryParameters parameters,
        out ILocalAwsService service, out string operation, out Func<string, LocalAwsResponse> error)
    {
        service = null!;
        operation = "";
        error = null!;
        if (target is not null)
        {
            var dot = target.IndexOf('.');
            if (dot > 0 && _jsonServicesByTargetPrefix.TryGetValue(target[..dot], out var json))
            {
                service = json;
                operation = target[(dot + 1)..];
                return true;
            }
            error = id => AwsErrors.Json(new AwsErrorException("UnknownOperationException", $"No local AWS service answers X-Amz-Target '{target}'."), id, "application/x-amz-json-1.1");
            return false;
        }
        if (parameters["Action"] is not { Length: > 0 } action)
        {
            error = id => AwsErrors.Query(new AwsErrorException("MissingAction", "The request must contain the parameter Action."), id, null);
            return false;
        }
        if (parameters["Version"] is { } version && _queryServicesByVersion.TryGetValue(version, out var query))
        {
            service = query;
            operation = action;
            return true;
        }
        error = id => AwsErrors.Query(new AwsErrorException("InvalidAction", $"The action {action} is not valid for version '{parameters["Version"]}' of any local AWS service."), id, null);
        return false;
    }

    /// <summary>IAM: set by the local stack; null or disabled, every call is answered.</summary>
    public LocalIam? Iam { get; set; }

    /// <summary>
    /// AWS authorizes a request before it acts on it: every check the service's map lists must be
    /// allowed for the caller, else the service's own refusal (EC2 UnauthorizedOperation with an
    /// encoded message, AccessDenied of query services, AccessDeniedException of JSON services).
    /// </summary>
    private async Task AuthorizeAsync(ILocalAwsService service, AwsCall call, CancellationToken ct)
    {
        if (Iam is not { Enabled: true } iam || call.Principal is not { } principal)
            return;
        await iam.EnsureAccountAsync(call.Account, ct);
        IReadOnlyList<AuthorizationCheck>? checks = null;
        if (service is IAuthorizesRequests map)
        {
            lock (Store.Sync)
                checks = map.Authorizations(call);
        }
        var denial = checks is null
            ? iam.Deny(principal.Name, principal.SessionArn, $"{service.ServiceName}:{call.Operation}", "*",
                $"the local IAM does not know how {service.ServiceName} authorizes {call.Operation}, so it allows it to no principal", isExplicit: false)
            : await iam.AuthorizeAsync(principal, checks, ct);
        if (denial is not null)
            throw AccessDenied(service, denial);
    }

    /// <summary>A denial in the service's wire format.</summary>
    public static AwsErrorException AccessDenied(ILocalAwsService service, IamDenial denial) => service.ErrorStyle switch
    {
        AwsErrorStyle.Ec2 => new AwsErrorException("UnauthorizedOperation",
            $"You are not authorized to perform this operation. {denial.Message}. Encoded authorization failure message: {AuthorizationMessages.Encode(denial)}", 403),
        AwsErrorStyle.Query => new AwsErrorException("AccessDenied", denial.Message, 403),
        // S3 writes the same explanation into its AccessDenied for callers of the bucket's own account.
        AwsErrorStyle.S3 => new AwsErrorException("AccessDenied", denial.Message, 403),
        _ => new AwsErrorException("AccessDeniedException", denial.Message, 400),
    };

    private void ThrowInjectedFaults(ILocalAwsService service, AwsCall call)
    {
        if (Faults.Strikes(call.Operation, FaultInjector.InternalError))
            throw new AwsErrorException("InternalError", "An internal error has occurred.", 500);
        if (Faults.Strikes(call.Operation, FaultInjector.ServiceUnavailable))
            throw new AwsErrorException("ServiceUnavailable", "The service is unavailable. Please try again shortly.", 503);
        var throttled = Faults.Strikes(call.Operation, FaultInjector.RequestLimitExceeded)
            // The token buckets model EC2's published rates (Amazon EC2 API Reference, "Request throttling for the Amazon EC2 API"); other services have their own, far higher ones.
            || (Options.Throttling && service.ServiceName == "ec2" && !_buckets.TryTake(call.Account, call.Region, service.ServiceName, call.Operation));
        if (throttled)
        {
            Interlocked.Increment(ref _throttledCalls);
            throw service.ThrottlingErrorCode switch
            {
                "RequestLimitExceeded" => new AwsErrorException("RequestLimitExceeded", "Request limit exceeded.", 503),
                // S3's throttling is 503 SlowDown.
                "SlowDown" => new AwsErrorException("SlowDown", "Please reduce your request rate.", 503),
                var code => new AwsErrorException(code, "Rate exceeded", service.ErrorStyle == AwsErrorStyle.Ec2 ? 503 : 400),
            };
        }
    }

    // AWS refuses an unsigned request before it knows the operation; answer in the caller's protocol.
    private LocalAwsResponse Unsigned(LocalAwsRequest request, string? target, QueryParameters parameters, string requestId)
    {
        var error = new AwsErrorException("MissingAuthenticationToken", "Request is missing Authentication Token", 403);
        if (target is not null)
            return AwsErrors.Json(error, requestId, JsonContentType(request));
        return parameters["Version"] is { } version && _queryServicesByVersion.TryGetValue(version, out var service)
            ? AwsErrors.Format(error, service.ErrorStyle, requestId, service.XmlNamespace)
            : AwsErrors.Query(error, requestId, null);
    }

    // A response to HEAD has no body: S3's errors to HeadBucket and HeadObject are the status alone.
    private static LocalAwsResponse WithoutBodyForHead(LocalAwsRequest request, LocalAwsResponse response) =>
        request.Method == "HEAD" ? response with { Body = [] } : response;

    private static string JsonContentType(LocalAwsRequest request) =>
        request.Header("Content-Type") is { } type && type.StartsWith("application/x-amz-json-1.0", StringComparison.OrdinalIgnoreCase)
            ? "application/x-amz-json-1.0"
            : "application/x-amz-json-1.1";

    private static IEnumerable<ILocalAwsService> DiscoverServices() =>
        typeof(LocalAws).Assembly.GetTypes()
            .Where(t => typeof(ILocalAwsService).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false })
            .Where(t => t.GetConstructor(Type.EmptyTypes) is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (ILocalAwsService)Activator.CreateInstance(t)!);
}

/// <summary>One live resource in the inventory.</summary>
public sealed record InventoryResource(
    [property: JsonPropertyName("account")] string Account,
    [property: JsonPropertyName("region")] string Region,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("arn")] string Arn,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("tags")] IReadOnlyDictionary<string, string> Tags);

/// <summary>The inventory served on <c>GET /local/inventory</c>.</summary>
public sealed record LocalAwsInventory([property: JsonPropertyName("resources")] IReadOnlyList<InventoryResource> Resources)
{
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this);
}
