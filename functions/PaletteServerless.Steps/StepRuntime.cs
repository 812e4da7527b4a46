using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Amazon.DynamoDBv2;
using PaletteServerless.Aws.Clients;
using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Configuration;
using PaletteServerless.Aws.Observability;
using PaletteServerless.Aws.Storage;
using PaletteServerless.Aws.Workflows;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Profiles;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Steps;

/// <summary>
/// What every step shares, built once per Lambda container from its environment: the table's
/// stores, the status writer, the clock. Steps run through <see cref="RunAsync"/>, which parses the
/// input, loads the cluster and serializes the result.
/// </summary>
public sealed class StepRuntime(
    IClusterStore clusters, ICloudAccountStore accounts, IProfileStore profiles, IInventoryStore inventory,
    ClusterStatusWriter status, StepFunctionsClient stepFunctions, ICloudSessionOpener sessions, TimeProvider clock,
    TextWriter? log = null, string? logLevel = null, Domain.VirtualClusters.IVirtualClusterStore? virtualClusters = null)
{
    private readonly StepLog _log = new(log ?? FunctionOutput.Writer, clock, logLevel);

    private static readonly Lazy<StepRuntime> FromEnvironmentOnce = new(Build);

    public IClusterStore Clusters => clusters;
    public ClusterStatusWriter Status => status;
    public StepFunctionsClient StepFunctions => stepFunctions;
    public TimeProvider Clock => clock;
    public ICloudSessionOpener Sessions => sessions;
    /// <summary>The clusters' virtual cluster records (removed with their cluster); null where a test gives none.</summary>
    public Domain.VirtualClusters.IVirtualClusterStore? VirtualClusters => virtualClusters;

    public static StepRuntime FromEnvironment() => FromEnvironmentOnce.Value;

    /// <summary>A step's view of a cluster outside a workflow run (the remediation triggers), disposed by the caller.</summary>
    public StepContext ContextFor(Domain.Clusters.Cluster cluster, [CallerFilePath] string functionSource = "") => new(this,
        new StepInput { Tenant = cluster.Scope.Tenant, Project = cluster.Scope.Project, Cluster = cluster.Name, Uid = cluster.Uid },
        cluster.Scope, accounts, profiles, inventory, FunctionName(functionSource));

    private static StepRuntime Build()
    {
        string Required(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value : throw new InvalidOperationException($"environment variable {name} is not set");
        var region = Required(EnvironmentNames.Region);
        var clock = TimeProvider.System;
        var dynamo = new AmazonDynamoDBClient();
        var table = Required(EnvironmentNames.TableName);
        var store = new DynamoDbStore(dynamo, table, clock);
        var options = new AwsClientOptions(region);
        return new StepRuntime(store, store, store, new DynamoDbInventoryStore(dynamo, table),
            new ClusterStatusWriter(store, new EventBridgeClient(options), Required(EnvironmentNames.EventBusName), clock),
            new StepFunctionsClient(options), new AwsCloudSessionOpener(clock, Required(EnvironmentNames.ProductAccountId)), clock, logLevel: StepLog.LevelFromEnvironment(),
            virtualClusters: new DynamoDbVirtualClusterStore(dynamo, table));
    }

    /// <summary>
    /// Runs one step and writes one JSON log line about it. The step's name is its source file's
    /// name: every step lives in a file named after its class, and no handler has to repeat it.
    /// </summary>
    public async Task<Stream> RunAsync(Stream input, Func<StepContext, CancellationToken, Task<StepResult>> step, [CallerFilePath] string stepSource = "")
    {
        var message = await JsonSerializer.DeserializeAsync(input, StepJsonContext.Default.StepInput)
            ?? throw new ArgumentException("the step input is empty");
        await using var context = new StepContext(this, message, new ProjectScope(message.Tenant, message.Project), accounts, profiles, inventory, FunctionName(stepSource));
        return await RunLoggedAsync(StepName(stepSource), message, async () =>
            JsonSerializer.SerializeToUtf8Bytes(await step(context, CancellationToken.None), StepJsonContext.Default.StepResult));
    }

    /// <summary>
    /// Runs one step of the orphan sweep, which works on a project rather than one cluster; it logs
    /// the orphaned cluster it removes, if any, as a cluster step logs its cluster.
    /// </summary>
    public async Task<Stream> RunSweepAsync<TResult>(
        Stream input, JsonTypeInfo<TResult> resultType, Func<SweepStep, CancellationToken, Task<TResult>> step, [CallerFilePath] string stepSource = "")
    {
        var message = await JsonSerializer.DeserializeAsync(input, StepJsonContext.Default.SweepStepInput)
            ?? throw new ArgumentException("the step input is empty");
        var logAs = new StepInput
        {
            Tenant = message.Tenant, Project = message.Project, Execution = message.Execution,
            Cluster = message.Group?.Name ?? "(orphan sweep)", Uid = message.Group?.Uid ?? message.Sweep,
        };
        var sweep = new SweepStep(message, new ProjectScope(message.Tenant, message.Project), clusters, accounts, inventory);
        return await RunLoggedAsync(StepName(stepSource), logAs, async () =>
            JsonSerializer.SerializeToUtf8Bytes(await step(sweep, CancellationToken.None), resultType));
    }

    private static string StepName(string stepSource) => Path.GetFileNameWithoutExtension(stepSource.Replace('\\', '/'));

    /// <summary>The catalog name of the function a handler's file serves: NetworkStep.cs is Network, HealthSweepFunction.cs HealthSweep.</summary>
    public static string FunctionName(string handlerSource)
    {
        var name = StepName(handlerSource);
        foreach (var suffix in new[] { "Step", "Function" })
            if (name.EndsWith(suffix, StringComparison.Ordinal))
                return name[..^suffix.Length];
        return name;
    }

    private async Task<Stream> RunLoggedAsync(string stepName, StepInput message, Func<Task<byte[]>> run)
    {
        var started = clock.GetTimestamp();
        byte[] result;
        try
        {
            result = await run();
        }
        catch (Exception ex) when (CloudErrors.IsTransient(ex) || CloudErrors.IsNotFound(ex))
        {
            // Throttling, a server error, or an id not yet visible: the workflow's Retry takes it from here.
            var transient = new TransientCloudException($"{CloudErrors.Code(ex) ?? ex.GetType().Name}: {ex.Message}", ex);
            _log.Write(stepName, message, started, transient);
            throw transient;
        }
        catch (Exception ex)
        {
            _log.Write(stepName, message, started, ex);
            throw;
        }
        _log.Write(stepName, message, started, null);
        return new MemoryStream(result);
    }
}

/// <summary>One sweep step's view: the project, the stores, and the sweep's input.</summary>
public sealed record SweepStep(SweepStepInput Input, ProjectScope Scope, IClusterStore Clusters, ICloudAccountStore Accounts, IInventoryStore Inventory);

/// <summary>One step's view of its cluster: loaded on demand, the cloud session opened at most once.</summary>
/// <param name="function">The catalog name of the running function: its sessions get its own actions only.</param>
public sealed class StepContext(StepRuntime runtime, StepInput input, ProjectScope scope, ICloudAccountStore accounts, IProfileStore profiles, IInventoryStore inventory, string function)
    : IAsyncDisposable
{
    private Cluster? _cluster;
    private ICloudSession? _cloud;

    public StepInput Input => input;
    public ProjectScope Scope => scope;
    public StepRuntime Runtime => runtime;

    public async Task<Cluster> ClusterAsync(CancellationToken ct) =>
        _cluster ??= await runtime.Status.LoadAsync(scope, input.Cluster, input.Uid, ct);

    public async Task<ClusterProfile> ProfileAsync(CancellationToken ct)
    {
        var cluster = await ClusterAsync(ct);
        var profile = cluster.Definition.Profile;
        return await profiles.GetAsync(scope, profile.Name, profile.Version, ct)
            ?? throw new ProvisioningFailedException($"version {profile.Version} of cluster profile '{profile.Name}' was deleted");
    }

    /// <summary>The cluster's account and region, through AssumeRole when the cloud account names a role.</summary>
    public async Task<ICloudSession> CloudAsync(CancellationToken ct)
    {
        if (_cloud is not null)
            return _cloud;
        var cluster = await ClusterAsync(ct);
        var definition = cluster.Definition;
        // Never the product's own account in its place: an account is removed only once no live cluster uses it.
        var account = await accounts.GetAsync(scope, definition.CloudAccount, ct)
            ?? throw new ProvisioningFailedException($"cloud account '{definition.CloudAccount}' is gone");
        return _cloud = await runtime.Sessions.OpenAsync(account, definition.Cloud.Region, SessionScope.OfCluster(function, cluster), ct);
    }

    public async Task<ClusterResources> ResourcesAsync(CancellationToken ct) =>
        await ClusterResources.LoadAsync(await ClusterAsync(ct), await CloudAsync(ct), inventory, runtime.Clock, ct);

    /// <summary>The plan; static placement reads the user's subnets' zones first.</summary>
    public async Task<(ClusterPlan Plan, StaticNetwork? Network)> PlanAsync(CancellationToken ct)
    {
        var cluster = await ClusterAsync(ct);
        if (cluster.Definition.Cloud.Placement.IsDynamic)
            return (ClusterPlan.Build(cluster), null);
        var (network, problems) = await StaticNetwork.DescribeAsync((await CloudAsync(ct)).Catalog, cluster, ct);
        if (network is null)
            throw new ProvisioningFailedException(string.Join("; ", problems));
        return (ClusterPlan.Build(cluster, network.SubnetZones), network);
    }

    public Task SetConditionAsync(string type, bool ready, string reason, string message, CancellationToken ct) =>
        runtime.Status.SetConditionAsync(scope, input.Cluster, input.Uid, type, ready, reason, message, ct);

    public IInventoryStore Inventory => inventory;
    public ICloudAccountStore Accounts => accounts;

    public ValueTask DisposeAsync()
    {
        _cloud?.Dispose();
        return ValueTask.CompletedTask;
    }
}
