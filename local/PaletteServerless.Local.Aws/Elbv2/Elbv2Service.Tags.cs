using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.Elbv2;

// AddTags, RemoveTags, DescribeTags over load balancers, target groups and listeners.
public sealed partial class Elbv2Service
{
    private static LocalAwsResponse AddTags(AwsCall call)
    {
        var tags = ReadTags(call.Parameters);
        if (tags.Count == 0)
            throw Validation("At least one tag must be specified");
        var resources = TaggedResources(call);
        foreach (var resource in resources)
        {
            if (resource.Tags.Keys.Union(tags.Keys).Count() > 50)
                throw new AwsErrorException("TooManyTags", "The quota for the number of tags that can be assigned to a load balancer has been reached");
        }

        foreach (var resource in resources)
        {
            foreach (var (key, value) in tags)
                resource.Tags[key] = value;
        }

        return Result(call, _ => { });
    }

    private static LocalAwsResponse RemoveTags(AwsCall call)
    {
        var keys = call.Parameters.MemberList("TagKeys");
        foreach (var resource in TaggedResources(call))
        {
            foreach (var key in keys)
                resource.Tags.Remove(key);
        }

        return Result(call, _ => { });
    }

    private static LocalAwsResponse DescribeTags(AwsCall call)
    {
        var resources = TaggedResources(call);
        return Result(call, w => w.List("TagDescriptions", resources, (x, r) => x
            .Element("ResourceArn", r.Arn)
            .List("Tags", r.Tags, (t, tag) => t.Element("Key", tag.Key).Element("Value", tag.Value), "member"), "member"));
    }

    /// <summary>The resources named by <c>ResourceArns</c>, each missing one reported with its kind's NotFound code.</summary>
    private static List<AwsResource> TaggedResources(AwsCall call)
    {
        var arns = call.Parameters.MemberList("ResourceArns");
        if (arns.Count == 0)
            throw Validation("At least one resource ARN must be specified");
        return [.. arns.Select(arn => FindTaggable(call, arn) ?? throw (arn.Contains(":targetgroup/", StringComparison.Ordinal)
                ? new AwsErrorException("TargetGroupNotFound", "One or more target groups not found")
                : arn.Contains(":listener/", StringComparison.Ordinal)
                    ? new AwsErrorException("ListenerNotFound", "One or more listeners not found")
                    : new AwsErrorException("LoadBalancerNotFound", "One or more load balancers not found")))];
    }

    /// <summary>The live load balancer, target group or listener with <paramref name="arn"/>, or null.</summary>
    private static AwsResource? FindTaggable(AwsCall call, string arn) =>
        call.World.ResourcesById.TryGetValue(arn, out var found) && found.IsLiveAt(call.Now)
            && found is ElbLoadBalancer or ElbTargetGroup or ElbListener ? found : null;
}
