using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.Elbv2;

// CreateTargetGroup, DescribeTargetGroups, DeleteTargetGroup; RegisterTargets, DeregisterTargets and DescribeTargetHealth with the health model.
public sealed partial class Elbv2Service
{
    private static LocalAwsResponse CreateTargetGroup(AwsCall call)
    {
        var p = call.Parameters;
        var name = ValidName(p.Required("Name"), "target group");
        var targetType = p["TargetType"] ?? "instance";
        var protocol = p["Protocol"];
        var port = p.Int("Port");
        var vpcId = p["VpcId"];
        if (targetType != "lambda")
        {
            if (protocol is null || port is null || vpcId is null)
                throw Validation("A protocol, a port and a VPC ID must be specified for target groups of type '" + targetType + "'");
            if (port is < 1 or > 65535)
                throw Validation($"Port '{port}' must be between 1 and 65535");
            if (!call.World.ResourcesById.TryGetValue(vpcId, out var vpc) || vpc.Type != "ec2:vpc" || !vpc.IsLiveAt(call.Now))
                throw Validation($"The VPC ID '{vpcId}' is not found");
        }

        var isTcpFamily = protocol is "TCP" or "UDP" or "TLS" or "TCP_UDP";
        var healthProtocol = p["HealthCheckProtocol"] ?? (isTcpFamily ? "TCP" : protocol ?? "HTTP");
        var httpCheck = healthProtocol is "HTTP" or "HTTPS";
        var interval = p.Int("HealthCheckIntervalSeconds") ?? 30;
        var arn = $"arn:aws:elasticloadbalancing:{call.Region}:{call.Account}:targetgroup/{name}/{HexId()}";
        var group = new ElbTargetGroup
        {
            Id = arn,
            Type = ElbTargetGroup.ResourceType,
            Arn = arn,
            Name = name,
            Protocol = protocol ?? "",
            Port = port,
            VpcId = vpcId,
            TargetType = targetType,
            HealthCheckEnabled = p.Bool("HealthCheckEnabled") ?? true,
            HealthCheckProtocol = healthProtocol,
            HealthCheckPort = p["HealthCheckPort"] ?? "traffic-port",
            HealthCheckPath = p["HealthCheckPath"] ?? (httpCheck ? "/" : null),
            HealthCheckIntervalSeconds = interval,
            // AWS's default timeout (10 s for TCP checks, 5 s for HTTP), never longer than the interval.
            HealthCheckTimeoutSeconds = p.Int("HealthCheckTimeoutSeconds") ?? Math.Min(isTcpFamily ? 10 : 5, interval),
            HealthyThresholdCount = p.Int("HealthyThresholdCount") ?? 5,
            UnhealthyThresholdCount = p.Int("UnhealthyThresholdCount") ?? 2,
            MatcherHttpCode = httpCheck ? p["Matcher.HttpCode"] ?? "200" : null,
            Tags = ReadTags(p),
        };
        if (group.HealthCheckIntervalSeconds is < 5 or > 300)
            throw Validation("Health check interval must be between 5 and 300 seconds");
        if (group.HealthCheckTimeoutSeconds is < 2 or > 120 || group.HealthCheckTimeoutSeconds > group.HealthCheckIntervalSeconds)
            throw Validation("Health check timeout must be between 2 and 120 seconds and not longer than the health check interval");
        if (group.HealthyThresholdCount is < 2 or > 10 || group.UnhealthyThresholdCount is < 2 or > 10)
            throw Validation("Health check thresholds must be between 2 and 10");

        // Same name and settings: the existing group, as AWS answers a repeated create.
        if (call.World.All<ElbTargetGroup>().FirstOrDefault(g => g.Name == name) is { } existing)
        {
            if (!SameSettings(existing, group))
                throw new AwsErrorException("DuplicateTargetGroupName", "A target group with the same name '" + name + "' exists, but with different settings");
            group = existing;
        }
        else
        {
            group.SetState("active", call.Now);
            call.World.Add(group, call.Now);
        }

        return Result(call, w => w.List("TargetGroups", [group], (x, g) => WriteTargetGroup(x, g, call), "member"));
    }

    private static bool SameSettings(ElbTargetGroup a, ElbTargetGroup b) =>
        a.Protocol == b.Protocol && a.Port == b.Port && a.VpcId == b.VpcId && a.TargetType == b.TargetType
        && a.HealthCheckEnabled == b.HealthCheckEnabled && a.HealthCheckProtocol == b.HealthCheckProtocol
        && a.HealthCheckPort == b.HealthCheckPort && a.HealthCheckPath == b.HealthCheckPath
        && a.HealthCheckIntervalSeconds == b.HealthCheckIntervalSeconds && a.HealthCheckTimeoutSeconds == b.HealthCheckTimeoutSeconds
        && a.HealthyThresholdCount == b.HealthyThresholdCount && a.UnhealthyThresholdCount == b.UnhealthyThresholdCount;

