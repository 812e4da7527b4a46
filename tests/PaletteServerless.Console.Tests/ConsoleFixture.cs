using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Microsoft.Playwright;
using PaletteServerless.Aws.Clients;
using PaletteServerless.Local;
using PaletteServerless.Local.Node;
using PaletteServerless.Manifest;

namespace PaletteServerless.Console.Tests;

/// <summary>
/// The local stack serving the console at /, and Debian's headless chromium driven by Playwright.
/// One per test run; every test works in a project of its own.
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    /// <summary>Modelled AWS minutes in a fraction of a second, as in the end-to-end tests.</summary>
    public const double TimeScale = 600;

    /// <summary>Debian's chromium package (tests/run.sh installs it); Playwright's own browser download is never used.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    public LocalStack Stack { get; private set; } = null!;
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where each test saves its screenshots (under tests/TestResults, which is not committed).</summary>
    public string ScreenshotDirectory { get; } =
        Path.Combine(RepositoryLayout.FindRootOfBinaries(), "tests", "TestResults", "console-screenshots");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        // Assertions wait as long as actions do (5 s by default): a loaded machine slows the browser that much.
        Microsoft.Playwright.Assertions.SetDefaultExpectTimeout(30_000);
        Stack = await LocalStack.StartAsync(new LocalStackOptions { Port = 0, TimeScale = TimeScale },
            TextWriter.Null, CancellationToken.None);
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // The machine's network is closed: without these, chromium keeps trying Google's hosts.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
            await Browser.DisposeAsync();
        Playwright?.Dispose();
        if (Stack is not null)
            await Stack.DisposeAsync();
    }

    /// <summary>A fresh browser context (its own session storage) at desktop size, downloads allowed.</summary>
    public async Task<IPage> NewPageAsync(int width = 1280, int height = 800)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Stack.Endpoint.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            AcceptDownloads = true,
        });
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    public async Task ScreenshotOf(IPage page, string name) =>
        await page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });

    public HttpClient Api(string project, string role = "project-admin")
    {
        var client = new HttpClient { BaseAddress = Stack.Endpoint };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Stack.Tokens.Mint("console-tests", "acme", [$"{role}:{project}"]));
        return client;
    }

    /// <summary>What the wizard needs in a project: a cloud account, the sample profile and a key pair in us-east-1.</summary>
    public async Task SeedAsync(string project, string keyName)
    {
        using var api = Api(project);
        // An account without a role builds in the product's own account: a tenant-admin's registration.
        using (var tenantAdmin = new HttpClient { BaseAddress = Stack.Endpoint })
        {
            tenantAdmin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Stack.Tokens.Mint("console-tests", "acme", ["tenant-admin"]));
            (await tenantAdmin.PostAsync($"/v1/projects/{project}/cloudaccounts", Json("""{"name":"main"}"""))).StatusCode.Should().Be(HttpStatusCode.Created);
        }
        (await api.PostAsync($"/v1/projects/{project}/clusterprofiles", Json(Walkthrough.SampleProfile))).StatusCode.Should().Be(HttpStatusCode.Created);
        using var ec2 = Ec2();
        await ec2.CreateKeyPairAsync(new CreateKeyPairRequest { KeyName = keyName });
    }

    /// <summary>
    /// Someone else's load balancer (untagged) in the cluster's public subnet: the delete waits on it,
    /// so the cluster stays Deleting until an admin force deletes it.
    /// </summary>
    public async Task BlockDeleteAsync(string project, string name)
    {
        using var api = Api(project);
        var cluster = System.Text.Json.Nodes.JsonNode.Parse(await api.GetStringAsync($"/v1/projects/{project}/clusters/{name}"))!;
        var uid = cluster["uid"]!.GetValue<string>();
        using var ec2 = Ec2();
        var publicSubnet = (await ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest
        {
            Filters = [new Filter("tag:palette.serverless/cluster-uid", [uid]), new Filter("tag:sigs.k8s.io/cluster-api-provider-aws/role", ["public"])],
        })).Subnets.Single().SubnetId;
        using var elb = new Elbv2Client(new AwsClientOptions("us-east-1") { Endpoint = Stack.Endpoint, Credentials = new BasicAWSCredentials("000000000000", "console-tests") });
        await elb.CreateLoadBalancerAsync(new CreateLoadBalancerRequest { Name = $"intruder-{name}", Subnets = [publicSubnet] });
    }

    /// <summary>
    /// Deletes a cluster a test made and waits until it is Deleted, so its Elastic IPs (AWS's default quota: five per
    /// region, shared by every test of the collection) are free for the next test's preflight.
    /// </summary>
    public async Task DeleteClusterAsync(string project, string name)
    {
        using var api = Api(project);
        var path = $"/v1/projects/{project}/clusters/{name}";
        (await api.DeleteAsync($"{path}?confirm={name}")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        string? status;
        do
        {
            await Task.Delay(200);
            status = System.Text.Json.Nodes.JsonNode.Parse(await api.GetStringAsync($"{path}?includeDeleted=true"))!["status"]!.GetValue<string>();
        }
        while (status != "Deleted" && DateTime.UtcNow < deadline);
        status.Should().Be("Deleted");
    }

    /// <summary>The ids of the cluster's running instances, as the local EC2 has them (by the cluster's ownership tag).</summary>
    public async Task<IReadOnlyList<string>> RunningInstanceIdsAsync(string project, string name)
    {
        using var api = Api(project);
        var cluster = System.Text.Json.Nodes.JsonNode.Parse(await api.GetStringAsync($"/v1/projects/{project}/clusters/{name}"))!;
        using var ec2 = Ec2();
        var described = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest
        {
            Filters = [new Filter("tag:palette.serverless/cluster-uid", [cluster["uid"]!.GetValue<string>()]), new Filter("instance-state-name", ["running"])],
        });
        return [.. described.Reservations.SelectMany(r => r.Instances).Select(i => i.InstanceId)];
    }

    private AmazonEC2Client Ec2() => new(new BasicAWSCredentials("000000000000", "console-tests"),
        new AmazonEC2Config { ServiceURL = Stack.Endpoint.ToString(), AuthenticationRegion = "us-east-1" });

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}

[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<ConsoleFixture>
{
    public const string Name = "console";
}
