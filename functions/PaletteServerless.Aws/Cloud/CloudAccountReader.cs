using Amazon.EC2;
using Amazon.EC2.Model;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Manifest;

namespace PaletteServerless.Aws.Cloud;

/// <summary>
/// Reads a cloud account's key pairs, zones, instance types, VPCs and subnets through the session
/// seam (the account's role, as the provisioning steps act), following every page of EC2's answer.
/// </summary>
/// <param name="pageSize">MaxResults asked of the paged calls (within each call's own bounds); tests ask for small pages.</param>
public sealed class CloudAccountReader(ICloudSessionOpener sessions, int pageSize = 1000) : ICloudAccountReader
{
    private const string SessionName = "palette-cloud-account-read";

    /// <summary>EC2 takes at most 100 names in one DescribeInstanceTypes, and at most 100 results a page.</summary>
    private const int InstanceTypesPerCall = 100;

    /// <summary>The codes by which AWS says the credentials or the role do not allow the call.</summary>
    private static readonly HashSet<string> Denied = new(StringComparer.Ordinal)
    {
        "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthFailure", "InvalidClientTokenId",
        "ExpiredToken", "RegionDisabledException",
    };

    public Task<IReadOnlyList<CloudKeyPair>> KeyPairsAsync(ProjectScope scope, CloudAccount account, string region, CancellationToken ct) =>
        ReadAsync(scope, account, region, "key pairs", async ec2 =>
        {
            // DescribeKeyPairs has no paging: one answer holds every key pair of the region.
            var response = await ec2.DescribeKeyPairsAsync(new DescribeKeyPairsRequest(), ct);
            return (IReadOnlyList<CloudKeyPair>)[.. (response.KeyPairs ?? []).Select(k =>
                new CloudKeyPair(k.KeyName, k.KeyPairId, k.KeyType?.Value ?? "rsa", k.KeyFingerprint))];
        }, ct);

    public Task<IReadOnlyList<CloudZone>> AvailabilityZonesAsync(ProjectScope scope, CloudAccount account, string region, CancellationToken ct) =>
        ReadAsync(scope, account, region, "availability zones", ec2 => ZonesAsync(ec2, ct), ct);

    public Task<IReadOnlyList<CloudInstanceType>> InstanceTypesAsync(ProjectScope scope, CloudAccount account, string region, string zone, CancellationToken ct) =>
        ReadAsync(scope, account, region, "instance types", async ec2 =>
        {
            var offered = new List<string>();
            var offerings = ec2.Paginators.DescribeInstanceTypeOfferings(new DescribeInstanceTypeOfferingsRequest
            {
                LocationType = LocationType.AvailabilityZone,
                Filters = [new Filter("location", [zone])],
                MaxResults = Math.Min(pageSize, 1000),
            });
            await foreach (var offering in offerings.InstanceTypeOfferings.WithCancellation(ct))
                offered.Add(offering.InstanceType.Value);
            if (offered.Count == 0 && (await ZonesAsync(ec2, ct)).All(z => z.Name != zone))
                throw new ValidationFailedException("zone", $"is not an availability zone of region {region} that cloud account '{account.Name}' may use");

            var types = new List<CloudInstanceType>();
            foreach (var names in offered.Distinct(StringComparer.Ordinal).Chunk(InstanceTypesPerCall))
            {
                var pages = ec2.Paginators.DescribeInstanceTypes(new DescribeInstanceTypesRequest
                {
                    InstanceTypes = [.. names],
                    MaxResults = Math.Min(pageSize, InstanceTypesPerCall),
                });
                await foreach (var type in pages.InstanceTypes.WithCancellation(ct))
                {
                    types.Add(new CloudInstanceType(
                        type.InstanceType.Value,
                        type.VCpuInfo?.DefaultVCpus ?? 0,
                        type.MemoryInfo?.SizeInMiB ?? 0,
                        Architecture(type.ProcessorInfo?.SupportedArchitectures),
                        OnDemandHourlyUsd: null));
                }
            }
            return (IReadOnlyList<CloudInstanceType>)types;
        }, ct);

    public Task<IReadOnlyList<CloudVpc>> VpcsAsync(ProjectScope scope, CloudAccount account, string region, CancellationToken ct) =>
        ReadAsync(scope, account, region, "VPCs", async ec2 =>
        {
            var vpcs = new List<CloudVpc>();
            await foreach (var vpc in ec2.Paginators.DescribeVpcs(new DescribeVpcsRequest { MaxResults = Math.Min(pageSize, 1000) }).Vpcs.WithCancellation(ct))
            {
                var tags = Tags(vpc.Tags);
                vpcs.Add(new CloudVpc(vpc.VpcId, vpc.CidrBlock, vpc.IsDefault ?? false, tags.GetValueOrDefault("Name"), tags));
            }
            return (IReadOnlyList<CloudVpc>)vpcs;
        }, ct);

