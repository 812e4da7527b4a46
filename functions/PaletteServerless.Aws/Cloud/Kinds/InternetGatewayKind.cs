using Amazon.EC2;
using Amazon.EC2.Model;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Aws.Cloud.Kinds;

/// <summary>The internet gateway, attached to the cluster's VPC; detached before it is deleted.</summary>
public sealed class InternetGatewayKind(ClusterResources resources) : IDeletableKind
{
    public const string Role = "common";
    private IAmazonEC2 Ec2 => resources.Cloud.Ec2;

    /// <summary>
    /// Makes sure the gateway exists and is attached to the VPC; returns its id. A gateway needs no
    /// VPC to be created, so it is made while the VPC is (<paramref name="vpc"/>), and attached once that exists.
    /// </summary>
    public async Task<string> EnsureAsync(Task<string> vpc, CancellationToken ct)
    {
        var name = $"{resources.Cluster.Name}-igw";
        var item = await resources.EnsureAsync(ResourceKinds.InternetGateway, Role, null, name,
            async () => await FindOwnedAsync(ct) is { } id ? (id, null) : null,
            async () => ((await Ec2.CreateInternetGatewayAsync(new CreateInternetGatewayRequest
            {
                TagSpecifications = resources.TagsAtCreation(ResourceType.InternetGateway, name, Role),
            }, ct)).InternetGateway.InternetGatewayId, null),
            ct);
        var vpcId = await vpc;
        var current = await Ec2.DescribeInternetGatewaysAsync(new DescribeInternetGatewaysRequest { InternetGatewayIds = [item.Id] }, ct);
        if (current.InternetGateways?.FirstOrDefault()?.Attachments?.Any(a => a.VpcId == vpcId) != true)
            await CloudErrors.CreateAsync("attach internet gateway", () => Ec2.AttachInternetGatewayAsync(new AttachInternetGatewayRequest { InternetGatewayId = item.Id, VpcId = vpcId }, ct));
        return item.Id;
    }

    public async Task<string?> FindOwnedAsync(CancellationToken ct) =>
        (await Ec2.DescribeInternetGatewaysAsync(new DescribeInternetGatewaysRequest { Filters = resources.Owned(Role) }, ct))
            .InternetGateways?.FirstOrDefault()?.InternetGatewayId;

    public async Task<bool> DeleteAsync(DeletePass pass, CancellationToken ct)
    {
        foreach (var item in resources.All(ResourceKinds.InternetGateway).ToList())
        {
            var (read, gateway) = await pass.Read("describe internet gateway", async () =>
                (await Ec2.DescribeInternetGatewaysAsync(new DescribeInternetGatewaysRequest { Filters = [new Filter("internet-gateway-id", [item.Id])] }, ct)).InternetGateways?.FirstOrDefault());
            if (!read)
                continue;
            if (gateway is null)
            {
                await resources.ForgetAsync(item, ct);
                continue;
            }
            foreach (var attachment in gateway.Attachments ?? [])
                await pass.Attempt($"detach {item.Id}", () => Ec2.DetachInternetGatewayAsync(new DetachInternetGatewayRequest { InternetGatewayId = item.Id, VpcId = attachment.VpcId }, ct));
            if (await pass.Attempt($"delete internet gateway {item.Id}", () => Ec2.DeleteInternetGatewayAsync(new DeleteInternetGatewayRequest { InternetGatewayId = item.Id }, ct)))
                await resources.ForgetAsync(item, ct);
        }
        return !resources.All(ResourceKinds.InternetGateway).Any();
    }
}
