using System.Globalization;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using PaletteServerless.Aws.Clients;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Ports;

namespace PaletteServerless.Aws.Cloud.Adapters;

/// <summary>
/// <see cref="IComputeCatalog"/> over the AWS SDK's EC2 client and our Service Quotas client. What their APIs ask is decided
/// here: lookups of ids or names are filters (so what does not exist is left out instead of failing), every paged call is
/// followed to its last page, DescribeInstanceTypes takes at most 100 names a call, zones are asked by zone type and kept when
/// the account may use them, and a quota Service Quotas has no value for reads as null. Each read is the same EC2 or Service
/// Quotas action it always was, since the session policies name them. Errors the services answer with become
/// <see cref="CloudServiceException"/>; a network failure stays what it is (the caller says which service it could not reach).
/// </summary>
/// <param name="quotas">Service Quotas; null where the session reads no quota (a read then fails).</param>
/// <param name="pageSize">MaxResults asked of the paged calls that the reader of a cloud account makes (within each call's own bounds); tests ask for small pages.</param>
public sealed class Ec2ComputeCatalog(IAmazonEC2 ec2, IServiceQuotasClient? quotas, int pageSize = 1000) : IComputeCatalog
{
    /// <summary>EC2 takes at most 100 names in one DescribeInstanceTypes, and at most 100 results a page.</summary>
    private const int InstanceTypesPerCall = 100;

    public Task<IReadOnlyList<CloudKeyPair>> KeyPairsAsync(string? name, CancellationToken ct) =>
        PortCalls.RunAsync<IReadOnlyList<CloudKeyPair>>(async () =>
        {
            // DescribeKeyPairs has no paging: one answer holds every key pair of the region. A name is a filter: none found is no error.
            var request = name is null ? new DescribeKeyPairsRequest() : new DescribeKeyPairsRequest { Filters = [new Filter("key-name", [name])] };
            var response = await ec2.DescribeKeyPairsAsync(request, ct);
            return [.. (response.KeyPairs ?? []).Select(k => new CloudKeyPair(k.KeyName, k.KeyPairId, k.KeyType?.Value ?? "rsa", k.KeyFingerprint))];
        });

    /// <summary>Without AllAvailabilityZones EC2 lists only opted-in zones, and the filters say so again.</summary>
    public Task<IReadOnlyList<CloudZone>> AvailabilityZonesAsync(CancellationToken ct) =>
        PortCalls.RunAsync<IReadOnlyList<CloudZone>>(async () =>
        {
            var response = await ec2.DescribeAvailabilityZonesAsync(new DescribeAvailabilityZonesRequest
            {
                Filters = [new Filter("zone-type", ["availability-zone"])],
            }, ct);
            return [.. (response.AvailabilityZones ?? [])
                .Where(z => z.ZoneType is null or "availability-zone"
                    && (z.OptInStatus is null || z.OptInStatus == AvailabilityZoneOptInStatus.OptInNotRequired || z.OptInStatus == AvailabilityZoneOptInStatus.OptedIn))
                .Select(z => new CloudZone(z.ZoneName, z.ZoneId, z.State?.Value ?? "available"))];
        });

    public Task<IReadOnlyList<TypeOffering>> OfferingsAsync(IReadOnlyCollection<string>? instanceTypes, string? zone, CancellationToken ct) =>
        PortCalls.RunAsync<IReadOnlyList<TypeOffering>>(async () =>
        {
            if (instanceTypes is { Count: 0 })
                return [];
            var filters = new List<Filter>();
            if (instanceTypes is not null)
                filters.Add(new Filter("instance-type", [.. instanceTypes.Distinct(StringComparer.Ordinal)]));
            if (zone is not null)
                filters.Add(new Filter("location", [zone]));
            var offered = new List<TypeOffering>();
            var pages = ec2.Paginators.DescribeInstanceTypeOfferings(new DescribeInstanceTypeOfferingsRequest
            {
                LocationType = LocationType.AvailabilityZone,
                Filters = filters,
                MaxResults = Math.Min(pageSize, 1000),
            });
            await foreach (var offering in pages.InstanceTypeOfferings.WithCancellation(ct))
                offered.Add(new TypeOffering(offering.InstanceType.Value, offering.Location));
            return offered;
        });

