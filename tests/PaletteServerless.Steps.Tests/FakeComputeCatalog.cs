using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Ports;

namespace PaletteServerless.Steps.Tests;

/// <summary>
/// What an account offers and uses in a region, in memory, as <see cref="IComputeCatalog"/> promises it: lookups leave out
/// what does not exist, an instance type it does not know fails InvalidInstanceType, a quota not set reads as null. It
/// starts as a region a default cluster passes preflight in: key pair "key", zones us-east-1a to c, m5.large (2 vCPUs,
/// x86_64) and m6g.large (arm64) offered in each, an image of every owner and name for each architecture, and an on-demand
/// vCPU quota of 32. A test changes the public lists and makes an operation fail with an AWS code (<see cref="Fail"/>).
/// </summary>
public sealed class FakeComputeCatalog : IComputeCatalog
{
    private readonly FakeCalls _calls = new(new Lock());

    public List<CloudKeyPair> KeyPairs { get; } = [new("key", "key-0123456789abcdef0", "rsa", "fp")];

    public List<CloudZone> Zones { get; } = [new("us-east-1a", "use1-az1", "available"), new("us-east-1b", "use1-az2", "available"), new("us-east-1c", "use1-az4", "available")];

    public List<InstanceTypeDetails> Types { get; } = [new("m5.large", 2, 8192, ["x86_64"]), new("m6g.large", 2, 8192, ["arm64"])];

    public List<TypeOffering> Offerings { get; } = [];

    /// <summary>Images by architecture; null: every owner and name has one image per architecture (ami-{arch}).</summary>
    public List<(string Architecture, MachineImage Image)>? Images { get; set; }

    public List<CloudVpc> Vpcs { get; } = [];

    public List<SubnetInfo> Subnets { get; } = [];

    public List<(string VpcId, RouteTableState Table)> RouteTables { get; } = [];

    public NetworkUsage Usage { get; set; } = new(0, 0, 0, []);

    public List<string> RunningOnDemand { get; } = [];

    public Dictionary<(string Service, string Quota), double> Quotas { get; } = new() { [("ec2", "L-1216C47A")] = 32 };

    public FakeComputeCatalog()
    {
        foreach (var zone in Zones)
            Offerings.AddRange(Types.Select(t => new TypeOffering(t.Name, zone.Name)));
    }

    /// <summary>Makes every later call of <paramref name="operation"/> (e.g. "GetServiceQuota") fail with that AWS code.</summary>
    public void Fail(string operation, string code) => _calls.Fail(operation, code);

    public Task<IReadOnlyList<CloudKeyPair>> KeyPairsAsync(string? name, CancellationToken ct) =>
        Run<IReadOnlyList<CloudKeyPair>>("DescribeKeyPairs", () => [.. KeyPairs.Where(k => name is null || k.Name == name)]);

    public Task<IReadOnlyList<CloudZone>> AvailabilityZonesAsync(CancellationToken ct) => Run<IReadOnlyList<CloudZone>>("DescribeAvailabilityZones", () => [.. Zones]);

    public Task<IReadOnlyList<TypeOffering>> OfferingsAsync(IReadOnlyCollection<string>? instanceTypes, string? zone, CancellationToken ct) =>
        Run<IReadOnlyList<TypeOffering>>("DescribeInstanceTypeOfferings", () =>
            [.. Offerings.Where(o => (instanceTypes is null || instanceTypes.Contains(o.InstanceType)) && (zone is null || o.Zone == zone))]);

    public Task<IReadOnlyList<InstanceTypeDetails>> InstanceTypesAsync(IReadOnlyCollection<string> names, CancellationToken ct) =>
        Run<IReadOnlyList<InstanceTypeDetails>>("DescribeInstanceTypes", () =>
        {
            var unknown = names.Where(n => Types.All(t => t.Name != n)).ToList();
            return unknown.Count > 0
                ? throw new CloudServiceException("InvalidInstanceType", $"The following supplied instance types do not exist: [{string.Join(", ", unknown)}]", false)
                : [.. Types.Where(t => names.Contains(t.Name))];
        });

    public Task<IReadOnlyList<MachineImage>> ImagesAsync(string ownerId, string namePattern, string architecture, CancellationToken ct) =>
        Run<IReadOnlyList<MachineImage>>("DescribeImages", () => Images is null
            ? [new MachineImage($"ami-{architecture}", namePattern, DateTimeOffset.UnixEpoch)]
            : [.. Images.Where(i => i.Architecture == architecture).Select(i => i.Image)]);

    public Task<IReadOnlyList<CloudVpc>> VpcsAsync(CancellationToken ct) => Run<IReadOnlyList<CloudVpc>>("DescribeVpcs", () => [.. Vpcs]);

    public Task<CloudVpc?> VpcAsync(string vpcId, CancellationToken ct) => Run("DescribeVpcs", () => Vpcs.FirstOrDefault(v => v.VpcId == vpcId));

    public Task<IReadOnlyList<SubnetInfo>> SubnetsOfVpcAsync(string vpcId, CancellationToken ct) =>
        Run<IReadOnlyList<SubnetInfo>>("DescribeSubnets", () => [.. Subnets.Where(s => s.VpcId == vpcId)]);

    public Task<IReadOnlyList<SubnetInfo>> SubnetsAsync(IReadOnlyCollection<string> subnetIds, CancellationToken ct) =>
        Run<IReadOnlyList<SubnetInfo>>("DescribeSubnets", () => [.. Subnets.Where(s => subnetIds.Contains(s.SubnetId))]);

    public Task<IReadOnlyList<RouteTableState>> RouteTablesAsync(string vpcId, CancellationToken ct) =>
        Run<IReadOnlyList<RouteTableState>>("DescribeRouteTables", () => [.. RouteTables.Where(t => t.VpcId == vpcId).Select(t => t.Table)]);

    public Task<NetworkUsage> NetworkUsageAsync(CancellationToken ct) => Run("NetworkUsage", () => Usage);

    public Task<IReadOnlyList<string>> RunningOnDemandTypesAsync(CancellationToken ct) => Run<IReadOnlyList<string>>("DescribeInstances", () => [.. RunningOnDemand]);

    public Task<double?> AppliedQuotaAsync(string serviceCode, string quotaCode, CancellationToken ct) =>
        Run<double?>("GetServiceQuota", () => Quotas.TryGetValue((serviceCode, quotaCode), out var value) ? value : null);

    private Task<T> Run<T>(string operation, Func<T> call) => _calls.Run(operation, "", call);
}
