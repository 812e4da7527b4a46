using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Profiles;
using PaletteServerless.Domain.Provisioning;
using NodeUserData = PaletteServerless.Domain.Provisioning.UserData;

namespace PaletteServerless.Aws.Cloud.Kinds;

/// <summary>Security group roles and the rules Cluster API gives them (Cluster API Provider AWS's default security groups).</summary>
public static class SecurityGroupRoles
{
    public const string LoadBalancer = "apiserver-lb";
    public const string ControlPlane = "controlplane";
    public const string Node = "node";
    public static readonly string[] All = [LoadBalancer, ControlPlane, Node];
}

/// <summary>
/// The load balancer, control-plane and node security groups with their ingress rules: the API's
/// clients on the load balancer, and between the cluster's own groups exactly the traffic of
/// <see cref="PackNetworkRequirements"/> (kubeadm's ports and the profile's CNI with its values).
/// Every rule between our groups is ours: <see cref="ReconcileAsync"/> adds the missing ones and
/// revokes those no longer needed, never a rule from anyone else's group or a CIDR (the cloud
/// controller manager's load balancer rules).
/// </summary>
public sealed class SecurityGroupKind(ClusterResources resources) : IDeletableKind
{
    private IClusterNetworkCloud Network => resources.Cloud.Network;

    /// <summary>What a cluster's nodes must admit with this profile (its packs' values merged with the cluster's).</summary>
    public static IReadOnlyList<NodeTraffic> TrafficOf(Cluster cluster, ClusterProfile profile) =>
        PackNetworkRequirements.For(profile, NodeUserData.MergedPackValues(cluster, profile));

    public async Task EnsureAsync(string vpcId, string vpcCidr, string scheme, IReadOnlyList<NodeTraffic> traffic, CancellationToken ct) =>
        await EnsureRulesAsync(await EnsureGroupsAsync(vpcId, ct), vpcCidr, scheme, traffic, ct);

    /// <summary>The three groups, side by side: none depends on another until the rules name them. Returns their ids by role.</summary>
    public async Task<IReadOnlyDictionary<string, string>> EnsureGroupsAsync(string vpcId, CancellationToken ct)
    {
        var made = await Task.WhenAll(SecurityGroupRoles.All.Select(async role =>
        {
            var name = $"{resources.Cluster.Name}-{role}";
            var item = await resources.EnsureAsync(ResourceKinds.SecurityGroup, role, null, name,
                async () => await FindOwnedAsync(vpcId, role, ct) is { } id ? (id, null) : null,
                async () => (await Network.CreateSecurityGroupAsync(vpcId, $"{name}-{resources.Cluster.Uid[..8]}",
                    $"PaletteServerless {role} of cluster {resources.Cluster.Name}", resources.CreationTags(name, role), ct), null),
                ct);
            return (Role: role, item.Id);
        }));
        return made.ToDictionary(m => m.Role, m => m.Id);
    }

    /// <summary>The groups' ingress rules: the API's clients on the load balancer's, and the traffic between the nodes'.</summary>
    public async Task EnsureRulesAsync(IReadOnlyDictionary<string, string> ids, string vpcCidr, string scheme, IReadOnlyList<NodeTraffic> traffic, CancellationToken ct)
    {
        var apiClients = scheme == "internal" ? vpcCidr : "0.0.0.0/0";
        await Task.WhenAll(
            AuthorizeAsync(ids[SecurityGroupRoles.LoadBalancer], [Cidr(6443, 6443, apiClients)], ct),
            ReconcileAsync(ids, traffic, ct));
    }

    /// <summary>
    /// The rules between the cluster's recorded groups that <paramref name="traffic"/> needs and they lack,
    /// added (a day-2 change of the CNI's values, or its pack, needs other protocols). Rules no longer needed
    /// are kept: the packs are applied once, at init, so the CNI running in the cluster still uses what its
    /// first values chose until something applies the new ones inside it; revoking them would cut its pod
    /// network. Returns what was added, e.g. <c>+node:udp/4789</c>, or an empty list.
    /// </summary>
    public Task<IReadOnlyList<string>> ReconcileAsync(IReadOnlyList<NodeTraffic> traffic, CancellationToken ct) =>
        ReconcileAsync(SecurityGroupRoles.All.ToDictionary(role => role, role => resources.Id(ResourceKinds.SecurityGroup, role)), traffic, ct);

    private async Task<IReadOnlyList<string>> ReconcileAsync(IReadOnlyDictionary<string, string> ids, IReadOnlyList<NodeTraffic> traffic, CancellationToken ct)
    {
        var ours = ids.Values.ToHashSet(StringComparer.Ordinal);
        var changes = await Task.WhenAll(new[] { SecurityGroupRoles.ControlPlane, SecurityGroupRoles.Node }.Select(async role =>
        {
            var groupId = ids[role];
            var wanted = WantedRules(role, ids, traffic);
            var group = await DescribeAsync(groupId, ct);
            var existing = group.Ingress.Where(r => r.SourceGroupId is { } source && ours.Contains(source)).Select(KeyOf).ToList();
            var missing = wanted.Where(w => !existing.Contains(w.Key)).ToList();
            if (missing.Count > 0)
                await AuthorizeAsync(groupId, [.. missing.Select(m => m.Rule)], ct);
            return missing.Select(m => $"+{role}:{m.Describe}");
        }));
        return [.. changes.SelectMany(c => c).Distinct()];
    }