    public Task<IReadOnlyList<InstanceTypeDetails>> InstanceTypesAsync(IReadOnlyCollection<string> names, CancellationToken ct) =>
        PortCalls.RunAsync<IReadOnlyList<InstanceTypeDetails>>(async () =>
        {
            var types = new List<InstanceTypeDetails>();
            foreach (var chunk in names.Distinct(StringComparer.Ordinal).Chunk(InstanceTypesPerCall))
            {
                var pages = ec2.Paginators.DescribeInstanceTypes(new DescribeInstanceTypesRequest
                {
                    InstanceTypes = [.. chunk],
                    MaxResults = Math.Min(pageSize, InstanceTypesPerCall),
                });
                await foreach (var type in pages.InstanceTypes.WithCancellation(ct))
                {
                    types.Add(new InstanceTypeDetails(type.InstanceType.Value, type.VCpuInfo?.DefaultVCpus ?? 0, type.MemoryInfo?.SizeInMiB ?? 0,
                        [.. type.ProcessorInfo?.SupportedArchitectures ?? []]));
                }
            }
            return types;
        });

    public Task<IReadOnlyList<MachineImage>> ImagesAsync(string ownerId, string namePattern, string architecture, CancellationToken ct) =>
        PortCalls.RunAsync<IReadOnlyList<MachineImage>>(async () =>
        {
            var response = await ec2.DescribeImagesAsync(new DescribeImagesRequest
            {
                Owners = [ownerId],
                Filters = [new Filter("name", [namePattern]), new Filter("architecture", [architecture])],
            }, ct);
            return [.. (response.Images ?? []).Select(i => new MachineImage(i.ImageId, i.Name,
                DateTimeOffset.TryParse(i.CreationDate, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var created) ? created : null))];
        });

    public Task<IReadOnlyList<CloudVpc>> VpcsAsync(CancellationToken ct) =>
        PortCalls.RunAsync<IReadOnlyList<CloudVpc>>(async () =>
        {
            var vpcs = new List<CloudVpc>();
            await foreach (var vpc in ec2.Paginators.DescribeVpcs(new DescribeVpcsRequest { MaxResults = Math.Min(pageSize, 1000) }).Vpcs.WithCancellation(ct))
                vpcs.Add(Vpc(vpc));
            return vpcs;
        });

    public Task<CloudVpc?> VpcAsync(string vpcId, CancellationToken ct) =>
        PortCalls.RunAsync(async () => (await ec2.DescribeVpcsAsync(new DescribeVpcsRequest { Filters = [new Filter("vpc-id", [vpcId])] }, ct)).Vpcs?.FirstOrDefault() is { } vpc
            ? Vpc(vpc) : null);

    public Task<IReadOnlyList<SubnetInfo>> SubnetsOfVpcAsync(string vpcId, CancellationToken ct) => SubnetsWhereAsync(new Filter("vpc-id", [vpcId]), ct);

    public Task<IReadOnlyList<SubnetInfo>> SubnetsAsync(IReadOnlyCollection<string> subnetIds, CancellationToken ct) =>
        subnetIds.Count == 0 ? Task.FromResult<IReadOnlyList<SubnetInfo>>([]) : SubnetsWhereAsync(new Filter("subnet-id", [.. subnetIds.Distinct(StringComparer.Ordinal)]), ct);

    public Task<IReadOnlyList<RouteTableState>> RouteTablesAsync(string vpcId, CancellationToken ct) =>
        PortCalls.RunAsync<IReadOnlyList<RouteTableState>>(async () =>
        {
            var tables = new List<RouteTableState>();
            string? token = null;
            do
            {
                var page = await ec2.DescribeRouteTablesAsync(new DescribeRouteTablesRequest { Filters = [new Filter("vpc-id", [vpcId])], NextToken = token }, ct);
                tables.AddRange((page.RouteTables ?? []).Select(table => new RouteTableState(table.RouteTableId,
                    [.. (table.Routes ?? []).Select(r => new NetworkRoute(r.DestinationCidrBlock, r.GatewayId ?? r.NatGatewayId, r.State == RouteState.Blackhole))],
                    [.. (table.Associations ?? []).Select(a => new RouteAssociation(a.RouteTableAssociationId, a.SubnetId, a.Main == true))])));
                token = page.NextToken;
            }
            while (!string.IsNullOrEmpty(token));
            return tables;
        });

