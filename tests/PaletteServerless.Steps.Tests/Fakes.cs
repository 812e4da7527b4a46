using System.Net;
using System.Text;
using Amazon.EC2;
using Amazon.Runtime;
using NSubstitute;
using PaletteServerless.Aws.Clients;
using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Workflows;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Steps.Tests;

/// <summary>
/// A cloud session whose parameters, buckets, network, nodes, catalog, load balancers and tagged resources are in memory
/// (<see cref="FakeParameterStore"/>, <see cref="FakeBackupBuckets"/>, <see cref="FakeClusterNetwork"/>, <see cref="FakeNodeFleet"/>,
/// <see cref="FakeComputeCatalog"/>, <see cref="FakeLoadBalancers"/>, <see cref="FakeTaggedResources"/>: nothing is tagged unless told).
/// </summary>
public sealed class FakeCloud : ICloudSession
{
    public FakeCloud()
    {
        Iam.InstanceProfileExistsAsync(Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns(true);
    }

    public string Region => "us-east-1";
    public FakeParameterStore Parameters { get; } = new();
    IParameterStore ICloudSession.Parameters => Parameters;
    public FakeClusterNetwork Network { get; } = new();
    IClusterNetworkCloud ICloudSession.Network => Network;
    public FakeComputeCatalog Catalog { get; } = new();
    IComputeCatalog ICloudSession.Catalog => Catalog;
    public FakeLoadBalancers LoadBalancers { get; } = new();
    ILoadBalancers ICloudSession.LoadBalancers => LoadBalancers;
    public FakeTaggedResources TaggedResources { get; } = new();
    ITaggedResources ICloudSession.TaggedResources => TaggedResources;
    public IIamClient Iam { get; } = Substitute.For<IIamClient>();
    public FakeBackupBuckets Buckets { get; } = new();
    IBackupBuckets ICloudSession.Buckets => Buckets;
    public FakeNodeFleet Nodes { get; } = new();
    INodeFleet ICloudSession.Nodes => Nodes;
    public Task<string> AccountIdAsync(CancellationToken ct) => Task.FromResult("111122223333");
    public void Dispose() { }
}

public static class TestCluster
{
    public const string Uid = "0123456789abcdef0123456789abcdef";

    public static Cluster Create(params string[] zones) => new()
    {
        Scope = new ProjectScope("acme", "demo"),
        Uid = Uid,
        Spec = ClusterSpecValidator.Validate(new ClusterSpec
        {
            Name = "demo",
            CloudAccount = "main",
            Profile = new ProfileReference { Name = "ubuntu-k8s", Version = "1.0.0" },
            Cloud = new CloudSpec { Region = "us-east-1", SshKeyName = "key", VpcCidr = "10.0.0.0/16" },
            NodePools =
            [
                new NodePoolSpec { Name = "cp", Role = "control-plane", Count = 1, InstanceType = "m5.large", AvailabilityZones = [.. zones.Length > 0 ? zones : ["us-east-1a"]] },
                new NodePoolSpec { Name = "workers", Role = "worker", Count = 2, InstanceType = "m5.large", AvailabilityZones = [.. zones.Length > 0 ? zones : ["us-east-1a"]] },
            ],
        }),
        Status = ClusterStatus.Provisioning,
    };

    public static async Task<ClusterResources> ResourcesAsync(FakeCloud cloud, InMemoryInventory inventory, Cluster? cluster = null) =>
        await ClusterResources.LoadAsync(cluster ?? Create(), cloud, inventory, TimeProvider.System, CancellationToken.None);

    /// <summary>An EC2 error as the SDK raises it, with AWS's code.</summary>
    public static AmazonEC2Exception Ec2Error(string code) =>
        new($"{code} (test)", null, ErrorType.Sender, code, "request-1", HttpStatusCode.BadRequest);
}

/// <summary>
/// A step runtime over fakes: the table's clusters and accounts, the inventory, the cloud sessions and the clock. Its EventBridge and
/// Step Functions clients are real but never reached by the tests that use it, unless a test gives EventBridge a handler (<c>events</c>).
/// </summary>
public static class TestRuntime
{
    public static StepRuntime Create(IClusterStore clusters, IInventoryStore inventory, ICloudSessionOpener sessions, TimeProvider clock,
        ICloudAccountStore? accounts = null, TextWriter? log = null, HttpMessageHandler? events = null)
    {
        var options = new AwsClientOptions("us-east-1") { Credentials = new BasicAWSCredentials("test", "test") };
        var eventOptions = events is null ? options : options with { Endpoint = new Uri("http://events.test"), InnerHandler = events, MaxAttempts = 1 };
        return new StepRuntime(clusters, accounts ?? EveryAccount(), Substitute.For<IProfileStore>(), inventory,
            new ClusterStatusWriter(clusters, new EventBridgeClient(eventOptions), "bus", clock), new StepFunctionsClient(options), sessions, clock, log ?? TextWriter.Null);
    }

    /// <summary>A store that has every cloud account a cluster names (a role-less one: the sessions are fakes).</summary>
    private static ICloudAccountStore EveryAccount()
    {
        var accounts = Substitute.For<ICloudAccountStore>();
        accounts.GetAsync(Arg.Any<ProjectScope>(), Arg.Any<string>(), Arg.Any<CancellationToken>())
            .Returns(call => new CloudAccount { Name = call.ArgAt<string>(1) });
        return accounts;
    }
}

/// <summary>EventBridge's PutEvents, answered as accepted; keeps each request's body.</summary>
public sealed class EventRecorder : HttpMessageHandler
{
    private readonly List<string> _bodies = [];

    public IReadOnlyList<string> Bodies { get { lock (_bodies) return [.. _bodies]; } }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        lock (_bodies)
            _bodies.Add(body);
        return new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent("""{"FailedEntryCount":0,"Entries":[{"EventId":"event-1"}]}""", Encoding.UTF8, "application/x-amz-json-1.1"),
        };
    }
}
