using Amazon.EC2;
using Amazon.EC2.Model;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Aws.Cloud.Kinds;

/// <summary>A public and a private subnet per zone (dynamic placement), tagged for load balancer discovery.</summary>
public sealed class SubnetKind(ClusterResources resources) : IDeletableKind
{
    private IAmazonEC2 Ec2 => resources.Cloud.Ec2;

    /// <summary>The subnet of a role ("public" or "private") in a zone.</summary>
    public async Task<string> EnsureAsync(string vpcId, string zone, string cidr, string role, CancellationToken ct)
    {
        var name = $"{resources.Cluster.Name}-subnet-{role}-{zone}";
        var extra = new Dictionary<string, string> { [role == "public" ? ResourceTags.ElbRole : ResourceTags.InternalElbRole] = "1" };
        var item = await resources.EnsureAsync(ResourceKinds.Subnet, role, zone, name,
            async () => await FindOwnedAsync(vpcId, zone, role, ct) is { } id ? (id, null) : null,
            async () => ((await Ec2.CreateSubnetAsync(new CreateSubnetRequest
            {
                VpcId = vpcId,
                CidrBlock = cidr,
                AvailabilityZone = zone,
                TagSpecifications = resources.TagsAtCreation(ResourceType.Subnet, name, role, extra),
            }, ct)).Subnet.SubnetId, null),
            ct);
        return item.Id;
    }

    public async Task<string?> FindOwnedAsync(string vpcId, string zone, string role, CancellationToken ct) =>
        (await Ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest
        {
            Filters = resources.Owned(role, new Filter("availability-zone", [zone]), new Filter("vpc-id", [vpcId])),
        }, ct)).Subnets?.FirstOrDefault()?.SubnetId;

    public async Task<bool> DeleteAsync(DeletePass pass, CancellationToken ct)
    {
        await DeletePass.EachAsync(resources.All(ResourceKinds.Subnet), async item =>
        {
            if (await pass.Attempt($"delete subnet {item.Id}", () => Ec2.DeleteSubnetAsync(new DeleteSubnetRequest { SubnetId = item.Id }, ct)))
            {
                await resources.ForgetAsync(item, ct);
                return true;
            }
            await pass.NameNetworkBlockersAsync(resources.Cloud, new Filter("subnet-id", [item.Id]), ct);
            return false;
        });
        return !resources.All(ResourceKinds.Subnet).Any();
    }
}