    private static LocalAwsResponse DescribeTargetGroups(AwsCall call)
    {
        var p = call.Parameters;
        var all = call.World.All<ElbTargetGroup>().Where(g => !IsStillPropagating(call, g)).ToList();
        var arns = p.MemberList("TargetGroupArns");
        var names = p.MemberList("Names");
        IEnumerable<ElbTargetGroup> selected = all;
        if (p["LoadBalancerArn"] is { } loadBalancerArn)
        {
            if (FindLoadBalancer(call, loadBalancerArn) is null)
                throw new AwsErrorException("LoadBalancerNotFound", "One or more load balancers not found");
            var used = ListenersOf(call, loadBalancerArn).Select(l => l.TargetGroupArn).ToHashSet(StringComparer.Ordinal);
            selected = selected.Where(g => used.Contains(g.Arn));
        }
        if (arns.Count > 0)
        {
            if (arns.Any(arn => all.All(g => g.Arn != arn)))
                throw new AwsErrorException("TargetGroupNotFound", "One or more target groups not found");
            selected = selected.Where(g => arns.Contains(g.Arn));
        }
        if (names.Count > 0)
        {
            var missing = names.Where(n => all.All(g => g.Name != n)).ToList();
            if (missing.Count > 0)
                throw new AwsErrorException("TargetGroupNotFound", $"Target groups '[{string.Join(", ", missing)}]' not found");
            selected = selected.Where(g => names.Contains(g.Name));
        }

        var (page, nextMarker) = Paginate(selected.ToList(), p);
        return Result(call, w => w
            .List("TargetGroups", page, (x, g) => WriteTargetGroup(x, g, call), "member")
            .Element("NextMarker", nextMarker));
    }

    private static LocalAwsResponse DeleteTargetGroup(AwsCall call)
    {
        var arn = call.Parameters.Required("TargetGroupArn");
        if (call.World.Find<ElbTargetGroup>(arn) is not null)
        {
            if (call.World.All<ElbListener>().Any(l => l.TargetGroupArn == arn))
                throw new AwsErrorException("ResourceInUse", $"Target group '{arn}' is currently in use by a listener or a rule");
            call.World.Remove(arn);
        }

        return Result(call, _ => { });
    }

    private static LocalAwsResponse RegisterTargets(AwsCall call)
    {
        var group = RequiredTargetGroup(call);
        var targets = ReadTargets(call.Parameters, group);
        if (targets.Count == 0)
            throw Validation("At least one target must be specified");
        if (group.TargetType == "instance")
        {
            foreach (var (id, _) in targets)
            {
                var instance = call.Aws.Network.FindInstance(call.World, id, call.Now);
                if (instance is null || instance.State is "terminated" or "shutting-down")
                    throw new AwsErrorException("InvalidTarget", $"The following targets are not valid instances: '{id}'");
                if (instance.VpcId != group.VpcId)
                    throw new AwsErrorException("InvalidTarget", $"The following targets are not in the target group VPC '{group.VpcId}': '{id}'");
            }
        }

        foreach (var (id, port) in targets)
        {
            var current = group.Registrations.FirstOrDefault(r => r.Id == id && r.Port == port);
            // Registering again is a no-op for a registered target and cancels draining for a draining one.
            if (current is not null && current.DrainedAt is null)
                continue;
            if (current is not null)
                group.Registrations.Remove(current);
            group.Registrations.Add(new ElbTargetRegistration(id, port, call.Now));
        }

        return Result(call, _ => { });
    }

    private static LocalAwsResponse DeregisterTargets(AwsCall call)
    {
        var group = RequiredTargetGroup(call);
        var targets = ReadTargets(call.Parameters, group);
        var drainedAt = call.Now + call.Aws.Latency.Of(TargetDeregistration, TimeSpan.FromSeconds(300));
        foreach (var (id, port) in targets)
        {
            var current = group.Registrations.FirstOrDefault(r => r.Id == id && r.Port == port && IsRegistered(r, call.Now))
                ?? throw new AwsErrorException("InvalidTarget", $"The following targets are not registered in target group '{group.Arn}': '{id}'");
            if (current.DrainedAt is null)
            {
                group.Registrations.Remove(current);
                group.Registrations.Add(current with { DrainedAt = drainedAt });
            }
        }

        return Result(call, _ => { });
    }

