using Amazon.EC2;
using Amazon.EC2.Model;

namespace PaletteServerless.Aws.Cloud.Kinds;

/// <summary>
/// DescribeInstances for many instances: the ids in filters of at most <see cref="IdsPerCall"/> values, each answer read
/// page by page (MaxResults and NextToken), so a pool of hundreds of nodes is read in a few calls and none is lost to a
/// page boundary.
/// </summary>
public static class InstancePages
{
    /// <summary>Values per filter of one call (EC2 refuses more than 200 values in a filter).</summary>
    public const int IdsPerCall = 200;

    /// <summary>Instances per page (DescribeInstances' MaxResults allows 5 to 1000).</summary>
    public const int PageSize = 1000;

    public static async Task<List<Instance>> DescribeAllAsync(this IAmazonEC2 ec2, IEnumerable<string> instanceIds, CancellationToken ct) =>
        await DescribeAllAsync(ec2, "instance-id", instanceIds, ct);

    /// <summary>Every instance whose <paramref name="filter"/> is one of <paramref name="values"/>, in calls of at most <see cref="IdsPerCall"/> values.</summary>
    public static async Task<List<Instance>> DescribeAllAsync(this IAmazonEC2 ec2, string filter, IEnumerable<string> values, CancellationToken ct)
    {
        var instances = new List<Instance>();
        foreach (var chunk in values.Distinct(StringComparer.Ordinal).Chunk(IdsPerCall))
        {
            string? next = null;
            do
            {
                var response = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest
                {
                    Filters = [new Filter(filter, [.. chunk])], MaxResults = PageSize, NextToken = next,
                }, ct);
                instances.AddRange(response.Reservations?.SelectMany(r => r.Instances ?? []) ?? []);
                next = string.IsNullOrEmpty(response.NextToken) ? null : response.NextToken;
            }
            while (next is not null);
        }
        return instances;
    }
}
