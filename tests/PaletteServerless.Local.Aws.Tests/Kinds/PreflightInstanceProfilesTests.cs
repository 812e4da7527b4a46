using Amazon.EC2;
using PaletteServerless.Aws.Clients;
using PaletteServerless.Aws.Cloud;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.Tests.Core;
using PaletteServerless.Local.Aws.Tests.Sts;

namespace PaletteServerless.Local.Aws.Tests.Kinds;

/// <summary>Preflight, with our clients on the local AWS: both node instance profiles must exist before anything is made.</summary>
public sealed class PreflightInstanceProfilesTests
{
    private sealed class LocalSession(LocalAwsHost host) : ICloudSession
    {
        public string Region => "us-east-1";
        public IAmazonEC2 Ec2 { get; } = host.Ec2();
        public IElbv2Client LoadBalancing { get; } = host.Elbv2();
        public ITaggingClient Tagging { get; } = host.Tagging();
        public IServiceQuotasClient ServiceQuotas { get; } = new ServiceQuotasClient(OurClients.Options(host));
        public IParameterStore Parameters => throw new NotSupportedException();
        public IClusterNetworkCloud Network => throw new NotSupportedException();
        public IComputeCatalog Catalog => new PaletteServerless.Aws.Cloud.Adapters.Ec2ComputeCatalog(Ec2, ServiceQuotas);
        public ILoadBalancers LoadBalancers => new PaletteServerless.Aws.Cloud.Adapters.Elbv2LoadBalancers(LoadBalancing);
        public ITaggedResources TaggedResources => new PaletteServerless.Aws.Cloud.Adapters.TaggingApiResources(Tagging);
        public IIamClient Iam { get; } = new IamClient(OurClients.Options(host));
        public IBackupBuckets Buckets => throw new NotSupportedException();
        public INodeFleet Nodes => throw new NotSupportedException();
        public Task<string> AccountIdAsync(CancellationToken ct) => Task.FromResult("000000000000");
        public void Dispose() => Ec2.Dispose();
    }

    private static Cluster Cluster() => new()
    {
        Scope = new ProjectScope("acme", "demo"),
        Uid = "0123456789abcdef0123456789abcdef",
        Spec = ClusterSpecValidator.Validate(new ClusterSpec
        {
            Name = "demo",
            CloudAccount = "main",
            Profile = new ProfileReference { Name = "ubuntu-k8s", Version = "1.0.0" },
            Cloud = new CloudSpec { Region = "us-east-1", SshKeyName = "key", VpcCidr = "10.0.0.0/16" },
            NodePools =
            [
                new NodePoolSpec { Name = "cp", Role = "control-plane", Count = 1, InstanceType = "m5.large", AvailabilityZones = ["us-east-1a"] },
                new NodePoolSpec { Name = "workers", Role = "worker", Count = 1, InstanceType = "m5.large", AvailabilityZones = ["us-east-1a"] },
            ],
        }),
        Status = ClusterStatus.Pending,
    };

    [Fact]
    public async Task An_account_without_the_worker_instance_profile_fails_preflight_naming_it()
    {
        await using var host = await LocalAwsHost.StartAsync(new LocalAwsOptions
        {
            InstanceProfiles = new HashSet<string>(StringComparer.Ordinal) { SecretParameters.ControlPlaneInstanceProfileName },
        });
        using var session = new LocalSession(host);

        var problems = await new Preflight(Cluster(), session).RunAsync(CancellationToken.None);

        problems.Should().Contain(p => p.Contains($"no instance profile '{SecretParameters.WorkerInstanceProfileName}'", StringComparison.Ordinal))
            .And.NotContain(p => p.Contains($"'{SecretParameters.ControlPlaneInstanceProfileName}'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_local_account_has_both_node_instance_profiles()
    {
        await using var host = await LocalAwsHost.StartAsync();
        using var session = new LocalSession(host);

        var problems = await new Preflight(Cluster(), session).RunAsync(CancellationToken.None);

        problems.Should().NotContain(p => p.Contains("instance profile", StringComparison.Ordinal));
    }
}
