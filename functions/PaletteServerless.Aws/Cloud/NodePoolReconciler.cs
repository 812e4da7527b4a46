using Amazon.EC2;
using Amazon.EC2.Model;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Profiles;
using PaletteServerless.Domain.Provisioning;
using NodeUserData = PaletteServerless.Domain.Provisioning.UserData;

namespace PaletteServerless.Aws.Cloud;

/// <summary>
/// The node pools' instances, one RunInstances per planned instance with its own ClientToken, so
/// a re-run returns the same instance instead of starting another.
/// </summary>
public sealed class NodePoolReconciler(ClusterResources resources)
{
    private IAmazonEC2 Ec2 => resources.Cloud.Ec2;

    public async Task CreateAsync(ClusterPlan plan, ClusterProfile profile, ClusterSecrets secrets, IReadOnlyDictionary<string, string> subnetByZoneAndRole, CancellationToken ct)
    {
        var apiHost = resources.Find(ResourceKinds.LoadBalancer)?.Attributes?.GetValueOrDefault("dnsName")
            ?? throw new ProvisioningFailedException("the API load balancer must exist before the nodes (their kubeadm joins it)");
        var architectures = await MachineImages.ArchitecturesAsync(Ec2, plan.Instances.Select(i => i.InstanceType), ct);
        var images = new Dictionary<string, string>();
        foreach (var architecture in architectures.Values.Distinct())
            images[architecture] = await MachineImages.UbuntuAsync(Ec2, architecture, ct)
                ?? throw new ProvisioningFailedException($"no Ubuntu 22.04 {architecture} image in {plan.Region}");

        foreach (var instance in plan.Instances)
        {
            var role = instance.Role == NodePoolRoles.ControlPlane ? SecurityGroupRoles.ControlPlane : SecurityGroupRoles.Node;
            var subnet = subnetByZoneAndRole[$"{instance.AvailabilityZone}/{instance.Role}"];
            var extra = new Dictionary<string, string> { ["palette.serverless/pool"] = instance.Pool };
            var attributes = new Dictionary<string, string> { ["role"] = instance.Role, ["pool"] = instance.Pool };
            await resources.EnsureAsync(ResourceKinds.Instance, instance.Name, instance.AvailabilityZone, instance.Name,
                async () => (await Ec2.DescribeInstancesAsync(new DescribeInstancesRequest
                {
                    Filters = resources.Owned(role, new Filter("tag:Name", [instance.Name]),
                        new Filter("instance-state-name", ["pending", "running"])),
                }, ct)).Reservations?.SelectMany(r => r.Instances ?? []).FirstOrDefault() is { } found ? (found.InstanceId, attributes) : null,
                async () =>
                {
                    var userData = NodeUserData.Build(resources.Cluster, profile, instance, apiHost, secrets);
                    var response = await Ec2.RunInstancesAsync(new RunInstancesRequest
                    {
                        ClientToken = instance.ClientToken,
                        MinCount = 1,
                        MaxCount = 1,
                        ImageId = images[architectures[instance.InstanceType]],
                        InstanceType = instance.InstanceType,
                        KeyName = resources.Cluster.Spec.Cloud!.SshKeyName,
                        SubnetId = subnet,
                        SecurityGroupIds = [resources.Id(ResourceKinds.SecurityGroup, role)],
                        UserData = NodeUserData.Encode(userData),
                        BlockDeviceMappings =
                        [
                            new BlockDeviceMapping
                            {
                                DeviceName = "/dev/sda1",
                                Ebs = new EbsBlockDevice { VolumeSize = instance.DiskSizeGiB, VolumeType = VolumeType.Gp3, DeleteOnTermination = true },
                            },
                        ],
                        InstanceMarketOptions = instance.CapacityType == CapacityTypes.Spot
                            ? new InstanceMarketOptionsRequest
                            {
                                MarketType = MarketType.Spot,
                                SpotOptions = new SpotMarketOptions
                                {
                                    MaxPrice = instance.MaxSpotPrice?.ToString(System.Globalization.CultureInfo.InvariantCulture),
                                    SpotInstanceType = SpotInstanceType.OneTime,
                                },
                            }
                            : null,
                        TagSpecifications =
                        [
                            new TagSpecification { ResourceType = ResourceType.Instance, Tags = resources.Tags(instance.Name, role, extra) },
                            new TagSpecification { ResourceType = ResourceType.Volume, Tags = resources.Tags($"{instance.Name}-root", role, extra) },
                        ],
                    }, ct);
                    return (response.Reservation.Instances![0].InstanceId, attributes);
                },
                ct);
        }
    }

    /// <summary>True when every instance runs; an instance that stopped or terminated on its own fails the create.</summary>
    public async Task<bool> CheckAsync(CancellationToken ct)
    {
        var ids = resources.All(ResourceKinds.Instance).Select(i => i.Id).ToList();
        // One describe for all of the cluster's instances per poll.
        var instances = (await Ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = ids }, ct))
            .Reservations?.SelectMany(r => r.Instances ?? []).ToList() ?? [];
        var lost = instances.Where(i => i.State.Name != InstanceStateName.Pending && i.State.Name != InstanceStateName.Running).ToList();
        if (lost.Count > 0)
            throw new ProvisioningFailedException("instance(s) did not start: " + string.Join("; ", lost.Select(i => $"{i.InstanceId} is {i.State.Name}: {i.StateReason?.Message}")));
        return instances.Count == ids.Count && instances.All(i => i.State.Name == InstanceStateName.Running);
    }
}
