using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.Ec2;

/// <summary>One EC2 call in progress: its parameters, its world, and the helpers every operation shares.</summary>
public sealed class Ec2Request(AwsCall call)
{
    public AwsCall Call { get; } = call;
    public QueryParameters P => Call.Parameters;
    public AwsWorld World { get; } = call.World;
    public DateTimeOffset Now => Call.Now;
    public LocalAws Aws => Call.Aws;

    public LocalAwsResponse Respond(Action<XmlBuilder> writeMembers) =>
        QueryResponses.Ec2(Call.Operation, Ec2Service.XmlNamespace, Call.RequestId, writeMembers);

    public LocalAwsResponse RespondTrue() => Respond(x => x.Element("return", true));

    public string Arn(string resourceKind, string id) => $"arn:aws:ec2:{World.Region}:{World.Account}:{resourceKind}/{id}";

    /// <summary>The resource with <paramref name="id"/>, or EC2's NotFound error for it.</summary>
    public T Require<T>(string? id, string notFoundCode, string noun) where T : AwsResource
    {
        if (string.IsNullOrEmpty(id))
            throw new AwsErrorException("MissingParameter", $"The request must contain the parameter {noun}Id.");
        return Find<T>(id) ?? throw NotFound(notFoundCode, noun, id);
    }

    /// <summary>A live resource visible to this caller: not gone, and not still inside the eventual-consistency window.</summary>
    public T? Find<T>(string id) where T : AwsResource =>
        World.Find<T>(id) is { } resource && resource.IsLiveAt(Now) && !IsStillPropagating(resource) ? resource : null;

    /// <summary>A resource visible to this caller, live or gone (a terminated instance stays describable for a while).</summary>
    public T? FindVisible<T>(string id) where T : AwsResource =>
        World.Find<T>(id) is { } resource && !IsStillPropagating(resource) ? resource : null;

    /// <summary>Within the fault profile's eventual-consistency window a new id is unknown, as in a real region.</summary>
    public bool IsStillPropagating(AwsResource resource)
    {
        var seconds = Aws.Faults.Profile.EventualConsistencySeconds;
        return seconds > 0 && Now - resource.CreatedAt < Aws.Latency.Scale(TimeSpan.FromSeconds(seconds));
    }

    public static AwsErrorException NotFound(string code, string noun, string id) =>
        new(code, $"The {noun} ID '{id}' does not exist");

    /// <summary>
    /// The resources a Describe call asks for: those with the listed ids (every id must exist),
    /// else all of the kind, then filtered.
    /// </summary>
    public List<T> Select<T>(string idListName, string notFoundCode, string noun, Ec2FilterSet<T> filters)
        where T : AwsResource
    {
        var ids = P.List(idListName);
        IEnumerable<T> chosen;
        if (ids.Count > 0)
            chosen = ids.Select(id => World.Find<T>(id) is { } found && !IsStillPropagating(found) ? found : throw NotFound(notFoundCode, noun, id));
        else
            chosen = World.All<T>().Where(r => !IsStillPropagating(r)).OrderBy(r => r.Sequence);
        return Ec2Filters.Apply(chosen.Distinct(), P.Structures("Filter"), filters);
    }

    /// <summary>Tags for <paramref name="resourceType"/> from <c>TagSpecification.N</c>.</summary>
    public Dictionary<string, string> TagsFor(string resourceType)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var specification in P.Structures("TagSpecification"))
        {
            var type = specification["ResourceType"];
            if (type is not null && type != resourceType)
                continue;
            foreach (var tag in specification.Structures("Tag"))
                tags[tag.Required("Key")] = tag["Value"] ?? "";
        }
        return tags;
    }

    /// <summary>Refuses a TagSpecification for a type this create cannot tag, as EC2 does.</summary>
    public void CheckTagSpecificationTypes(params string[] allowed)
    {
        foreach (var specification in P.Structures("TagSpecification"))
        {
            if (specification["ResourceType"] is { } type && !allowed.Contains(type))
                throw new AwsErrorException("InvalidParameterValue", $"'{type}' is not a valid taggable resource type for this operation.");
        }
    }

    public static string NewId(string prefix) => prefix + "-" + RandomNumberGenerator.GetHexString(17, lowercase: true);

    public static string NewMacAddress() =>
        "02:" + string.Join(':', Enumerable.Range(0, 5).Select(_ => RandomNumberGenerator.GetHexString(2, lowercase: true)));

    /// <summary>A public IPv4 address not yet used in this world.</summary>
    public string NewPublicIp()
    {
        var used = World.All<ElasticIp>().Select(e => e.PublicIp)
            .Concat(World.All<Instance>().Select(i => i.PublicIpAddress ?? ""))
            .ToHashSet(StringComparer.Ordinal);
        while (true)
        {
            var candidate = $"54.{RandomNumberGenerator.GetInt32(1, 255)}.{RandomNumberGenerator.GetInt32(0, 256)}.{RandomNumberGenerator.GetInt32(1, 255)}";
            if (!used.Contains(candidate))
                return candidate;
        }
    }

    /// <summary>
    /// A free private address of a subnet, or null when the subnet is full. Addresses are handed
    /// out in turn and reused once the interface that held one has gone.
    /// </summary>
    public static string? NextPrivateIp(AwsWorld world, Subnet subnet, DateTimeOffset now)
    {
        var network = IPNetwork.Parse(subnet.CidrBlock);
        var size = (int)(1L << (32 - network.PrefixLength));
        var used = world.All<NetworkInterface>()
            .Where(n => n.SubnetId == subnet.Id && n.IsLiveAt(now))
            .Select(n => n.PrivateAddressNumber)
            .ToHashSet();
        // The first four addresses and the last (broadcast) one are AWS's.
        const int firstHost = 4;
        var hosts = size - firstHost - 1;
        for (var step = 0; step < hosts; step++)
        {
            var offset = firstHost + (subnet.NextHostOffset - firstHost + step + hosts) % hosts;
            var address = ToNumber(network.BaseAddress) + offset;
            if (used.Contains(address))
                continue;
            subnet.NextHostOffset = offset + 1;
            return FromNumber(address).ToString();
        }
        return null;
    }

    public static long ToNumber(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        return ((long)bytes[0] << 24) | ((long)bytes[1] << 16) | ((long)bytes[2] << 8) | bytes[3];
    }

    private static IPAddress FromNumber(long value) =>
        new([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);

    /// <summary>Parses an IPv4 CIDR block, with EC2's error for anything else.</summary>
    public static IPNetwork ParseCidr(string? cidr, string code = "InvalidParameterValue")
    {
        if (cidr is not null && IPNetwork.TryParse(cidr, out var network) && network.BaseAddress.AddressFamily == AddressFamily.InterNetwork
            && network.ToString() == cidr)
            return network;
        throw new AwsErrorException(code, $"Value ({cidr}) for parameter cidrBlock is invalid. This is not a valid CIDR block.");
    }

    public static bool Overlaps(IPNetwork a, IPNetwork b) => a.Contains(b.BaseAddress) || b.Contains(a.BaseAddress);

    public static bool Contains(IPNetwork outer, IPNetwork inner) =>
        outer.PrefixLength <= inner.PrefixLength && outer.Contains(inner.BaseAddress);
}
