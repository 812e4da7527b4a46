using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.Elbv2;

// CreateListener, DescribeListeners, DeleteListener.
public sealed partial class Elbv2Service
{
    private static LocalAwsResponse CreateListener(AwsCall call)
    {
        var p = call.Parameters;
        var loadBalancer = FindLoadBalancer(call, p.Required("LoadBalancerArn"))
            ?? throw new AwsErrorException("LoadBalancerNotFound", "One or more load balancers not found");
        var port = p.Int("Port") ?? throw Validation("A listener port must be specified");
        if (port is < 1 or > 65535)
            throw Validation($"Port '{port}' must be between 1 and 65535");
        var protocol = ListenerProtocol(p, loadBalancer);
        var allowed = loadBalancer.LoadBalancerType == "network" ? new[] { "TCP", "TLS", "UDP", "TCP_UDP" } : ["HTTP", "HTTPS"];
        if (!allowed.Contains(protocol))
            throw new AwsErrorException("InvalidConfigurationRequest", $"Protocol '{protocol}' is not supported for load balancers of type '{loadBalancer.LoadBalancerType}'");

        var actions = p.MemberStructures("DefaultActions");
        if (actions.Count != 1 || actions[0]["Type"] != "forward")
            throw Validation("The local ELBv2 supports exactly one default action of type 'forward'");
        var targetGroupArn = actions[0]["TargetGroupArn"] ?? actions[0]["ForwardConfig.TargetGroups.member.1.TargetGroupArn"]
            ?? throw Validation("A target group ARN must be specified for a forward action");
        var targetGroup = call.World.Find<ElbTargetGroup>(targetGroupArn)
            ?? throw new AwsErrorException("TargetGroupNotFound", "One or more target groups not found");
        var groupIsTcpFamily = targetGroup.Protocol is "TCP" or "UDP" or "TLS" or "TCP_UDP";
        if (groupIsTcpFamily != (loadBalancer.LoadBalancerType == "network"))
            throw new AwsErrorException("IncompatibleProtocols", $"The target group protocol '{targetGroup.Protocol}' is not compatible with listener protocol '{protocol}'");
        if (targetGroup.VpcId != loadBalancer.VpcId)
            throw Validation("The target group and the load balancer must be in the same VPC");
        var otherBalancers = call.World.All<ElbListener>()
            .Where(l => l.TargetGroupArn == targetGroupArn && l.LoadBalancerArn != loadBalancer.Arn);
        if (otherBalancers.Any())
            throw new AwsErrorException("TargetGroupAssociationLimit", $"The following target groups cannot be associated with more than one load balancer: {targetGroupArn}");

        if (ListenersOf(call, loadBalancer.Arn).FirstOrDefault(l => l.Port == port) is { } existing)
        {
            // A repeated create with the same settings succeeds with the existing listener.
            if (existing.Protocol != protocol || existing.TargetGroupArn != targetGroupArn)
                throw new AwsErrorException("DuplicateListener", "A listener already exists on this port for this load balancer");
            return Result(call, w => w.List("Listeners", [existing], WriteListener, "member"));
        }

        var arn = ListenerArnPrefix(call, loadBalancer) + HexId();
        var listener = new ElbListener
        {
            Id = arn,
            Type = ElbListener.ResourceType,
            Arn = arn,
            OwnerId = loadBalancer.Id,
            LoadBalancerArn = loadBalancer.Arn,
            Protocol = protocol,
            Port = port,
            TargetGroupArn = targetGroupArn,
            Tags = ReadTags(p),
        };
        listener.SetState("active", call.Now);
        call.World.Add(listener, call.Now);
        return Result(call, w => w.List("Listeners", [listener], WriteListener, "member"));
    }

    private static string ListenerProtocol(QueryParameters p, ElbLoadBalancer loadBalancer) =>
        p["Protocol"] ?? (loadBalancer.LoadBalancerType == "network" ? "TCP" : "HTTP");

    /// <summary>A listener's ARN up to its own id: <c>listener/net/name/lb-id/</c>.</summary>
    private static string ListenerArnPrefix(AwsCall call, ElbLoadBalancer loadBalancer) =>
        $"arn:aws:elasticloadbalancing:{call.Region}:{call.Account}:listener/{loadBalancer.ArnKind}/{loadBalancer.Name}/{loadBalancer.Arn.Split('/')[^1]}/";

    private static LocalAwsResponse DescribeListeners(AwsCall call)
    {
        var p = call.Parameters;
        var arns = p.MemberList("ListenerArns");
        List<ElbListener> selected;
        if (p["LoadBalancerArn"] is { } loadBalancerArn)
        {
            if (FindLoadBalancer(call, loadBalancerArn) is null)
                throw new AwsErrorException("LoadBalancerNotFound", "One or more load balancers not found");
            selected = [.. ListenersOf(call, loadBalancerArn).Where(l => arns.Count == 0 || arns.Contains(l.Arn))];
        }
        else if (arns.Count > 0)
        {
            selected = [.. arns.Select(arn => call.World.Find<ElbListener>(arn)
                ?? throw new AwsErrorException("ListenerNotFound", "One or more listeners not found"))];
        }
        else
        {
            throw Validation("You must specify either listener ARNs or a load balancer ARN");
        }

        var (page, nextMarker) = Paginate(selected, p);
        return Result(call, w => w.List("Listeners", page, WriteListener, "member").Element("NextMarker", nextMarker));
    }

    private static LocalAwsResponse DeleteListener(AwsCall call)
    {
        var arn = call.Parameters.Required("ListenerArn");
        if (call.World.Find<ElbListener>(arn) is null)
            throw new AwsErrorException("ListenerNotFound", "One or more listeners not found");
        call.World.Remove(arn);
        return Result(call, _ => { });
    }

    private static void WriteListener(XmlBuilder x, ElbListener l) =>
        x.Element("ListenerArn", l.Arn)
            .Element("LoadBalancerArn", l.LoadBalancerArn)
            .Element("Port", l.Port)
            .Element("Protocol", l.Protocol)
            .List("DefaultActions", [l], (a, listener) => a.Element("Type", "forward").Element("TargetGroupArn", listener.TargetGroupArn), "member");
}
