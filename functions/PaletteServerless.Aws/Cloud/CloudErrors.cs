using Amazon.EC2;
using Amazon.Runtime;
using PaletteServerless.Aws.Clients;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Aws.Cloud;

/// <summary>How we read AWS's error codes: which mean "gone", which "not yet", which "try again later".</summary>
public static class CloudErrors
{
    private static readonly HashSet<string> Throttling = new(StringComparer.Ordinal)
    {
        "RequestLimitExceeded", "Throttling", "ThrottlingException", "InternalError", "InternalFailure",
        "ServiceUnavailable", "Unavailable",
    };

    /// <summary>Still has dependencies: a later pass will succeed once they are gone (the codes kOps treats as "still has dependencies, will retry").</summary>
    private static readonly HashSet<string> Dependency = new(StringComparer.Ordinal)
    {
        "DependencyViolation", "VolumeInUse", "InvalidIPAddress.InUse", "ResourceInUse", "InvalidNetworkInterface.InUse",
        "AuthFailure.ServiceLinkedRoleCreationNotPermitted",
    };

    private static readonly HashSet<string> Capacity = new(StringComparer.Ordinal)
    {
        "InsufficientInstanceCapacity", "VcpuLimitExceeded", "VpcLimitExceeded", "AddressLimitExceeded",
        "InternetGatewayLimitExceeded", "NatGatewayLimitExceeded", "TooManyLoadBalancers", "InstanceLimitExceeded",
        "MaxSpotInstanceCountExceeded", "SpotMaxPriceTooLow", "InsufficientFreeAddressesInSubnet",
    };

    public static string? Code(Exception ex) => ex switch
    {
        AmazonServiceException aws => aws.ErrorCode,
        AwsServiceException ours => ours.ErrorCode,
        CloudServiceException port => port.Code,
        _ => null,
    };

    public static bool IsNotFound(Exception ex) =>
        Code(ex) is { } code && (code.EndsWith(".NotFound", StringComparison.Ordinal) || code.EndsWith("NotFound", StringComparison.Ordinal)
            || code == "InvalidGroup.NotFound" || code == "InvalidAllocationID.NotFound");

    public static bool IsDependency(Exception ex) => Code(ex) is { } code && Dependency.Contains(code);

    public static bool IsTransient(Exception ex) =>
        ex is HttpRequestException or TimeoutException
        || Code(ex) is { } code && Throttling.Contains(code)
        || ex is AmazonServiceException { StatusCode: >= System.Net.HttpStatusCode.InternalServerError }
        || ex is CloudServiceException { Transient: true };

    /// <summary>Turns an AWS error of a create into what the workflow acts on: retry, or roll back with a reason.</summary>
    public static Exception ForCreate(Exception ex, string what)
    {
        var code = Code(ex);
        if (IsTransient(ex) || IsNotFound(ex))
            return new TransientCloudException($"{what}: {code}: {ex.Message}", ex);
        if (code is not null && Capacity.Contains(code))
            return new ProvisioningFailedException($"{what}: {code}: {ex.Message}", ex);
        return new ProvisioningFailedException($"{what}: {code ?? ex.GetType().Name}: {ex.Message}", ex);
    }

    /// <summary>Runs a create; every failure becomes retry-or-rollback for the workflow.</summary>
    public static async Task<T> CreateAsync<T>(string what, Func<Task<T>> create)
    {
        try
        {
            return await create();
        }
        catch (Exception ex) when (ex is AmazonServiceException or AwsServiceException or CloudServiceException or HttpRequestException)
        {
            throw ForCreate(ex, what);
        }
    }

    /// <summary>Runs a create that returns nothing; every failure becomes retry-or-rollback for the workflow.</summary>
    public static Task CreateAsync(string what, Func<Task> create) =>
        CreateAsync(what, async () =>
        {
            await create();
            return true;
        });
}