    public async Task<NetworkUsage> NetworkUsageAsync(CancellationToken ct)
    {
        var vpcs = (await VpcsAsync(ct)).Count;
        return await PortCalls.RunAsync(async () =>
        {
            var addresses = (await ec2.DescribeAddressesAsync(new DescribeAddressesRequest(), ct)).Addresses?.Count ?? 0;
            var gateways = 0;
            string? token = null;
            do
            {
                var page = await ec2.DescribeInternetGatewaysAsync(new DescribeInternetGatewaysRequest { NextToken = token }, ct);
                gateways += page.InternetGateways?.Count ?? 0;
                token = page.NextToken;
            }
            while (!string.IsNullOrEmpty(token));
            var natSubnets = new List<string>();
            do
            {
                var page = await ec2.DescribeNatGatewaysAsync(new DescribeNatGatewaysRequest { Filter = [new Filter("state", ["pending", "available"])], NextToken = token }, ct);
                natSubnets.AddRange((page.NatGateways ?? []).Select(n => n.SubnetId));
                token = page.NextToken;
            }
            while (!string.IsNullOrEmpty(token));
            var zones = natSubnets.Count == 0 ? [] : (await SubnetsAsync(natSubnets, ct)).ToDictionary(s => s.SubnetId, s => s.AvailabilityZone);
            return new NetworkUsage(vpcs, addresses, gateways, [.. natSubnets.Select(s => zones.GetValueOrDefault(s)).OfType<string>()]);
        });
    }

    public Task<IReadOnlyList<string>> RunningOnDemandTypesAsync(CancellationToken ct) =>
        PortCalls.RunAsync<IReadOnlyList<string>>(async () =>
        {
            var types = new List<string>();
            string? token = null;
            do
            {
                var page = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest
                {
                    Filters = [new Filter("instance-state-name", ["pending", "running"])],
                    NextToken = token,
                }, ct);
                types.AddRange((page.Reservations ?? []).SelectMany(r => r.Instances ?? [])
                    .Where(i => i.InstanceLifecycle is null || i.InstanceLifecycle.Value != "spot")
                    .Select(i => i.InstanceType.Value));
                token = page.NextToken;
            }
            while (!string.IsNullOrEmpty(token));
            return types;
        });

    public Task<double?> AppliedQuotaAsync(string serviceCode, string quotaCode, CancellationToken ct) =>
        PortCalls.RunAsync<double?>(async () =>
        {
            var client = quotas ?? throw new InvalidOperationException("this session reads no quota");
            try
            {
                return (await client.GetServiceQuotaAsync(serviceCode, quotaCode, ct)).Quota?.Value;
            }
            catch (AwsServiceException ex) when (ex.ErrorCode == "NoSuchResourceException")
            {
                return null;
            }
        });

    private Task<IReadOnlyList<SubnetInfo>> SubnetsWhereAsync(Filter filter, CancellationToken ct) =>
        PortCalls.RunAsync<IReadOnlyList<SubnetInfo>>(async () =>
        {
            var subnets = new List<SubnetInfo>();
            var pages = ec2.Paginators.DescribeSubnets(new DescribeSubnetsRequest { Filters = [filter], MaxResults = Math.Min(pageSize, 1000) });
            await foreach (var s in pages.Subnets.WithCancellation(ct))
            {
                subnets.Add(new SubnetInfo(s.SubnetId, s.VpcId, s.AvailabilityZone, s.CidrBlock, s.MapPublicIpOnLaunch ?? false,
                    s.AvailableIpAddressCount ?? 0, Tags(s.Tags)));
            }
            return subnets;
        });

    private static CloudVpc Vpc(Vpc vpc)
    {
        var tags = Tags(vpc.Tags);
        return new CloudVpc(vpc.VpcId, vpc.CidrBlock, vpc.IsDefault ?? false, tags.GetValueOrDefault("Name"), tags);
    }

    private static Dictionary<string, string> Tags(List<Amazon.EC2.Model.Tag>? tags) =>
        (tags ?? []).GroupBy(t => t.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value ?? "", StringComparer.Ordinal);

}
