using Amazon.EC2.Model;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Manifest;

namespace PaletteServerless.Aws.Cloud;

/// <summary>
/// Describes a cluster's recorded instances through the session seam (the cluster account's role): one
/// DescribeInstances filtered by instance id, as the node-pool poll reads them (a filter, unlike InstanceIds,
/// does not fail the whole call for an instance EC2 has already forgotten). A refusal or an AWS error is
/// answered as an error text, so that a list route can still show what the table records.
/// </summary>
public sealed class ClusterInstances(ICloudSessionOpener sessions) : IClusterInstances
{
    public async Task<InstanceDescription> DescribeAsync(Cluster cluster, CloudAccount account, IReadOnlyList<string> instanceIds, CancellationToken ct)
    {
        var region = cluster.Definition.Cloud.Region;
        try
        {
            using var cloud = await sessions.OpenAsync(account, region, SessionScope.OfCluster(FunctionCatalog.Api.Name, cluster, $"nodes-{cluster.Uid}"), ct);
            var described = new List<DescribedInstance>();
            var pages = cloud.Ec2.Paginators.DescribeInstances(new DescribeInstancesRequest { Filters = [new Filter("instance-id", [.. instanceIds])] });
            await foreach (var reservation in pages.Reservations.WithCancellation(ct))
                described.AddRange((reservation.Instances ?? []).Select(Describe));
            return new InstanceDescription(described, null);
        }
        catch (Exception ex) when (ex is Amazon.Runtime.AmazonServiceException or Amazon.Runtime.AmazonClientException or Clients.AwsServiceException or HttpRequestException)
        {
            var code = CloudErrors.Code(ex) is { } c ? $" ({c})" : "";
            return InstanceDescription.Failed(
                $"EC2 could not be read in {region} through cloud account '{account.Name}'{code}: {ex.Message}; the nodes are shown as recorded");
        }
    }

    /// <summary>One instance as the product shows it; an instance without a lifecycle is on-demand (EC2's own convention).</summary>
    public static DescribedInstance Describe(Instance instance) => new(
        instance.InstanceId,
        instance.Placement?.AvailabilityZone,
        instance.InstanceType?.Value,
        instance.InstanceLifecycle?.Value is { } lifecycle ? lifecycle : CapacityTypes.OnDemand,
        instance.State?.Name?.Value ?? "unknown",
        instance.TagValue(NodePhases.TagKey),
        instance.LaunchTime is { } launched ? new DateTimeOffset(launched.ToUniversalTime(), TimeSpan.Zero) : null,
        instance.PrivateIpAddress,
        instance.TagValue(NodePhases.MessageTagKey),
        instance.TagValue(NodePhases.KubernetesVersionTagKey));
}
