using System.Net;
using PaletteServerless.Domain.Profiles;
using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.Ec2;

/// <summary>One protocol a CNI needs between nodes: IP protocol (<c>tcp</c>, <c>udp</c>, <c>icmp</c> or a number), ports where it has them, what it is for.</summary>
public sealed record PodNetworkNeed(string Protocol, int? FromPort, int? ToPort, string Purpose)
{
    public string Describe() => Protocol switch
    {
        "tcp" or "udp" => FromPort == ToPort ? $"{Purpose} {Protocol}/{FromPort}" : $"{Purpose} {Protocol}/{FromPort}-{ToPort}",
        "icmp" => $"{Purpose} icmp",
        _ => $"{Purpose} (IP protocol {Protocol})",
    };
}

/// <summary>
/// Whether two instances can reach each other with a protocol, as EC2's security groups decide it: the
/// receiver's groups admit it in some ingress rule (from a group the sender is in, or a CIDR holding the
/// sender's private address), and the sender's groups let it out. Both directions are required: a CNI's
/// encapsulated traffic and health checks flow both ways (stricter than a stateful reply needs).
/// </summary>
public static class PodNetwork
{
    /// <summary>
    /// What a CNI needs between nodes, given its pack name and the values it was installed with: the pack
    /// catalog's table (<see cref="PackNetworkRequirements"/>), which states each CNI's upstream requirements;
    /// traffic a node sends itself needs no rule.
    /// </summary>
    public static IReadOnlyList<PodNetworkNeed> Needs(string cni, string values) =>
        [.. PackNetworkRequirements.Cni(cni, values).Where(t => t.From != TrafficSource.Self)
            .Select(t => new PodNetworkNeed(t.Protocol, t.HasPorts ? t.FromPort : null, t.HasPorts ? t.ToPort : null, t.Purpose))];

    /// <summary>Why <paramref name="need"/> is blocked between the two instances, or null when it flows both ways.</summary>
    /// <param name="answers">
    /// Answers already found in this pass, by the two nodes' groups and the need: a rule that names a group admits
    /// every node of it alike (as does 0.0.0.0/0), so only groups with other address (CIDR) rules are judged node by node.
    /// </param>
    public static string? Blocked(AwsWorld world, Instance node, Instance peer, PodNetworkNeed need, string peerName, Dictionary<string, bool>? answers = null)
    {
        if (!Allows(world, peer, node, need, answers))
            return $"{need.Describe()} blocked from {peer.PrivateIpAddress} ({peerName}) by the security groups of this node ({string.Join(", ", node.SecurityGroupIds)})";
        if (!Allows(world, node, peer, need, answers))
            return $"{need.Describe()} blocked to {peer.PrivateIpAddress} ({peerName}) by its security groups ({string.Join(", ", peer.SecurityGroupIds)})";
        return null;
    }

    private static bool Allows(AwsWorld world, Instance from, Instance to, PodNetworkNeed need, Dictionary<string, bool>? answers)
    {
        if (answers is null || HasAddressRules(world, from, answers) || HasAddressRules(world, to, answers))
            return Allows(world, from, to, need);
        var key = $"{string.Join(',', from.SecurityGroupIds)}|{string.Join(',', to.SecurityGroupIds)}|{need}";
        if (!answers.TryGetValue(key, out var allowed))
            answers[key] = allowed = Allows(world, from, to, need);
        return allowed;
    }

    private static bool HasAddressRules(AwsWorld world, Instance instance, Dictionary<string, bool> answers)
    {
        var key = "cidr|" + string.Join(',', instance.SecurityGroupIds);
        if (!answers.TryGetValue(key, out var has))
            answers[key] = has = Groups(world, instance).Any(g => g.Ingress.Concat(g.Egress).Any(r => r.CidrIpv4 is not (null or "0.0.0.0/0")));
        return has;
    }

    private static bool Allows(AwsWorld world, Instance from, Instance to, PodNetworkNeed need)
    {
        var ingress = Groups(world, to).SelectMany(g => g.Ingress).Any(r => Matches(r, need) && Admits(r, from));
        var egress = Groups(world, from).SelectMany(g => g.Egress).Any(r => Matches(r, need) && Admits(r, to));
        return ingress && egress;
    }

    private static IEnumerable<SecurityGroup> Groups(AwsWorld world, Instance instance) =>
        instance.SecurityGroupIds.Select(id => world.Find<SecurityGroup>(id)).OfType<SecurityGroup>();

    private static bool Admits(SecurityGroupRule rule, Instance other) =>
        (rule.ReferencedGroupId is { } group && other.SecurityGroupIds.Contains(group))
        || (rule.CidrIpv4 is { } cidr && Contains(cidr, other.PrivateIpAddress));

    private static bool Matches(SecurityGroupRule rule, PodNetworkNeed need)
    {
        // Rules are stored as EC2 describes them; the need is spelled as the table spells it.
        var protocol = rule.Protocol;
        if (protocol == "-1")
            return true;
        if (protocol != Ec2Service.NormalizeProtocol(need.Protocol))
            return false;
        return protocol switch
        {
            // A rule's port range must cover the whole need (-1 is every port or ICMP type).
            "tcp" or "udp" => rule.FromPort is null or -1 || (rule.FromPort <= need.FromPort && rule.ToPort >= need.ToPort),
            "icmp" => rule.FromPort is null or -1 || rule.FromPort == need.FromPort,
            _ => true,
        };
    }

    private static bool Contains(string cidr, string address)
    {
        var parts = cidr.Split('/');
        if (parts.Length != 2 || !IPAddress.TryParse(parts[0], out var network) || !IPAddress.TryParse(address, out var ip) || !int.TryParse(parts[1], out var bits))
            return false;
        if (network.AddressFamily != ip.AddressFamily || network.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            return false;
        var mask = bits == 0 ? 0u : uint.MaxValue << (32 - bits);
        return (ToUint(network) & mask) == (ToUint(ip) & mask);
    }

    private static uint ToUint(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        return ((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3];
    }
}
