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
/// not the latency model. The last line is a JSON object of the figures.
/// Options: <c>--instances N</c> (default 1000), <c>--seconds S</c> per describe figure (default 5).
/// </summary>
public static class LocalAwsBenchmark
{
    public const string Description = "local EC2: requests/s of RunInstances and of DescribeInstances against 1,000 instances";

    private static readonly IReadOnlyDictionary<string, string> Headers = new Dictionary<string, string>
    {
        ["Authorization"] = "AWS4-HMAC-SHA256 Credential=bench/20261124/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0",
        ["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8",
    };

    public static async Task<int> RunAsync(string[] args)
    {
        var instances = Option(args, "--instances", 1000);
        var seconds = Option(args, "--seconds", 5);
        var aws = new LocalAws(new LocalAwsOptions
        {
            OnDemandVcpuQuota = int.MaxValue,
            LatencyOverrides = new Dictionary<string, TimeSpan> { [LatencyModel.MutatingCall] = TimeSpan.Zero },
        });
        var vpcId = Extract(await CallAsync(aws, "Action=CreateVpc&CidrBlock=10.0.0.0%2F16"), "vpcId");
        var subnetId = Extract(await CallAsync(aws, $"Action=CreateSubnet&VpcId={vpcId}&CidrBlock=10.0.0.0%2F16&AvailabilityZone=us-east-1a"), "subnetId");
        var run = $"Action=RunInstances&ImageId=ami-0c7217cdde317cfec&InstanceType=t3.micro&MinCount=1&MaxCount=1&SubnetId={subnetId}"
            + "&TagSpecification.1.ResourceType=instance&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=bench";

        var runClock = Stopwatch.StartNew();
        string? lastInstanceId = null;
        for (var i = 0; i < instances; i++)
            lastInstanceId = Extract(await CallAsync(aws, run), "instanceId");
        runClock.Stop();
        var runPerSecond = instances / runClock.Elapsed.TotalSeconds;

        var describeAll = await MeasureAsync(aws, "Action=DescribeInstances", TimeSpan.FromSeconds(seconds));
        var describeOne = await MeasureAsync(aws, $"Action=DescribeInstances&InstanceId.1={lastInstanceId}", TimeSpan.FromSeconds(seconds));
        var allBytes = (await CallAsync(aws, "Action=DescribeInstances")).Body.Length;
        var peak = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);

        Console.WriteLine($"RunInstances:                      {instances} requests in {runClock.Elapsed.TotalSeconds:F2} s = {runPerSecond:F0} requests/s");
        Console.WriteLine($"DescribeInstances (all {instances}):     {describeAll.Requests} requests in {describeAll.Seconds:F2} s = {describeAll.PerSecond:F1} requests/s ({allBytes / 1024} KiB of XML each)");
        Console.WriteLine($"DescribeInstances (one id of {instances}): {describeOne.Requests} requests in {describeOne.Seconds:F2} s = {describeOne.PerSecond:F0} requests/s");
        Console.WriteLine($"peak working set: {peak:F1} MiB");
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["instances"] = instances,
            ["runInstancesPerSecond"] = Math.Round(runPerSecond),
            ["describeInstancesAllPerSecond"] = Math.Round(describeAll.PerSecond, 1),
            ["describeInstancesOnePerSecond"] = Math.Round(describeOne.PerSecond),
            ["describeInstancesAllBytes"] = allBytes,
            ["peakWorkingSetMiB"] = Math.Round(peak, 1),
        }));
        return 0;
    }

    private static async Task<(int Requests, double Seconds, double PerSecond)> MeasureAsync(LocalAws aws, string query, TimeSpan duration)
    {
        await CallAsync(aws, query);
        var clock = Stopwatch.StartNew();
        var requests = 0;
        while (clock.Elapsed < duration)
        {
            await CallAsync(aws, query);
            requests++;
        }
        clock.Stop();
        return (requests, clock.Elapsed.TotalSeconds, requests / clock.Elapsed.TotalSeconds);
    }

    private static async Task<LocalAwsResponse> CallAsync(LocalAws aws, string query)
    {
        var body = Encoding.UTF8.GetBytes(query + "&Version=2016-11-15");
        var response = await aws.HandleAsync(new LocalAwsRequest("POST", "/", "", Headers, body), CancellationToken.None);
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
