using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using PaletteServerless.Aws.Configuration;
using PaletteServerless.Aws.Storage;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Edge;
using PaletteServerless.Local.Node;
using PaletteServerless.Local.StepFunctions.Resources;

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

    private LocalStack(LocalStackOptions options) => Options = options;

    public LocalStackOptions Options { get; }
    public Uri Endpoint => new($"http://127.0.0.1:{Options.Port}");
    public LocalAws LocalAws { get; private set; } = null!;
    public JwtAuthority Tokens { get; private set; } = null!;
    public LambdaRegistry Functions { get; private set; } = null!;

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PaletteServerless.sln")))
                return dir.FullName;
        }
        throw new DirectoryNotFoundException("the repository root (PaletteServerless.sln) was not found above " + AppContext.BaseDirectory);
    }

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
        var root = RepositoryRoot();
        var data = Options.DataDirectory is null ? null : Path.GetFullPath(Options.DataDirectory);

        progress.WriteLine("starting dynalite (DynamoDB) ...");
        var dynalite = await DynaliteProcess.StartAsync(
            Path.Combine(root, "local", "node"), data is null ? null : Path.Combine(data, "dynamodb"), progress, ct);
        _owned.Add(dynalite);

        ApplyFunctionEnvironment();
        using (var dynamo = new AmazonDynamoDBClient(new BasicAWSCredentials("local", "local"), new AmazonDynamoDBConfig { ServiceURL = dynalite.Endpoint.ToString() }))
            await TableSchema.EnsureCreatedAsync(dynamo, TableSchema.DefaultTableName, ct);

        LocalAws = new LocalAws(new LocalAwsOptions
        {
            TimeScale = Options.TimeScale,
            DataDirectory = data is null ? null : Path.Combine(data, "aws"),
            FaultProfilePath = Options.FaultProfilePath,
            FaultSeed = Options.FaultSeed,
            Throttling = Options.Throttling,
        });

        Functions = new LambdaRegistry();
        foreach (var function in FunctionCatalog.All)
            Functions.Register(FunctionArn(function.Name), function.Handler, FunctionEnvironment(function));

        Tokens = new JwtAuthority($"{Endpoint}local", TimeProvider.System);
        var proxyClient = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        var awsEdge = new AwsEdge(dynalite.Endpoint, StepFunctionsNotRunning, LocalAws, proxyClient);
        var apiEdge = new ApiGatewayEdge(Tokens, Functions, FunctionArn(FunctionCatalog.Api.Name), Options.AccountId);
        var localRoutes = new LocalRoutes(Tokens, LocalAws);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(Endpoint.ToString());
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 16 * 1024 * 1024);
        _app = builder.Build();
        _app.Run(context =>
            context.Request.Path.StartsWithSegments("/local") ? localRoutes.HandleAsync(context)
            : AwsEdge.IsAwsRequest(context.Request) ? awsEdge.HandleAsync(context)
            : apiEdge.HandleAsync(context));
        await _app.StartAsync(ct);
        _owned.Add(_app);
    }

    public string FunctionArn(string functionName) =>
        $"arn:aws:lambda:{Options.Region}:{Options.AccountId}:function:palette-{functionName.ToLowerInvariant()}";

    public string StateMachineArn(string name) => $"arn:aws:states:{Options.Region}:{Options.AccountId}:stateMachine:{name}";

    /// <summary>What the functions read, with the values the local stack gives them (CDK gives the AWS ones).</summary>
    private IReadOnlyDictionary<string, string> FunctionEnvironment(FunctionDefinition function)
    {
        var values = new Dictionary<string, string>
        {
            [EnvironmentNames.TableName] = TableSchema.DefaultTableName,
            [EnvironmentNames.ProvisionStateMachineArn] = StateMachineArn("palette-provision-cluster"),
            [EnvironmentNames.DeleteStateMachineArn] = StateMachineArn("palette-delete-cluster"),
            [EnvironmentNames.EventBusName] = "palette-serverless",
            [EnvironmentNames.Region] = Options.Region,
        };
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
    }

    private static Task<LocalAwsResponse> StepFunctionsNotRunning(LocalAwsRequest request, CancellationToken ct) =>
        Task.FromResult(new LocalAwsResponse(400, "application/x-amz-json-1.0",
            "{\"__type\":\"StateMachineDoesNotExist\",\"message\":\"the local Step Functions engine is not running\"}"u8.ToArray(),
            new Dictionary<string, string>()));

    public async ValueTask DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
            await _owned[i].DisposeAsync();
        _owned.Clear();
        Tokens?.Dispose();
    }
}
