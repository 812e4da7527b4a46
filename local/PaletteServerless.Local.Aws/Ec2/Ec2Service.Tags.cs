using PaletteServerless.Local.Aws.Core;
using static PaletteServerless.Local.Aws.Ec2.Ec2Filters;

namespace PaletteServerless.Local.Aws.Ec2;

// CreateTags, DeleteTags, DescribeTags over every EC2 resource.
public sealed partial class Ec2Service
{
    /// <summary>NotFound codes by id prefix, as EC2 answers a tag call on a missing resource.</summary>
    private static readonly (string Prefix, string Code, string Noun)[] NotFoundByPrefix =
    [
        ("vpc-", "InvalidVpcID.NotFound", "vpc"),
        ("subnet-", "InvalidSubnetID.NotFound", "subnet"),
        ("igw-", "InvalidInternetGatewayID.NotFound", "internetGateway"),
        ("eipalloc-", "InvalidAllocationID.NotFound", "allocation"),
        ("nat-", "InvalidNatGatewayID.NotFound", "natGateway"),
        ("rtb-", "InvalidRouteTableID.NotFound", "routeTable"),
        ("sg-", "InvalidGroup.NotFound", "security group"),
        ("i-", "InvalidInstanceID.NotFound", "instance"),
        ("eni-", "InvalidNetworkInterfaceID.NotFound", "networkInterface"),
        ("vol-", "InvalidVolume.NotFound", "volume"),
        ("key-", "InvalidKeyPair.NotFound", "key pair"),
    ];

    private static List<AwsResource> RequireTaggable(Ec2Request r)
    {
        var ids = r.P.List("ResourceId");
        if (ids.Count == 0)
            throw new AwsErrorException("MissingParameter", "The request must contain the parameter resourceIdSet");
        return [.. ids.Select(id =>
        {
            if (FindTaggable(r, id) is { } resource)
                return resource;
            var known = NotFoundByPrefix.FirstOrDefault(p => id.StartsWith(p.Prefix, StringComparison.Ordinal));
            throw known.Code is null
                ? new AwsErrorException("InvalidID", $"The ID '{id}' is not valid")
                : Ec2Request.NotFound(known.Code, known.Noun, id);
        })];
    }

    /// <summary>The EC2 resource with <paramref name="id"/> this caller can see, or null.</summary>
    private static AwsResource? FindTaggable(Ec2Request r, string id) =>
        r.FindVisible<AwsResource>(id) is { } resource && resource.Type.StartsWith("ec2:", StringComparison.Ordinal) ? resource : null;

    /// <summary>The request's <c>Tag.N</c>: a key, and a value that is null when the request gives none.</summary>
    private static List<(string Key, string? Value)> RequestedTags(Ec2Request r) =>
        [.. r.P.Structures("Tag").Select(t => (t.Required("Key"), t["Value"]))];

    private static LocalAwsResponse CreateTags(Ec2Request r)
    {
        var resources = RequireTaggable(r);
        var tags = RequestedTags(r).Select(t => (t.Key, Value: t.Value ?? "")).ToList();
        foreach (var resource in resources)
        {
            foreach (var (key, value) in tags)
                resource.Tags[key] = value;
        }
        return r.RespondTrue();
    }

    private static LocalAwsResponse DeleteTags(Ec2Request r)
    {
        var resources = RequireTaggable(r);
        var tags = RequestedTags(r);
        foreach (var resource in resources)
        {
            if (tags.Count == 0)
            {
                resource.Tags.Clear();
                continue;
            }
            foreach (var (key, value) in tags)
            {
                // A value in DeleteTags deletes the tag only when it still has that value.
                if (resource.Tags.TryGetValue(key, out var current) && (value is null || value == current))
                    resource.Tags.Remove(key);
            }
        }
        return r.RespondTrue();
    }

    private static LocalAwsResponse DescribeTags(Ec2Request r)
    {
        var entries = r.World.ResourcesById.Values
            .Where(x => x.Type.StartsWith("ec2:", StringComparison.Ordinal) && x.IsLiveAt(r.Now))
            .SelectMany(x => x.Tags.Select(tag => (Id: x.Id, ResourceType: x.Type[4..], tag.Key, tag.Value)));
        var chosen = ApplyPlain(entries, r.P.Structures("Filter"), (e, filter) => filter switch
        {
            "resource-id" => [e.Id],
            "resource-type" => [e.ResourceType],
            "key" => [e.Key],
            "value" => [e.Value],
            _ => null,
        });
        var (page, next) = Page(chosen, r.P);
        return r.Respond(x => x
            .List("tagSet", page, (x, e) => x
                .Element("resourceId", e.Id)
                .Element("resourceType", e.ResourceType)
                .Element("key", e.Key)
                .Element("value", e.Value))
            .Element("nextToken", next));
    }
}