    /// <summary>A rule between our groups as EC2 reports it: protocol, ports (null for a protocol without them) and the source group.</summary>
    private readonly record struct RuleKey(string Protocol, int? From, int? To, string Source);

    private static RuleKey KeyOf(IngressRule rule)
    {
        var ports = rule.Protocol is "tcp" or "udp" or "icmp";
        return new RuleKey(rule.Protocol, ports ? rule.FromPort : null, ports ? rule.ToPort : null, rule.SourceGroupId ?? rule.SourceCidr ?? "");
    }


    /// <summary>The rules a group of ours must hold: one per traffic kind aimed at it and per source group.</summary>
    private static List<(RuleKey Key, IngressRule Rule, string Describe)> WantedRules(string role, IReadOnlyDictionary<string, string> ids, IReadOnlyList<NodeTraffic> traffic)
    {
        var aimed = traffic.Where(t => t.From != TrafficSource.Self && t.To switch
        {
            TrafficTarget.ControlPlane => role == SecurityGroupRoles.ControlPlane,
            TrafficTarget.Workers => role == SecurityGroupRoles.Node,
            _ => true,
        });
        var rules = new List<(RuleKey, IngressRule, string)>();
        foreach (var t in aimed)
        {
            string[] sources = t.From switch
            {
                TrafficSource.ControlPlane => [SecurityGroupRoles.ControlPlane],
                TrafficSource.AllNodesAndApiLoadBalancer => [SecurityGroupRoles.LoadBalancer, SecurityGroupRoles.ControlPlane, SecurityGroupRoles.Node],
                _ => [SecurityGroupRoles.ControlPlane, SecurityGroupRoles.Node],
            };
            foreach (var source in sources)
            {
                var key = new RuleKey(t.Protocol, t.HasPorts ? t.FromPort : null, t.HasPorts ? t.ToPort : null, ids[source]);
                if (rules.All(r => r.Item1 != key))
                    rules.Add((key, new IngressRule(key.Protocol, key.From, key.To, SourceGroupId: key.Source, Description: $"{t.Purpose} from {source}"), t.Describe()));
            }
        }
        return rules;
    }

    /// <summary>A group the create path just made or found: one that is gone is EC2's NotFound.</summary>
    private async Task<SecurityGroupState> DescribeAsync(string groupId, CancellationToken ct) =>
        await Network.SecurityGroupAsync(groupId, ct)
            ?? throw new CloudServiceException("InvalidGroup.NotFound", $"The security group '{groupId}' does not exist", false);

    public Task<string?> FindOwnedAsync(string vpcId, string role, CancellationToken ct) =>
        Network.FindSecurityGroupAsync(resources.OwnedBy(role), vpcId, ct);

    public async Task<bool> DeleteAsync(DeletePass pass, CancellationToken ct)
    {
        var items = resources.All(ResourceKinds.SecurityGroup).ToList();
        // Groups of one cluster reference each other: revoke those rules first, or no group can go.
        await DeletePass.EachAsync(items, async item =>
        {
            var (_, group) = await pass.Read("describe security group", () => Network.SecurityGroupAsync(item.Id, ct));
            if (group is null)
                return true;
            var referencing = group.Ingress.Where(r => r.SourceGroupId is not null).ToList();
            return referencing.Count == 0
                || await pass.Attempt($"revoke rules of {item.Id}", () => Network.RevokeIngressAsync(item.Id, referencing, ct));
        });
        await DeletePass.EachAsync(items, async item =>
        {
            if (!await pass.Attempt($"delete security group {item.Id}", () => Network.DeleteSecurityGroupAsync(item.Id, ct)))
                return false;
            await resources.ForgetAsync(item, ct);
            return true;
        });
        return !resources.All(ResourceKinds.SecurityGroup).Any();
    }

    /// <summary>Adds those of <paramref name="wanted"/> the group lacks (one a concurrent run added first counts as added).</summary>
    private async Task AuthorizeAsync(string groupId, List<IngressRule> wanted, CancellationToken ct)
    {
        var group = await DescribeAsync(groupId, ct);
        var missing = wanted.Where(w => !group.Ingress.Any(existing => KeyOf(existing) == KeyOf(w))).ToList();
        if (missing.Count > 0)
            await Network.AuthorizeIngressAsync(groupId, missing, ct);
    }

    private static IngressRule Cidr(int from, int to, string cidr) => new("tcp", from, to, SourceCidr: cidr);
}
