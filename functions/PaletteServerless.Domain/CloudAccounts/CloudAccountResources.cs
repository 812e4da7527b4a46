using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Domain.Validation;

namespace PaletteServerless.Domain.CloudAccounts;

/// <summary>An EC2 key pair of the account and region, as the cluster spec's <c>cloud.sshKeyName</c> names it.</summary>
public sealed record CloudKeyPair(string Name, string KeyPairId, string KeyType, string Fingerprint);

/// <summary>An availability zone (not a Local or Wavelength Zone) the account may use.</summary>
public sealed record CloudZone(string Name, string ZoneId, string State);

/// <summary>An instance type offered in a zone; the price is the product's estimate, null when it has none.</summary>
public sealed record CloudInstanceType(string InstanceType, int Vcpus, long MemoryMiB, string Architecture, decimal? OnDemandHourlyUsd);

public sealed record CloudVpc(string VpcId, string CidrBlock, bool IsDefault, string? Name, IReadOnlyDictionary<string, string> Tags);

public sealed record CloudSubnet(
    string SubnetId, string AvailabilityZone, string CidrBlock, bool MapPublicIpOnLaunch, int AvailableIpAddressCount,
    string? Name, IReadOnlyDictionary<string, string> Tags);

/// <summary>
/// What a cloud account offers in a region, read live from the account (through its role), for the
/// choices a cluster spec makes: key pair, zones, instance types, VPC and subnets. Read-only: any
/// role that may read the project may ask.
/// </summary>
public sealed class CloudAccountResourceService(ICloudAccountStore accounts, ICloudAccountReader reader)
{
    public async Task<IReadOnlyList<CloudKeyPair>> KeyPairsAsync(Caller caller, ProjectScope scope, string name, string region, CancellationToken ct)
    {
        var account = await AccountAsync(caller, scope, name, region, ct);
        return [.. (await reader.KeyPairsAsync(scope, account, region, ct)).OrderBy(k => k.Name, StringComparer.Ordinal)];
    }

    public async Task<IReadOnlyList<CloudZone>> AvailabilityZonesAsync(Caller caller, ProjectScope scope, string name, string region, CancellationToken ct)
    {
        var account = await AccountAsync(caller, scope, name, region, ct);
        return [.. (await reader.AvailabilityZonesAsync(scope, account, region, ct)).OrderBy(z => z.Name, StringComparer.Ordinal)];
    }

    /// <summary>The types offered in <paramref name="zone"/>, each with the estimate's on-demand price, by name.</summary>
    public async Task<IReadOnlyList<CloudInstanceType>> InstanceTypesAsync(Caller caller, ProjectScope scope, string name, string region, string? zone, CancellationToken ct)
    {
        var account = await AccountAsync(caller, scope, name, region, ct, rules => ClusterSpecValidator.Zone(rules, "zone", zone, region));
        var types = await reader.InstanceTypesAsync(scope, account, region, zone!, ct);
        return [.. types
            .Select(t => t with { OnDemandHourlyUsd = Prices.InstanceHour(t.InstanceType) })
            .OrderBy(t => t.InstanceType, StringComparer.Ordinal)];
    }

    public async Task<IReadOnlyList<CloudVpc>> VpcsAsync(Caller caller, ProjectScope scope, string name, string region, CancellationToken ct)
    {
        var account = await AccountAsync(caller, scope, name, region, ct);
        return [.. (await reader.VpcsAsync(scope, account, region, ct)).OrderBy(v => v.VpcId, StringComparer.Ordinal)];
    }

    public async Task<IReadOnlyList<CloudSubnet>> SubnetsAsync(Caller caller, ProjectScope scope, string name, string region, string vpcId, CancellationToken ct)
    {
        var account = await AccountAsync(caller, scope, name, region, ct, rules =>
        {
            if (rules.Required("vpcId", vpcId))
                ClusterSpecValidator.VpcId(rules, "vpcId", vpcId);
        });
        var subnets = await reader.SubnetsAsync(scope, account, region, vpcId, ct)
            ?? throw new NotFoundException($"VPC '{vpcId}' not found in region {region} of cloud account '{name}'");
        return [.. subnets.OrderBy(s => s.AvailabilityZone, StringComparer.Ordinal).ThenBy(s => s.SubnetId, StringComparer.Ordinal)];
    }

    /// <summary>
    /// The caller may read the project, the region is one a cluster may use (and the other inputs
    /// keep their rules), and the account exists: checked in that order, before any cloud call.
    /// </summary>
    private async Task<CloudAccount> AccountAsync(Caller caller, ProjectScope scope, string name, string region, CancellationToken ct, Action<Rules>? otherInputs = null)
    {
        caller.Demand(Permission.Read, scope.Project);
        var rules = new Rules();
        ClusterSpecValidator.Region(rules, "region", region);
        otherInputs?.Invoke(rules);
        rules.ThrowIfInvalid();
        return await accounts.GetAsync(scope, name, ct) ?? throw new NotFoundException($"cloud account '{name}' not found");
    }
}
