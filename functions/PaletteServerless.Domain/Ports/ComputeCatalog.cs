using PaletteServerless.Domain.CloudAccounts;

namespace PaletteServerless.Domain.Ports;

/// <summary>An instance type as the cloud describes it: its default vCPUs, memory, and every architecture it runs (i386 beside x86_64 on older types).</summary>
public sealed record InstanceTypeDetails(string Name, int DefaultVcpus, long MemoryMiB, IReadOnlyList<string> Architectures);

/// <summary>That an instance type is offered in an availability zone.</summary>
public sealed record TypeOffering(string InstanceType, string Zone);

/// <summary>A subnet of the region: its VPC, zone, CIDR, whether it gives launched instances public addresses, free addresses, and tags.</summary>
public sealed record SubnetInfo(
    string SubnetId, string VpcId, string AvailabilityZone, string CidrBlock, bool MapPublicIpOnLaunch, int AvailableIpAddressCount,
    IReadOnlyDictionary<string, string> Tags);

/// <summary>A machine image a node can boot; <paramref name="Created"/> is null when the cloud does not say.</summary>
public sealed record MachineImage(string Id, string Name, DateTimeOffset? Created);

/// <summary>
/// What the region already holds of what a dynamic network adds (each against a quota of the region): VPCs, Elastic IPs,
/// internet gateways, and the zone of each live (pending or available) NAT gateway.
/// </summary>
public sealed record NetworkUsage(int Vpcs, int ElasticIps, int InternetGateways, IReadOnlyList<string> LiveNatGatewayZones);

/// <summary>
/// What a cloud account offers and already uses in the session's region (on AWS: EC2's key pairs, zones, instance types and
/// their offerings, machine images, VPCs, subnets and route tables, what runs, and Service Quotas), read for preflight, static
/// placement, a node's image and the account's resources the API lists. Read only; every list is complete (each page of the
/// cloud's answer). Lookups of ids or names leave out what does not exist (never an error). A failure the cloud answers with
/// is a <see cref="CloudServiceException"/> (AWS's error code, and whether trying again can help).
/// </summary>
public interface IComputeCatalog
{
    /// <summary>The key pairs of the region; with <paramref name="name"/>, only the one of that name (empty when none).</summary>
    Task<IReadOnlyList<CloudKeyPair>> KeyPairsAsync(string? name, CancellationToken ct);

    /// <summary>Only zones proper (no Local or Wavelength Zone) that the account may use.</summary>
    Task<IReadOnlyList<CloudZone>> AvailabilityZonesAsync(CancellationToken ct);

    /// <summary>Which of the types are offered in which zones: of <paramref name="instanceTypes"/> (null: every type), in <paramref name="zone"/> (null: every zone).</summary>
    Task<IReadOnlyList<TypeOffering>> OfferingsAsync(IReadOnlyCollection<string>? instanceTypes, string? zone, CancellationToken ct);

    /// <summary>
    /// The types of those names. A name the cloud does not know fails with its code (on AWS InvalidInstanceType), as the
    /// offerings check reports such a type first.
    /// </summary>
    Task<IReadOnlyList<InstanceTypeDetails>> InstanceTypesAsync(IReadOnlyCollection<string> names, CancellationToken ct);

    /// <summary>The images of an owner whose name matches <paramref name="namePattern"/> (* and ? wildcards), built for the architecture.</summary>
    Task<IReadOnlyList<MachineImage>> ImagesAsync(string ownerId, string namePattern, string architecture, CancellationToken ct);

    Task<IReadOnlyList<CloudVpc>> VpcsAsync(CancellationToken ct);

    /// <summary>One VPC; null when there is none of that id.</summary>
    Task<CloudVpc?> VpcAsync(string vpcId, CancellationToken ct);

    Task<IReadOnlyList<SubnetInfo>> SubnetsOfVpcAsync(string vpcId, CancellationToken ct);

    /// <summary>Those of the subnets that exist in the region, whatever their VPC.</summary>
    Task<IReadOnlyList<SubnetInfo>> SubnetsAsync(IReadOnlyCollection<string> subnetIds, CancellationToken ct);

    /// <summary>The route tables of a VPC, with their routes and associations (the main one marked).</summary>
    Task<IReadOnlyList<RouteTableState>> RouteTablesAsync(string vpcId, CancellationToken ct);

    Task<NetworkUsage> NetworkUsageAsync(CancellationToken ct);

    /// <summary>The instance type of each pending or running on-demand (not spot) instance of the region, one entry per instance.</summary>
    Task<IReadOnlyList<string>> RunningOnDemandTypesAsync(CancellationToken ct);

    /// <summary>
    /// A quota's value applied to this account and region (on AWS: Service Quotas); null when the service has none applied
    /// (NoSuchResourceException), which the service still enforces on its own.
    /// </summary>
    Task<double?> AppliedQuotaAsync(string serviceCode, string quotaCode, CancellationToken ct);
}
