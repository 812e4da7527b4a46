using Amazon.EC2;
using Amazon.EC2.Model;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Aws.Cloud.Kinds;

/// <summary>Security group roles and the rules Cluster API gives them (Cluster API Provider AWS's default security groups).</summary>
public static class SecurityGroupRoles
{
    public const string LoadBalancer = "apiserver-lb";
    public const string ControlPlane = "controlplane";
    public const string Node = "node";
    public static readonly string[] All = [LoadBalancer, ControlPlane, Node];
}

/// <summary>The load balancer, control-plane and node security groups with their ingress rules.</summary>
public sealed class SecurityGroupKind(ClusterResources resources) : IDeletableKind
{
    private IAmazonEC2 Ec2 => resources.Cloud.Ec2;

    public async Task EnsureAsync(string vpcId, string vpcCidr, string scheme, CancellationToken ct)
    {
        // The three groups, then their rules, side by side: none depends on another until the rules name them.
        var made = await Task.WhenAll(SecurityGroupRoles.All.Select(async role =>
        {
            var name = $"{resources.Cluster.Name}-{role}";
            var item = await resources.EnsureAsync(ResourceKinds.SecurityGroup, role, null, name,
                async () => await FindOwnedAsync(vpcId, role, ct) is { } id ? (id, null) : null,
                async () => ((await Ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest
                {
                    GroupName = $"{name}-{resources.Cluster.Uid[..8]}",
                    Description = $"PaletteServerless {role} of cluster {resources.Cluster.Name}",
                    VpcId = vpcId,
                    TagSpecifications = resources.TagsAtCreation(ResourceType.SecurityGroup, name, role),
                }, ct)).GroupId, null),
                ct);
            return (Role: role, item.Id);
        }));
        var ids = made.ToDictionary(m => m.Role, m => m.Id);
        var lb = ids[SecurityGroupRoles.LoadBalancer];
        var cp = ids[SecurityGroupRoles.ControlPlane];
        var node = ids[SecurityGroupRoles.Node];
        var apiClients = scheme == "internal" ? vpcCidr : "0.0.0.0/0";
        await Task.WhenAll(
            AuthorizeAsync(lb, [Cidr(6443, 6443, apiClients)], ct),
            AuthorizeAsync(cp, [Groups(6443, 6443, lb, cp, node), Groups(2379, 2380, cp)], ct),
            AuthorizeAsync(node, [Groups(30000, 32767, cp, node), Groups(10250, 10250, cp, node)], ct));
    }

    public async Task<string?> FindOwnedAsync(string vpcId, string role, CancellationToken ct) =>
        (await Ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest
        {
            Filters = resources.Owned(role, new Filter("vpc-id", [vpcId])),
        }, ct)).SecurityGroups?.FirstOrDefault()?.GroupId;

    public async Task<bool> DeleteAsync(DeletePass pass, CancellationToken ct)
    {
        var items = resources.All(ResourceKinds.SecurityGroup).ToList();
        // Groups of one cluster reference each other: revoke those rules first, or no group can go.
        await DeletePass.EachAsync(items, async item =>
        {
            var (_, group) = await pass.Read("describe security group", async () =>
                (await Ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { Filters = [new Filter("group-id", [item.Id])] }, ct)).SecurityGroups?.FirstOrDefault());
            if (group is null)
                return true;
            var referencing = (group.IpPermissions ?? []).Where(p => p.UserIdGroupPairs is { Count: > 0 }).ToList();
            return referencing.Count == 0
                || await pass.Attempt($"revoke rules of {item.Id}", () => Ec2.RevokeSecurityGroupIngressAsync(new RevokeSecurityGroupIngressRequest { GroupId = item.Id, IpPermissions = referencing }, ct));
        });
        await DeletePass.EachAsync(items, async item =>
        {
            if (!await pass.Attempt($"delete security group {item.Id}", () => Ec2.DeleteSecurityGroupAsync(new DeleteSecurityGroupRequest { GroupId = item.Id }, ct)))
                return false;
            await resources.ForgetAsync(item, ct);
            return true;
        });
        return !resources.All(ResourceKinds.SecurityGroup).Any();
    }

    private async Task AuthorizeAsync(string groupId, List<IpPermission> wanted, CancellationToken ct)
    {
        var group = (await Ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { GroupIds = [groupId] }, ct)).SecurityGroups![0];
        var missing = wanted.Where(w => !(group.IpPermissions ?? []).Any(p => Covers(p, w))).ToList();
        if (missing.Count == 0)
            return;
        try
        {
            await Ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = missing }, ct);
        }
        catch (AmazonEC2Exception ex) when (ex.ErrorCode == "InvalidPermission.Duplicate")
        {
            // A concurrent run added it first.
        }
    }

    private static bool Covers(IpPermission existing, IpPermission wanted) =>
        existing.IpProtocol == wanted.IpProtocol && existing.FromPort == wanted.FromPort && existing.ToPort == wanted.ToPort
        && (wanted.Ipv4Ranges ?? []).All(r => (existing.Ipv4Ranges ?? []).Any(e => e.CidrIp == r.CidrIp))
        && (wanted.UserIdGroupPairs ?? []).All(g => (existing.UserIdGroupPairs ?? []).Any(e => e.GroupId == g.GroupId));

    private static IpPermission Cidr(int from, int to, string cidr) => new()
    {
        IpProtocol = "tcp", FromPort = from, ToPort = to, Ipv4Ranges = [new IpRange { CidrIp = cidr }],
    };

    private static IpPermission Groups(int from, int to, params string[] groupIds) => new()
    {
        IpProtocol = "tcp", FromPort = from, ToPort = to, UserIdGroupPairs = groupIds.Select(id => new UserIdGroupPair { GroupId = id }).ToList(),
    };
}
