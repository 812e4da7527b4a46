using Amazon.EC2;
using Amazon.EC2.Model;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Aws.Cloud.Kinds;

/// <summary>The cluster's VPC (dynamic placement): ensure, find the tagged one, delete last.</summary>
public sealed class VpcKind(ClusterResources resources) : IDeletableKind
{
    public const string Role = "common";
    private IAmazonEC2 Ec2 => resources.Cloud.Ec2;

    public async Task<string> EnsureAsync(ClusterPlan plan, CancellationToken ct)
    {
        var name = $"{plan.Name}-vpc";
        var item = await resources.EnsureAsync(ResourceKinds.Vpc, Role, null, name,
            async () => await FindOwnedAsync(ct) is { } id ? (id, null) : null,
            async () => ((await Ec2.CreateVpcAsync(new CreateVpcRequest
            {
                CidrBlock = plan.VpcCidr,
                TagSpecifications = resources.TagsAtCreation(ResourceType.Vpc, name, Role),
            }, ct)).Vpc.VpcId, null),
            ct);
        return item.Id;
    }

    /// <summary>The VPC that carries this cluster's ownership tags, if any.</summary>
    public async Task<string?> FindOwnedAsync(CancellationToken ct) =>
        (await Ec2.DescribeVpcsAsync(new DescribeVpcsRequest { Filters = resources.Owned(Role) }, ct)).Vpcs?.FirstOrDefault()?.VpcId;

    public async Task<bool> DeleteAsync(DeletePass pass, CancellationToken ct)
    {
        foreach (var item in resources.All(ResourceKinds.Vpc).ToList())
        {
            if (await pass.Attempt($"delete VPC {item.Id}", () => Ec2.DeleteVpcAsync(new DeleteVpcRequest { VpcId = item.Id }, ct)))
                await resources.ForgetAsync(item, ct);
            else
                await pass.NameNetworkBlockersAsync(resources.Cloud, new Filter("vpc-id", [item.Id]), ct);
        }
        return !resources.All(ResourceKinds.Vpc).Any();
    }
}
