using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Benchmarks;

/// <summary>
/// Requests per second of the local EC2 through <see cref="LocalAws.HandleAsync"/> (the call the
/// HTTP edge makes, so parsing, routing, the store and the XML are measured, not the network):
/// RunInstances one instance at a time up to 1,000 instances, then DescribeInstances of all
/// 1,000 and of one id among them. Modelled API latency is switched off so the code is measured,
/// not the latency model. Measured twice: with IAM off, and with IAM enforced for a caller acting as
/// the node-pools step's role of the synthesized product template (its RunInstances needs the
/// ownership tag on the instance and its volume), so the difference is the cost of enforcement.
/// The last line is a JSON object of the figures.
/// Options: <c>--instances N</c> (default 1000), <c>--seconds S</c> per describe figure (default 5).
/// </summary>
public static class LocalAwsBenchmark
{
    public const string Description = "local EC2: requests/s of RunInstances and of DescribeInstances against 1,000 instances";

    private static readonly IReadOnlyDictionary<string, string> AdministratorHeaders = Headers("bench", null);

    private static IReadOnlyDictionary<string, string> Headers(string accessKeyId, string? sessionToken)
    {
        var headers = new Dictionary<string, string>
        {
            ["Authorization"] = $"AWS4-HMAC-SHA256 Credential={accessKeyId}/20261124/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0",
            ["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8",
        };
        if (sessionToken is not null)
            headers["X-Amz-Security-Token"] = sessionToken;
        return headers;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var instances = Option(args, "--instances", 1000);
        var seconds = Option(args, "--seconds", 5);
        // A discarded first pass, so neither measured pass pays the JIT's first compilations.
        Console.WriteLine("warming up (not measured) ...");
        await MeasureAllAsync(Math.Max(1, instances / 5), 1, iam: null);
        var off = await MeasureAllAsync(instances, seconds, iam: null);
        var root = PaletteServerless.Manifest.RepositoryLayout.FindRootOfBinaries();
        await using var evaluator = await PaletteServerless.Local.Node.IamEvaluatorProcess.StartAsync(
            PaletteServerless.Manifest.RepositoryLayout.NodeToolsDirectory(root), TextWriter.Null, CancellationToken.None);
        var templates = await PaletteServerless.Local.Iam.SynthesizedTemplates.LoadAsync(root, Console.Out, CancellationToken.None);
        var iam = new PaletteServerless.Local.Aws.Iam.LocalIam(new PaletteServerless.Local.Aws.Iam.PolicyEvaluator(evaluator.Endpoint), TimeProvider.System, Console.Error);
        var nodePools = new PaletteServerless.Local.Aws.Iam.IamTemplate(templates.Product, PaletteServerless.Local.Iam.SynthesizedTemplates.ProductStackName, PaletteServerless.Local.Aws.Core.SigV4Credential.DefaultAccount, "us-east-1")
            .Roles().Single(r => r.LogicalId.StartsWith("NodePoolsRole", StringComparison.Ordinal));
        var role = new PaletteServerless.Local.Aws.Iam.IamRole("node-pools", SigV4Credential.DefaultAccount, nodePools.ArnIn(SigV4Credential.DefaultAccount), nodePools.Name, nodePools.TrustPolicy, nodePools.Policies);
        iam.AddRole(role);
        var on = await MeasureAllAsync(instances, seconds, (iam, await iam.IssueAsync(role, "bench", CancellationToken.None)));

        Console.WriteLine($"peak working set: {Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0):F1} MiB");
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["instances"] = instances,
            ["iamOff"] = off,
            ["iamOn"] = on,
            ["peakWorkingSetMiB"] = Math.Round(Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0), 1),
        }));
        return 0;
    }

    private static async Task<Dictionary<string, object>> MeasureAllAsync(int instances, int seconds,
        (PaletteServerless.Local.Aws.Iam.LocalIam Iam, PaletteServerless.Local.Aws.Iam.IamPrincipal Caller)? iam)
    {
        using var aws = new LocalAws(new LocalAwsOptions
        {
            OnDemandVcpuQuota = int.MaxValue,
            LatencyOverrides = new Dictionary<string, TimeSpan> { [LatencyModel.MutatingCall] = TimeSpan.Zero },
        });
        aws.Iam = iam?.Iam;
        var vpcId = Extract(await CallAsync(aws, "Action=CreateVpc&CidrBlock=10.0.0.0%2F16", AdministratorHeaders), "vpcId");
        var subnetId = Extract(await CallAsync(aws, $"Action=CreateSubnet&VpcId={vpcId}&CidrBlock=10.0.0.0%2F16&AvailabilityZone=us-east-1a", AdministratorHeaders), "subnetId");
        var headers = iam is { Caller: var caller } ? Headers(caller.AccessKeyId, caller.SessionToken) : AdministratorHeaders;
        // Tagged as the product tags a node and its volume: the node-pools role runs nothing else.
        var run = $"Action=RunInstances&ImageId=ami-0c7217cdde317cfec&InstanceType=t3.micro&MinCount=1&MaxCount=1&SubnetId={subnetId}"
            + "&TagSpecification.1.ResourceType=instance&TagSpecification.1.Tag.1.Key=palette.serverless/cluster-uid&TagSpecification.1.Tag.1.Value=bench"
            + "&TagSpecification.2.ResourceType=volume&TagSpecification.2.Tag.1.Key=palette.serverless/cluster-uid&TagSpecification.2.Tag.1.Value=bench";
        var label = iam is null ? "IAM off" : "IAM on ";

        var runClock = Stopwatch.StartNew();
        string? lastInstanceId = null;
        for (var i = 0; i < instances; i++)
            lastInstanceId = Extract(await CallAsync(aws, run, headers), "instanceId");
        runClock.Stop();
        var runPerSecond = instances / runClock.Elapsed.TotalSeconds;

        var describeAll = await MeasureAsync(aws, "Action=DescribeInstances", headers, TimeSpan.FromSeconds(seconds));
        var describeOne = await MeasureAsync(aws, $"Action=DescribeInstances&InstanceId.1={lastInstanceId}", headers, TimeSpan.FromSeconds(seconds));
        var allBytes = (await CallAsync(aws, "Action=DescribeInstances", headers)).Body.Length;

        Console.WriteLine($"{label} RunInstances:                      {instances} requests in {runClock.Elapsed.TotalSeconds:F2} s = {runPerSecond:F0} requests/s");
        Console.WriteLine($"{label} DescribeInstances (all {instances}):     {describeAll.Requests} requests in {describeAll.Seconds:F2} s = {describeAll.PerSecond:F1} requests/s ({allBytes / 1024} KiB of XML each)");
        Console.WriteLine($"{label} DescribeInstances (one id of {instances}): {describeOne.Requests} requests in {describeOne.Seconds:F2} s = {describeOne.PerSecond:F0} requests/s");
        return new Dictionary<string, object>
        {
            ["runInstancesPerSecond"] = Math.Round(runPerSecond),
            ["describeInstancesAllPerSecond"] = Math.Round(describeAll.PerSecond, 1),
            ["describeInstancesOnePerSecond"] = Math.Round(describeOne.PerSecond),
            ["describeInstancesAllBytes"] = allBytes,
        };
    }

    private static async Task<(int Requests, double Seconds, double PerSecond)> MeasureAsync(LocalAws aws, string query, IReadOnlyDictionary<string, string> headers, TimeSpan duration)
    {
        await CallAsync(aws, query, headers);
        var clock = Stopwatch.StartNew();
        var requests = 0;
        while (clock.Elapsed < duration)
        {
            await CallAsync(aws, query, headers);
            requests++;
        }
        clock.Stop();
        return (requests, clock.Elapsed.TotalSeconds, requests / clock.Elapsed.TotalSeconds);
    }

    private static async Task<LocalAwsResponse> CallAsync(LocalAws aws, string query, IReadOnlyDictionary<string, string> headers)
    {
        var body = Encoding.UTF8.GetBytes(query + "&Version=2016-11-15");
        var response = await aws.HandleAsync(new LocalAwsRequest("POST", "/", "", headers, body), CancellationToken.None);
        if (response.StatusCode != 200)
            throw new InvalidOperationException($"{query} failed: {response.BodyText}");
        return response;
    }

    // The first <name>value</name> of a response: enough to chain the calls of a benchmark.
    private static string Extract(LocalAwsResponse response, string element)
    {
        var text = response.BodyText;
        var start = text.IndexOf($"<{element}>", StringComparison.Ordinal) + element.Length + 2;
        return text[start..text.IndexOf($"</{element}>", start, StringComparison.Ordinal)];
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