    private static LocalAwsResponse DescribeTargetHealth(AwsCall call)
    {
        var group = RequiredTargetGroup(call);
        group.Registrations.RemoveAll(r => !IsRegistered(r, call.Now));
        var asked = call.Parameters.MemberStructures("Targets");
        var targets = asked.Count == 0
            ? group.Registrations.Select(r => (r.Id, r.Port)).ToList()
            : ReadTargets(call.Parameters, group);
        var descriptions = targets.Select(t => Health(call, group, t.Id, t.Port)).ToList();
        return Result(call, w => w.List("TargetHealthDescriptions", descriptions, (x, d) =>
        {
            x.Open("Target").Element("Id", d.Id).Element("Port", d.Port).Close();
            x.Element("HealthCheckPort", group.HealthCheckPort == "traffic-port" ? d.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) : group.HealthCheckPort);
            x.Open("TargetHealth").Element("State", d.State).Element("Reason", d.Reason).Element("Description", d.Description).Close();
        }, "member"));
    }

    private sealed record HealthView(string Id, int Port, string State, string? Reason, string? Description);

    /// <summary>
    /// A target's health, computed from timestamps: initial until the instance runs, the load balancer
    /// is active and <c>HealthyThresholdCount</c> checks of <c>HealthCheckIntervalSeconds</c> have
    /// passed (scaled by the time scale), then healthy.
    /// </summary>
    private static HealthView Health(AwsCall call, ElbTargetGroup group, string id, int port)
    {
        var registration = group.Registrations.FirstOrDefault(r => r.Id == id && r.Port == port);
        if (registration is null)
            return new(id, port, "unused", "Target.NotRegistered", "Target is not registered to the target group");
        if (registration.DrainedAt is not null)
            return new(id, port, "draining", "Target.DeregistrationInProgress", "Target deregistration is in progress");

        var listener = call.World.All<ElbListener>().FirstOrDefault(l => l.TargetGroupArn == group.Arn);
        var loadBalancer = listener is null ? null : FindLoadBalancer(call, listener.LoadBalancerArn);
        if (listener is null || loadBalancer is null)
            return new(id, port, "unused", "Target.NotInUse", "Target group is not configured to receive traffic from the load balancer");
        if (!group.HealthCheckEnabled)
            return new(id, port, "unavailable", "Target.HealthCheckDisabled", "Health checks are disabled");

        DateTimeOffset? runningSince = registration.RegisteredAt;
        if (group.TargetType == "instance")
        {
            var instance = call.Aws.Network.FindInstance(call.World, id, call.Now);
            if (instance is null || instance.State is "stopped" or "stopping" or "terminated" or "shutting-down")
                return new(id, port, "unused", "Target.InvalidState", $"Target is in the {instance?.State ?? "terminated"} state");
            runningSince = instance.State == "running" ? instance.RunningSince ?? registration.RegisteredAt : null;
        }

        var lbActiveSince = loadBalancer.StateAt(call.Now) == "active" ? loadBalancer.StateSince(call.Now) : (DateTimeOffset?)null;
        if (runningSince is null || lbActiveSince is null)
            return new(id, port, "initial", "Elb.RegistrationInProgress", "Target registration is in progress");

        var checksStart = new[] { registration.RegisteredAt, runningSince.Value, lbActiveSince.Value, listener.CreatedAt }.Max();
        var checksPassed = checksStart + call.Aws.Latency.Scale(TimeSpan.FromSeconds(group.HealthCheckIntervalSeconds * group.HealthyThresholdCount));
        return call.Now >= checksPassed
            ? new(id, port, "healthy", null, null)
            : new(id, port, "initial", "Elb.InitialHealthChecking", "Initial health checks in progress");
    }

    private static bool IsRegistered(ElbTargetRegistration registration, DateTimeOffset now) =>
        registration.DrainedAt is null || registration.DrainedAt > now;

    private static List<(string Id, int Port)> ReadTargets(QueryParameters p, ElbTargetGroup group) =>
        [.. p.MemberStructures("Targets").Select(t => (
            t.Required("Id"),
            t.Int("Port") ?? group.Port ?? throw Validation("A port must be specified for the target " + t["Id"])))];

    private static ElbTargetGroup RequiredTargetGroup(AwsCall call) =>
        call.World.Find<ElbTargetGroup>(call.Parameters.Required("TargetGroupArn"))
        ?? throw new AwsErrorException("TargetGroupNotFound", "One or more target groups not found");

    private static void WriteTargetGroup(XmlBuilder x, ElbTargetGroup g, AwsCall call)
    {
        var loadBalancerArns = call.World.All<ElbListener>().Where(l => l.TargetGroupArn == g.Arn).Select(l => l.LoadBalancerArn).Distinct();
        x.Element("TargetGroupArn", g.Arn)
            .Element("TargetGroupName", g.Name)
            .Element("Protocol", g.Protocol.Length > 0 ? g.Protocol : null)
            .Element("Port", g.Port)
            .Element("VpcId", g.VpcId)
            .Element("HealthCheckProtocol", g.HealthCheckProtocol)
            .Element("HealthCheckPort", g.HealthCheckPort)
            .Element("HealthCheckEnabled", g.HealthCheckEnabled)
            .Element("HealthCheckIntervalSeconds", g.HealthCheckIntervalSeconds)
            .Element("HealthCheckTimeoutSeconds", g.HealthCheckTimeoutSeconds)
            .Element("HealthyThresholdCount", g.HealthyThresholdCount)
            .Element("UnhealthyThresholdCount", g.UnhealthyThresholdCount)
            .Element("HealthCheckPath", g.HealthCheckPath);
        if (g.MatcherHttpCode is not null)
            x.Open("Matcher").Element("HttpCode", g.MatcherHttpCode).Close();
        x.ValueList("LoadBalancerArns", loadBalancerArns, "member")
            .Element("TargetType", g.TargetType)
            .Element("IpAddressType", "ipv4");
    }
}