    public Task<IReadOnlyList<CloudSubnet>?> SubnetsAsync(ProjectScope scope, CloudAccount account, string region, string vpcId, CancellationToken ct) =>
        ReadAsync(scope, account, region, "subnets", async ec2 =>
        {
            try
            {
                await ec2.DescribeVpcsAsync(new DescribeVpcsRequest { VpcIds = [vpcId] }, ct);
            }
            catch (AmazonEC2Exception ex) when (ex.ErrorCode == "InvalidVpcID.NotFound")
            {
                return null;
            }
            var subnets = new List<CloudSubnet>();
            var pages = ec2.Paginators.DescribeSubnets(new DescribeSubnetsRequest
            {
                Filters = [new Filter("vpc-id", [vpcId])],
                MaxResults = Math.Min(pageSize, 1000),
            });
            await foreach (var subnet in pages.Subnets.WithCancellation(ct))
            {
                var tags = Tags(subnet.Tags);
                subnets.Add(new CloudSubnet(subnet.SubnetId, subnet.AvailabilityZone, subnet.CidrBlock, subnet.MapPublicIpOnLaunch ?? false,
                    subnet.AvailableIpAddressCount ?? 0, tags.GetValueOrDefault("Name"), tags));
            }
            return (IReadOnlyList<CloudSubnet>?)subnets;
        }, ct);

    /// <summary>
    /// Only zones proper (no Local or Wavelength Zone) that the account may use: without
    /// AllAvailabilityZones EC2 lists only opted-in zones, and the filters say so again.
    /// </summary>
    private static async Task<IReadOnlyList<CloudZone>> ZonesAsync(IAmazonEC2 ec2, CancellationToken ct)
    {
        var response = await ec2.DescribeAvailabilityZonesAsync(new DescribeAvailabilityZonesRequest
        {
            Filters = [new Filter("zone-type", ["availability-zone"])],
        }, ct);
        return [.. (response.AvailabilityZones ?? [])
            .Where(z => z.ZoneType is null or "availability-zone"
                && (z.OptInStatus is null || z.OptInStatus == AvailabilityZoneOptInStatus.OptInNotRequired || z.OptInStatus == AvailabilityZoneOptInStatus.OptedIn))
            .Select(z => new CloudZone(z.ZoneName, z.ZoneId, z.State?.Value ?? "available"))];
    }

    /// <summary>A type lists every architecture it runs (i386 beside x86_64 on older types): the one a cluster's image is built for.</summary>
    private static string Architecture(List<string>? supported)
    {
        if (supported is null || supported.Count == 0)
            return "unknown";
        return supported.FirstOrDefault(a => a is "arm64" or "x86_64") ?? supported[0];
    }

    private static Dictionary<string, string> Tags(List<Tag>? tags) =>
        (tags ?? []).GroupBy(t => t.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value ?? "", StringComparer.Ordinal);

    /// <summary>Opens the account's session and reads; a refusal by AWS becomes a <see cref="CloudAccessDeniedException"/> that says whose.</summary>
    private async Task<T> ReadAsync<T>(ProjectScope scope, CloudAccount account, string region, string what, Func<IAmazonEC2, Task<T>> read, CancellationToken ct)
    {
        ICloudSession session;
        try
        {
            session = await sessions.OpenAsync(account, region, SessionScope.OfProject(FunctionCatalog.Api.Name, scope, SessionName), ct);
        }
        catch (Exception ex) when (CloudErrors.Code(ex) is { } code && Denied.Contains(code))
        {
            throw new CloudAccessDeniedException(
                $"the role {account.RoleArn} of cloud account '{account.Name}' cannot be assumed ({code}: {ex.Message}); its trust policy must trust the product and require the account's external id");
        }
        catch (HttpRequestException ex)
        {
            throw Unreachable("STS", region, ex);
        }
        using (session)
        {
            try
            {
                return await read(session.Ec2);
            }
            catch (HttpRequestException ex)
            {
                throw Unreachable("EC2", region, ex);
            }
            catch (Exception ex) when (CloudErrors.Code(ex) is "OptInRequired")
            {
                throw new ValidationFailedException("region", $"is not enabled in the AWS account of cloud account '{account.Name}' (OptInRequired)");
            }
            catch (Exception ex) when (CloudErrors.Code(ex) is { } code && Denied.Contains(code))
            {
                throw new CloudAccessDeniedException(
                    $"the role of cloud account '{account.Name}' may not list {what} in {region} ({code}: {ex.Message}); it needs the read permissions of the product's target-account policies");
            }
        }
    }

    // A well-formed region AWS does not have, or a network failure, leaves no endpoint to reach: a 503, never a 500.
    private static ServiceUnavailableException Unreachable(string service, string region, HttpRequestException ex) =>
        new($"{service} in region {region} could not be reached; check that {region} is an AWS region, then try again", ex);
}
