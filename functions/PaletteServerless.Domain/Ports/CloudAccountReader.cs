using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Identity;

namespace PaletteServerless.Domain.Ports;

/// <summary>
/// Reads what a cloud account has in a region, acting through the account's role. Each list is
/// complete (every page of the cloud's answer). A role the account refuses to the product is a
/// <see cref="Errors.CloudAccessDeniedException"/>.
/// </summary>
public interface ICloudAccountReader
{
    Task<IReadOnlyList<CloudKeyPair>> KeyPairsAsync(ProjectScope scope, CloudAccount account, string region, CancellationToken ct);

    /// <summary>Only zones of type availability-zone that the account has opted in to.</summary>
    Task<IReadOnlyList<CloudZone>> AvailabilityZonesAsync(ProjectScope scope, CloudAccount account, string region, CancellationToken ct);

    /// <summary>The types offered in the zone, without a price. A zone the region does not have is a validation error naming "zone".</summary>
    Task<IReadOnlyList<CloudInstanceType>> InstanceTypesAsync(ProjectScope scope, CloudAccount account, string region, string zone, CancellationToken ct);

    Task<IReadOnlyList<CloudVpc>> VpcsAsync(ProjectScope scope, CloudAccount account, string region, CancellationToken ct);

    /// <summary>The subnets of the VPC; null when the VPC does not exist.</summary>
    Task<IReadOnlyList<CloudSubnet>?> SubnetsAsync(ProjectScope scope, CloudAccount account, string region, string vpcId, CancellationToken ct);
}
