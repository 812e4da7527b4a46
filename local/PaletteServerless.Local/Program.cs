using System.CommandLine;
using PaletteServerless.Local;

var port = new Option<int>("--port") { Description = "Loopback port of the one edge endpoint (product API, /local/*, AWS protocols)", DefaultValueFactory = _ => 4566 };
var data = new Option<string?>("--data") { Description = "Folder that persists DynamoDB, executions and the local AWS across restarts (default: in memory)" };
var timeScale = new Option<double>("--time-scale") { Description = "Divide every Wait, retry, timeout and modelled AWS delay by this factor (e.g. 60: a minute takes a second)", DefaultValueFactory = _ => 1 };
var faultProfile = new Option<string?>("--fault-profile") { Description = "JSON fault profile for the local AWS (see README: Fault profiles)" };
var faultSeed = new Option<int?>("--fault-seed") { Description = "Seed of the fault profile's random choices, to replay a run" };
var stepCrashRate = new Option<double>("--step-crash-rate") { Description = "Fraction (0-1) of workflow steps that crash after doing their work, seeded by --fault-seed (default 0)" };
var spotInterruptionRate = new Option<double?>("--spot-interruption-rate") { Description = "Chance (0-1) per running spot instance per modelled minute that EC2 interrupts it (warning, then termination 2 modelled minutes later), seeded by --fault-seed (default 0)" };
var impairmentRate = new Option<double?>("--impairment-rate") { Description = "Chance (0-1) per running instance per modelled minute that its system status check turns impaired, seeded by --fault-seed (default 0)" };
var nodeNeverReportsRate = new Option<double?>("--node-never-reports-rate") { Description = "Fraction (0-1) of booted nodes that never report a phase, seeded by --fault-seed (default: the fault profile's, else 0)" };
var packsFailureRate = new Option<double?>("--packs-failure-rate") { Description = "Fraction (0-1) of first control planes that report PacksFailed naming their first pack, seeded by --fault-seed (default: the fault profile's, else 0)" };
var stsRoles = new Option<string?>("--sts-roles") { Description = "JSON file of extra STS roles to assume: {\"roles\":[{\"account\",\"name\",\"externalId\",\"trustedAccount\"}]}" };
var iam = new Option<string>("--iam") { Description = "Enforce IAM from the CDK app's synthesized policies (on), or answer every call (off: for debugging)", DefaultValueFactory = _ => "on" };
iam.AcceptOnlyFromAmong("on", "off");
var roleLessTenants = new Option<string>("--role-less-tenants")
{
    Description = "Tenants (comma-separated) whose tenant-admins may register a cloud account without a role, building in the local product account; \"*\" any tenant, \"\" none (CDK's default)",
    DefaultValueFactory = _ => "*",
};
var throttling = new Option<bool>("--throttling") { Description = "Switch on the EC2 API token buckets (RequestLimitExceeded)" };
var vcpuQuota = new Option<int>("--vcpu-quota") { Description = "The on-demand standard vCPU quota (Service Quotas L-1216C47A) of every account and region", DefaultValueFactory = _ => 64 };
var functionLogLevel = new Option<string>("--function-log-level") { Description = "Log level of the functions (AWS_LAMBDA_LOG_LEVEL): DEBUG, INFO (one JSON line per workflow step), WARN or ERROR", DefaultValueFactory = _ => "WARN" };
functionLogLevel.AcceptOnlyFromAmong("DEBUG", "INFO", "WARN", "ERROR");
var demo = new Option<bool>("--demo") { Description = "Once ready, walk through the README example (token, account, profile, cluster) and print what happens" };

var root = new RootCommand("PaletteServerless local stack: the product with DynamoDB, Step Functions and AWS stand-ins on one loopback endpoint")
{
    port, data, timeScale, faultProfile, faultSeed, stepCrashRate, spotInterruptionRate, impairmentRate, nodeNeverReportsRate, packsFailureRate,
    stsRoles, iam, roleLessTenants, throttling, vcpuQuota, functionLogLevel, demo,
};
root.SetAction(async (parsed, ct) =>
{
    var options = new LocalStackOptions
    {
        Port = parsed.GetValue(port),
        DataDirectory = parsed.GetValue(data),
        TimeScale = parsed.GetValue(timeScale),
        FaultProfilePath = parsed.GetValue(faultProfile),
        FaultSeed = parsed.GetValue(faultSeed),
        Throttling = parsed.GetValue(throttling),
        Iam = parsed.GetValue(iam) == "on",
        RoleLessTenants = parsed.GetValue(roleLessTenants) ?? "",
        OnDemandVcpuQuota = parsed.GetValue(vcpuQuota),
        StepCrashRate = parsed.GetValue(stepCrashRate),
        SpotInterruptionRate = parsed.GetValue(spotInterruptionRate),
        InstanceImpairmentRate = parsed.GetValue(impairmentRate),
        NodeNeverReportsRate = parsed.GetValue(nodeNeverReportsRate),
        PacksFailureRate = parsed.GetValue(packsFailureRate),
        StsRolesPath = parsed.GetValue(stsRoles),
        FunctionLogLevel = parsed.GetValue(functionLogLevel)!,
        Demo = parsed.GetValue(demo),
    };
    if (options.TimeScale <= 0)
    {
        Console.Error.WriteLine("--time-scale must be greater than 0");
        return 2;
    }
    if (options.SpotInterruptionRate is < 0 or > 1 || options.InstanceImpairmentRate is < 0 or > 1)
    {
        Console.Error.WriteLine("--spot-interruption-rate and --impairment-rate must be between 0 and 1");
        return 2;
    }
    if (options.NodeNeverReportsRate is < 0 or > 1 || options.PacksFailureRate is < 0 or > 1)
    {
        Console.Error.WriteLine("--node-never-reports-rate and --packs-failure-rate must be between 0 and 1");
        return 2;
    }
    if (options.OnDemandVcpuQuota < 0)
    {
        Console.Error.WriteLine("--vcpu-quota must be 0 or more");
        return 2;
    }
    using var signals = new ShutdownSignals();
    using var stopping = CancellationTokenSource.CreateLinkedTokenSource(ct, signals.Token);
    ct = stopping.Token;
    await using var stack = await LocalStack.StartAsync(options, Console.Out, ct);
    if (stack.LocalAws.Faults.IsActive || options.StepCrashRate > 0)
        Console.WriteLine($"faults on: seed {stack.LocalAws.Faults.Seed} (replay with --fault-seed {stack.LocalAws.Faults.Seed})");
    Console.WriteLine($"ready: {stack.Endpoint.ToString().TrimEnd('/')}");
    if (options.Demo)
        await Walkthrough.RunAsync(stack, Console.Out, ct);
    Console.WriteLine("press Ctrl+C to stop");
    try
    {
        await Task.Delay(Timeout.Infinite, ct);
    }
    catch (OperationCanceledException)
    {
        Console.WriteLine("stopping ...");
    }
    return 0;
});
// ShutdownSignals handles SIGINT and SIGTERM: the stack stops however long that takes, instead of
// System.CommandLine ending the invocation after its own termination timeout.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
