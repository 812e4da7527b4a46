using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Manifest;

namespace PaletteServerless.Aws.Cloud;

/// <summary>
/// Describes a cluster's recorded instances through the session seam (the cluster account's role) and its node port
/// (<see cref="INodeFleet.DescribeAsync"/>), as the node-pool poll reads them: an instance EC2 has already forgotten
/// is left out, never fails the call. A refusal or an AWS error is answered as an error text, so that a list route
/// can still show what the table records.
/// </summary>
public sealed class ClusterInstances(ICloudSessionOpener sessions) : IClusterInstances
{
    public async Task<InstanceDescription> DescribeAsync(Cluster cluster, CloudAccount account, IReadOnlyList<string> instanceIds, CancellationToken ct)
    {
        var region = cluster.Definition.Cloud.Region;
        try
        {
            using var cloud = await sessions.OpenAsync(account, region, SessionScope.OfCluster(FunctionCatalog.Api.Name, cluster, $"nodes-{cluster.Uid}"), ct);
            return new InstanceDescription([.. (await cloud.Nodes.DescribeAsync(instanceIds, ct)).Select(Describe)], null);
        }
        catch (Exception ex) when (ex is CloudServiceException or Amazon.Runtime.AmazonServiceException or Amazon.Runtime.AmazonClientException
            or Clients.AwsServiceException or HttpRequestException)
        {
            var code = CloudErrors.Code(ex) is { } c ? $" ({c})" : "";
            return InstanceDescription.Failed(
                $"EC2 could not be read in {region} through cloud account '{account.Name}'{code}: {ex.Message}; the nodes are shown as recorded");
        }
    }

    /// <summary>One instance as the product shows it: its capacity type is its lifecycle.</summary>
    public static DescribedInstance Describe(NodeInstance instance) => new(
        instance.Id,
        instance.Zone,
        instance.InstanceType,
        instance.Lifecycle,
        instance.State,
        instance.Tag(NodePhases.TagKey),
        instance.LaunchTime,
        instance.PrivateIp,
        instance.Tag(NodePhases.MessageTagKey),
        instance.Tag(NodePhases.KubernetesVersionTagKey));
}
