using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.Iam;

namespace PaletteServerless.Local.Aws.Elbv2;

// How IAM authorizes each ELBv2 call, as the Service Authorization Reference's "Actions, resources,
// and condition keys for Elastic Load Balancing V2" lists it. Resources are named by their own
// ARNs; a resource a request creates has its ARN with the id not yet known (targetgroup/name/*).
public sealed partial class Elbv2Service : IAuthorizesRequests
{
    private const string Prefix = "elasticloadbalancing";

    /// <summary>The checks IAM makes for one ELBv2 call; null for an operation this ELBv2 does not answer.</summary>
    public IReadOnlyList<AuthorizationCheck>? Authorizations(AwsCall call)
    {
        var p = call.Parameters;
        return call.Operation switch
        {
            // The Describe actions have no resource-level permissions.
            "DescribeLoadBalancers" or "DescribeTargetGroups" or "DescribeListeners" or "DescribeTargetHealth" or "DescribeTags" =>
                [AuthorizationCheck.Of(Action(call), "*")],
            "CreateLoadBalancer" => NewLoadBalancer(call),
            "CreateTargetGroup" => Created(call, $"arn:aws:elasticloadbalancing:{call.Region}:{call.Account}:targetgroup/{p["Name"]}/*", AuthorizationContext.Empty()),
            "CreateListener" => NewListener(call),
            "DeleteLoadBalancer" => Existing(call, call.World.Find<ElbLoadBalancer>(p["LoadBalancerArn"] ?? "")),
            "DeleteTargetGroup" or "RegisterTargets" or "DeregisterTargets" => Existing(call, call.World.Find<ElbTargetGroup>(p["TargetGroupArn"] ?? "")),
            "DeleteListener" => Existing(call, call.World.Find<ElbListener>(p["ListenerArn"] ?? "")),
            "AddTags" or "RemoveTags" => Tagging(call),
            _ => null,
        };
    }

    private static string Action(AwsCall call) => $"{Prefix}:{call.Operation}";

    /// <summary>An existing resource with its tags; no check when it does not exist.</summary>
    private static List<AuthorizationCheck> Existing(AwsCall call, AwsResource? resource) =>
        resource is null ? [] : [AuthorizationCheck.Of(Action(call), resource.Arn, AuthorizationContext.Empty().WithResourceTags(resource.Tags, Prefix))];

    /// <summary>
    /// A create on the new resource with the request's tags, and, when it tags, <c>AddTags</c> on
    /// the new resource with <c>elasticloadbalancing:CreateAction</c> (ELB's "tag resources
    /// during creation" permission).
    /// </summary>
    private static List<AuthorizationCheck> Created(AwsCall call, string arn, Dictionary<string, IReadOnlyList<string>> keys)
    {
        var tags = ReadTags(call.Parameters);
        var checks = new List<AuthorizationCheck> { AuthorizationCheck.Of(Action(call), arn, keys.WithRequestTags(tags)) };
        if (tags.Count > 0)
            checks.Add(CreateTimeTagging(call, arn, tags));
        return checks;
    }

    private static AuthorizationCheck CreateTimeTagging(AwsCall call, string arn, Dictionary<string, string> tags) =>
        AuthorizationCheck.Of($"{Prefix}:AddTags", arn, AuthorizationContext.Empty().With($"{Prefix}:CreateAction", call.Operation).WithRequestTags(tags));

    /// <summary>The new load balancer, with the scheme, subnets and security groups the SAR's condition keys name.</summary>
    private static List<AuthorizationCheck> NewLoadBalancer(AwsCall call)
    {
        var p = call.Parameters;
        var kind = ElbLoadBalancer.ArnKindOf(p["Type"] ?? "application");
        var keys = AuthorizationContext.Empty().With($"{Prefix}:Scheme", p["Scheme"] ?? "internet-facing");
        var subnets = p.MemberList("Subnets").Concat(p.MemberStructures("SubnetMappings").Select(m => m["SubnetId"]).OfType<string>()).Distinct().ToArray();
        if (subnets.Length > 0)
            keys.With($"{Prefix}:Subnet", subnets);
        var securityGroups = p.MemberList("SecurityGroups").Distinct().ToArray();
        if (securityGroups.Length > 0)
            keys.With($"{Prefix}:SecurityGroup", securityGroups);
        return Created(call, $"arn:aws:elasticloadbalancing:{call.Region}:{call.Account}:loadbalancer/{kind}/{p["Name"]}/*", keys);
    }

    /// <summary>
    /// The SAR authorizes CreateListener on the load balancer only (not on the target group it
    /// forwards to), with the listener's protocol and request tags; tagging the new listener is
    /// <c>AddTags</c> on <c>listener/net/name/id/*</c>.
    /// </summary>
    private static List<AuthorizationCheck> NewListener(AwsCall call)
    {
        var p = call.Parameters;
        if (FindLoadBalancer(call, p["LoadBalancerArn"] ?? "") is not { } loadBalancer)
            return [];
        var tags = ReadTags(p);
        var context = AuthorizationContext.Empty()
            .WithResourceTags(loadBalancer.Tags, Prefix)
            .WithRequestTags(tags)
            .With($"{Prefix}:ListenerProtocol", ListenerProtocol(p, loadBalancer));
        var checks = new List<AuthorizationCheck> { AuthorizationCheck.Of(Action(call), loadBalancer.Arn, context) };
        if (tags.Count > 0)
            checks.Add(CreateTimeTagging(call, ListenerArnPrefix(call, loadBalancer) + "*", tags));
        return checks;
    }

    /// <summary>AddTags and RemoveTags: each resource named, with the request's tags (or keys) and its own.</summary>
    private static List<AuthorizationCheck> Tagging(AwsCall call)
    {
        var p = call.Parameters;
        var checks = new List<AuthorizationCheck>();
        foreach (var arn in p.MemberList("ResourceArns"))
        {
            if (FindTaggable(call, arn) is not { } resource)
                continue;
            var context = AuthorizationContext.Empty().WithResourceTags(resource.Tags, Prefix);
            if (call.Operation == "AddTags")
                context.WithRequestTags(ReadTags(p));
            else if (p.MemberList("TagKeys") is { Count: > 0 } keys)
                context.With("aws:TagKeys", [.. keys]);
            checks.Add(AuthorizationCheck.Of(Action(call), resource.Arn, context));
        }
        return checks;
    }
}
