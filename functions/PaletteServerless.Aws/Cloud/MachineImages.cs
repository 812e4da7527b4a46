using Amazon.EC2;
using Amazon.EC2.Model;

namespace PaletteServerless.Aws.Cloud;

/// <summary>The OS image of a node: Canonical's newest Ubuntu 22.04 for the instance type's architecture.</summary>
public static class MachineImages
{
    public const string CanonicalOwnerId = "099720109477";

    /// <summary>Instance type -> its architecture (x86_64 or arm64), from one DescribeInstanceTypes call.</summary>
    public static async Task<Dictionary<string, string>> ArchitecturesAsync(IAmazonEC2 ec2, IEnumerable<string> instanceTypes, CancellationToken ct)
    {
        var types = instanceTypes.Distinct().ToList();
        var response = await ec2.DescribeInstanceTypesAsync(new DescribeInstanceTypesRequest { InstanceTypes = types }, ct);
        return (response.InstanceTypes ?? []).ToDictionary(
            t => t.InstanceType.Value,
            t => t.ProcessorInfo?.SupportedArchitectures?.Contains("arm64") == true ? "arm64" : "x86_64");
    }

    /// <summary>The image id for an architecture, or null when the region has none.</summary>
    public static async Task<string?> UbuntuAsync(IAmazonEC2 ec2, string architecture, CancellationToken ct)
    {
        var suffix = architecture == "arm64" ? "arm64" : "amd64";
        var response = await ec2.DescribeImagesAsync(new DescribeImagesRequest
        {
            Owners = [CanonicalOwnerId],
            Filters =
            [
                new Filter("name", [$"ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-{suffix}-server-*"]),
                new Filter("architecture", [architecture]),
            ],
        }, ct);
        return (response.Images ?? []).OrderByDescending(i => i.CreationDate).FirstOrDefault()?.ImageId;
    }
}
