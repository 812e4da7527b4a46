using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Manifest;

namespace PaletteServerless.Aws.Cloud;

/// <summary>
/// Reads a cloud account's key pairs, zones, instance types, VPCs and subnets through the session
/// seam (the account's role, as the provisioning steps act), through its catalog port (<see cref="IComputeCatalog"/>), which
/// follows every page of the cloud's answer.
/// </summary>
public sealed class CloudAccountReader(ICloudSessionOpener sessions) : ICloudAccountReader
{
    private const string SessionName = "palette-cloud-account-read";

    /// <summary>The codes by which AWS says the credentials or the role do not allow the call.</summary>
    private static readonly HashSet<string> Denied = new(StringComparer.Ordinal)
    {
        "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthFailure", "InvalidClientTokenId",
        "ExpiredToken", "RegionDisabledException",
    };

    public Task<IReadOnlyList<CloudKeyPair>> KeyPairsAsync(ProjectScope scope, CloudAccount account, string region, CancellationToken ct) =>
        ReadAsync(scope, account, region, "key pairs", catalog => catalog.KeyPairsAsync(null, ct), ct);

    public Task<IReadOnlyList<CloudZone>> AvailabilityZonesAsync(ProjectScope scope, CloudAccount account, string region, CancellationToken ct) =>
        ReadAsync(scope, account, region, "availability zones", catalog => catalog.AvailabilityZonesAsync(ct), ct);

    public Task<IReadOnlyList<CloudInstanceType>> InstanceTypesAsync(ProjectScope scope, CloudAccount account, string region, string zone, CancellationToken ct) =>
        ReadAsync(scope, account, region, "instance types", async catalog =>
        {
            var offered = (await catalog.OfferingsAsync(null, zone, ct)).Select(o => o.InstanceType).Distinct(StringComparer.Ordinal).ToList();
            if (offered.Count == 0 && (await catalog.AvailabilityZonesAsync(ct)).All(z => z.Name != zone))
                throw new ValidationFailedException("zone", $"is not an availability zone of region {region} that cloud account '{account.Name}' may use");
            return (IReadOnlyList<CloudInstanceType>)[.. (await catalog.InstanceTypesAsync(offered, ct))
                .Select(t => new CloudInstanceType(t.Name, t.DefaultVcpus, t.MemoryMiB, Architecture(t.Architectures), OnDemandHourlyUsd: null))];
        }, ct);

    public Task<IReadOnlyList<CloudVpc>> VpcsAsync(ProjectScope scope, CloudAccount account, string region, CancellationToken ct) =>
        ReadAsync(scope, account, region, "VPCs", catalog => catalog.VpcsAsync(ct), ct);

    public Task<IReadOnlyList<CloudSubnet>?> SubnetsAsync(ProjectScope scope, CloudAccount account, string region, string vpcId, CancellationToken ct) =>
        ReadAsync(scope, account, region, "subnets", async catalog =>
        {
            if (await catalog.VpcAsync(vpcId, ct) is null)
                return null;
            return (IReadOnlyList<CloudSubnet>?)[.. (await catalog.SubnetsOfVpcAsync(vpcId, ct)).Select(s => new CloudSubnet(
                s.SubnetId, s.AvailabilityZone, s.CidrBlock, s.MapPublicIpOnLaunch, s.AvailableIpAddressCount, s.Tags.GetValueOrDefault("Name"), s.Tags))];
        }, ct);

    /// <summary>A type lists every architecture it runs (i386 beside x86_64 on older types): the one a cluster's image is built for.</summary>
    private static string Architecture(IReadOnlyList<string> supported)
    {
        if (supported.Count == 0)
            return "unknown";
        return supported.FirstOrDefault(a => a is "arm64" or "x86_64") ?? supported[0];
    }

    /// <summary>Opens the account's session and reads; a refusal by AWS becomes a <see cref="CloudAccessDeniedException"/> that says whose.</summary>
    private async Task<T> ReadAsync<T>(ProjectScope scope, CloudAccount account, string region, string what, Func<IComputeCatalog, Task<T>> read, CancellationToken ct)
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
                return await read(session.Catalog);
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
