using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PaletteServerless.Aws.Storage;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Edge;
using PaletteServerless.Local.Node;
using PaletteServerless.Aws.Clients;
using PaletteServerless.Local.StepFunctions.Api;
using PaletteServerless.Local.StepFunctions.Execution;
using PaletteServerless.Local.StepFunctions.Resources;
using PaletteServerless.Local.StepFunctions.Store;
using PaletteServerless.Manifest;

namespace PaletteServerless.Local;

/// <summary>
/// The product on one machine: dynalite for DynamoDB, the local AWS, the local Step Functions
/// engine and the API function, all behind one loopback endpoint that speaks the same protocols
/// as AWS. The product's code is the deployed code; only the endpoint differs.
/// </summary>
public sealed class LocalStack : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];
    private WebApplication? _app;

    // Port 0: the port chosen at start, held so no other process takes it while the stack starts (seconds).
    private LoopbackPortReservation? _port;

    private LocalStack(LocalStackOptions options)
    {
        Options = options;
        if (options.Port == 0)
            _port = LoopbackPortReservation.Take();
        Endpoint = new Uri($"http://127.0.0.1:{_port?.Port ?? options.Port}");
    }

    public LocalStackOptions Options { get; }
    public Uri Endpoint { get; }
    public LocalAws LocalAws { get; private set; } = null!;
    public JwtAuthority Tokens { get; private set; } = null!;
    public LambdaRegistry Functions { get; private set; } = null!;
    public RequestCounters Counters { get; } = new();
    public StepCrashes Crashes { get; private set; } = null!;

    public static async Task<LocalStack> StartAsync(LocalStackOptions options, TextWriter progress, CancellationToken ct)
    {
        var stack = new LocalStack(options);
        try
        {
            await stack.StartCoreAsync(progress, ct);
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    private async Task StartCoreAsync(TextWriter progress, CancellationToken ct)
    {
        var root = RepositoryLayout.FindRootOfBinaries();
        var data = Options.DataDirectory is null ? null : Path.GetFullPath(Options.DataDirectory);

        progress.WriteLine("starting dynalite (DynamoDB) ...");
        var dynalite = await DynaliteProcess.StartAsync(
            RepositoryLayout.NodeToolsDirectory(root), data is null ? null : Path.Combine(data, "dynamodb"), progress, ct);
        _owned.Add(dynalite);

        // Before the environment changes: the SDK's default chain must pick our provider up afresh.
        Iam.InvocationCredentials.Install();
        ApplyFunctionEnvironment();
        var dynamo = new AmazonDynamoDBClient(new BasicAWSCredentials("local", "local"), new AmazonDynamoDBConfig { ServiceURL = dynalite.Endpoint.ToString() });
        await TableSchema.EnsureCreatedAsync(dynamo, TableSchema.DefaultTableName, ct);
        var executions = new DynamoDbExecutionStore(dynamo);
        await executions.EnsureTableAsync(ct);

        LocalAws = new LocalAws(new LocalAwsOptions
        {
            TimeScale = Options.TimeScale,
            DataDirectory = data is null ? null : Path.Combine(data, "aws"),
            FaultProfilePath = Options.FaultProfilePath,
            FaultSeed = Options.FaultSeed,
            NodeNeverReportsRate = Options.NodeNeverReportsRate,
            PacksFailureRate = Options.PacksFailureRate,
            Throttling = Options.Throttling,
            ThrottlingInModelledTime = Options.ThrottlingInModelledTime,
            OnDemandVcpuQuota = Options.OnDemandVcpuQuota,
            SpotInterruptionRate = Options.SpotInterruptionRate,
            InstanceImpairmentRate = Options.InstanceImpairmentRate,
        });

        var sts = LocalAws.Services.OfType<PaletteServerless.Local.Aws.Sts.StsService>().Single();
        if (Options.StsRolesPath is { } roles)
            sts.Roles.LoadFile(roles);
        // Role-less cloud accounts assume the product account's own cluster-builder role, which needs no external id.
        if (Options.RoleLessTenants.Length > 0)
            sts.Roles.Seed(new PaletteServerless.Local.Aws.Sts.StsRole(Options.AccountId, PaletteServerless.Local.Aws.Sts.StsRoleCatalog.DefaultRoleName, null, Options.AccountId));

        Functions = new LambdaRegistry();
        foreach (var function in FunctionCatalog.All)
            Functions.Register(FunctionArn(function.Name), function.Handler, FunctionEnvironment(function));

        var evaluator = await IamEvaluatorProcess.StartAsync(RepositoryLayout.NodeToolsDirectory(root), progress, ct);
        _owned.Add(evaluator);
        var templates = await Iam.SynthesizedTemplates.LoadAsync(root, progress, ct);
        // The target stacks tenants deployed (kept with the data, as deployed stacks outlive a restart).
        var targetStacks = new Iam.TargetStacks(sts.Roles, Options.AccountId, data);
        var deployment = await Iam.LocalIamSetup.DeployAsync(templates, new PaletteServerless.Local.Aws.Iam.PolicyEvaluator(evaluator.Endpoint),
            Options, Functions, FunctionArn, sts.Roles, targetStacks.Of, Console.Error, ct);
        targetStacks.DeployIam = deployment.DeployTarget;
        LocalAws.Iam = deployment.Iam;
        _stateMachineRoles = deployment.StateMachineRoleArns;
        progress.WriteLine(Options.Iam ? "IAM is enforced: GET /local/iam/principals, GET /local/iam/denials" : "IAM is not enforced (--iam off)");

        // EventBridge invokes Lambda targets asynchronously: the same functions the workflows call, by name.
        LocalAws.LambdaInvoker = (functionArn, payload, ct) => Functions.InvokeAsync(functionArn, payload, ct);

        var integrations = new AwsServiceIntegrations(Endpoint);
        Crashes = new StepCrashes(Functions);
        Crashes.UseRate(Options.StepCrashRate, Options.FaultSeed ?? 0);
        Engine = new StepFunctionsEngine(executions, new TaskResourceRegistry(new Iam.InvokeAuthorization(Crashes, () => LocalAws.Iam), integrations), TimeProvider.System, Options.TimeScale);
        _owned.Add(Engine);
        await RegisterStateMachinesAsync(root, ct);
        var stepFunctionsApi = new StepFunctionsApi(Engine);

        Tokens = new JwtAuthority($"{Endpoint}local", TimeProvider.System);
        var proxyClient = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        var awsEdge = new AwsEdge(dynalite.Endpoint, (request, token) => AnswerStepFunctionsAsync(stepFunctionsApi, LocalAws, request, token), LocalAws, proxyClient, Counters,
            new Iam.EdgeAuthorization(LocalAws));
        var apiEdge = new ApiGatewayEdge(Tokens, Functions, FunctionArn(FunctionCatalog.Api.Name), Options.AccountId);
        var localRoutes = new LocalRoutes(Tokens, LocalAws, targetStacks);
        // The console polls every 2 modelled seconds, and at least twice a second.
        var console = new ConsoleSite(RepositoryLayout.ConsoleDirectory(root), Math.Max(500, 2000 / Options.TimeScale));

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, HostedByLocalStack>();
        builder.WebHost.UseUrls(Endpoint.ToString());
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 16 * 1024 * 1024);
        _app = builder.Build();
        _app.Run(context =>
            context.Request.Path.StartsWithSegments("/local") ? localRoutes.HandleAsync(context)
            : AwsEdge.IsAwsRequest(context.Request) ? awsEdge.HandleAsync(context)
            : console.Serves(context.Request) ? console.HandleAsync(context)
            : apiEdge.HandleAsync(context));
        _port?.Dispose();
        _port = null;
        await _app.StartAsync(ct);
        _owned.Insert(0, _app);
        // Last: executions resumed from --data call the functions, which call this endpoint.
        await CreateEventBusAsync(ct);
        await CreateEventRulesAsync(ct);
        await Engine.StartAsync(ct);
    }

    public StepFunctionsEngine Engine { get; private set; } = null!;

    // The role CDK gives each state machine: the engine invokes its functions as that role.
    private IReadOnlyDictionary<string, string> _stateMachineRoles = new Dictionary<string, string>();

    /// <summary>Every statemachines/*.asl.json of the catalog, with its ${Placeholders} filled as CDK fills them.</summary>
    private async Task RegisterStateMachinesAsync(string root, CancellationToken ct)
    {
        var placeholders = StateMachineCatalog.Placeholders(f => FunctionArn(f.Name), TableSchema.DefaultTableName, ClusterEvents.BusName);
        foreach (var machine in StateMachineCatalog.All)
        {
            var path = RepositoryLayout.StateMachineFile(root, machine);
            var definition = StateMachineCatalog.Substitute(await File.ReadAllTextAsync(path, ct), placeholders);
            await Engine.PutStateMachineAsync(Options.AccountId, Options.Region, machine.Name, definition,
                _stateMachineRoles[machine.Name], ct);
        }
    }

    /// <summary>The product's bus, created over the wire as a deployment would (the product itself only puts events).</summary>
    private async Task CreateEventBusAsync(CancellationToken ct)
    {
        using var events = new AwsJsonProtocolClient(AwsService.EventBridge, "1.1",
            new AwsClientOptions(Options.Region) { Endpoint = Endpoint, Credentials = new BasicAWSCredentials(Options.AccountId, "local") });
        try
        {
            await events.InvokeAsync("AWSEvents.CreateEventBus", new System.Text.Json.Nodes.JsonObject { ["Name"] = ClusterEvents.BusName },
                LocalJsonContext.Default.JsonNode, LocalJsonContext.Default.JsonNode, ct);
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == "ResourceAlreadyExistsException")
        {
            // Persisted from an earlier run.
        }
    }

    /// <summary>
    /// The rules of <see cref="EventRuleCatalog"/>, created over the wire as CDK's deployment creates them: on their
    /// bus, with their pattern or schedule, and the function's ARN as target. PutRule and PutTargets replace what a
    /// persisted run left, so a restart converges to the catalog.
    /// </summary>
    private async Task CreateEventRulesAsync(CancellationToken ct)
    {
        using var events = new AwsJsonProtocolClient(AwsService.EventBridge, "1.1",
            new AwsClientOptions(Options.Region) { Endpoint = Endpoint, Credentials = new BasicAWSCredentials(Options.AccountId, "local") });
        foreach (var rule in EventRuleCatalog.All)
        {
            var putRule = new System.Text.Json.Nodes.JsonObject
            {
                ["Name"] = rule.Name,
                ["EventBusName"] = rule.Bus,
                ["Description"] = rule.Description,
                ["State"] = "ENABLED",
            };
            if (rule.EventPattern is { } pattern)
                putRule["EventPattern"] = pattern;
            if (rule.ScheduleExpression is { } schedule)
                putRule["ScheduleExpression"] = schedule;
            await events.InvokeAsync("AWSEvents.PutRule", putRule, LocalJsonContext.Default.JsonNode, LocalJsonContext.Default.JsonNode, ct);
            var putTargets = new System.Text.Json.Nodes.JsonObject
            {
                ["Rule"] = rule.Name,
                ["EventBusName"] = rule.Bus,
                ["Targets"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["Id"] = rule.Target.Name, ["Arn"] = FunctionArn(rule.Target.Name) }),
            };
            await events.InvokeAsync("AWSEvents.PutTargets", putTargets, LocalJsonContext.Default.JsonNode, LocalJsonContext.Default.JsonNode, ct);
        }
    }

    private static async Task<LocalAwsResponse> AnswerStepFunctionsAsync(StepFunctionsApi api, LocalAws localAws, LocalAwsRequest request, CancellationToken ct)
    {
        var credential = SigV4Credential.From(request);
        var principal = credential is null || localAws.Iam is null ? null
            : await localAws.Iam.FindAsync(credential.AccessKeyId, request.Header("X-Amz-Security-Token"), localAws.Clock.GetUtcNow(), ct);
        var (status, body) = await api.HandleAsync(
            principal?.Account ?? credential?.AccountFromKey ?? SigV4Credential.DefaultAccount, credential?.Region ?? "us-east-1",
            request.Header("X-Amz-Target") ?? "", System.Text.Encoding.UTF8.GetString(request.Body), ct);
        return new LocalAwsResponse(status, StepFunctionsApi.ContentType, System.Text.Encoding.UTF8.GetBytes(body),
            new Dictionary<string, string> { ["x-amzn-RequestId"] = Guid.NewGuid().ToString() });
    }

    public string FunctionArn(string functionName) =>
        $"arn:aws:lambda:{Options.Region}:{Options.AccountId}:function:palette-{functionName.ToLowerInvariant()}";

    public string StateMachineArn(string name) => $"arn:aws:states:{Options.Region}:{Options.AccountId}:stateMachine:{name}";

    /// <summary>What the functions read, with the values the local stack gives them (CDK gives the AWS ones).</summary>
    private IReadOnlyDictionary<string, string> FunctionEnvironment(FunctionDefinition function)
    {
        var values = PaletteServerless.Manifest.FunctionEnvironment.Values(m => StateMachineArn(m.Name), TableSchema.DefaultTableName, ClusterEvents.BusName,
            Options.AccountId, Options.RoleLessTenants);
        values[EnvironmentNames.Region] = Options.Region;
        return function.EnvironmentVariables.ToDictionary(name => name, name => values[name]);
    }

    /// <summary>
    /// What the Lambda service would give every function: a region and credentials. The AWS SDK and
    /// our clients then reach this stack through AWS_ENDPOINT_URL, the SDKs' standard override.
    /// </summary>
    private void ApplyFunctionEnvironment()
    {
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL", Endpoint.ToString().TrimEnd('/'));
        Environment.SetEnvironmentVariable("AWS_REGION", Options.Region);
        Environment.SetEnvironmentVariable("AWS_DEFAULT_REGION", Options.Region);
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", Options.AccountId);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "local-secret");
        Environment.SetEnvironmentVariable("AWS_SESSION_TOKEN", null);
        Environment.SetEnvironmentVariable("AWS_LAMBDA_LOG_LEVEL", Options.FunctionLogLevel);
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
            await _owned[i].DisposeAsync();
        _owned.Clear();
        _port?.Dispose();
        Tokens?.Dispose();
        LocalAws?.Dispose();
    }
}
