using System.Security.Cryptography;
using System.Text.RegularExpressions;
using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.Elbv2;

/// <summary>
/// Elastic Load Balancing v2 (query protocol, API 2015-12-01): network and application load
/// balancers that provision before they turn active, target groups with health checks, listeners,
/// target registration and health, tags. Names, codes and messages follow the AWS service model.
/// </summary>
public sealed partial class Elbv2Service : ILocalAwsService
{
    public const string Namespace = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";

    /// <summary>AWS's default quota of load balancers of each type per region.</summary>
    public const int LoadBalancerQuota = 50;

    /// <summary>The modelled deregistration delay (AWS's default target group attribute is 300 s).</summary>
    public const string TargetDeregistration = "TargetDeregistration";

    public string ServiceName => "elasticloadbalancing";
    public AwsProtocol Protocol => AwsProtocol.Query;
    public string RouteKey => "2015-12-01";
    public AwsErrorStyle ErrorStyle => AwsErrorStyle.Query;
    public string? XmlNamespace => Namespace;
    public string ThrottlingErrorCode => "Throttling";

    [GeneratedRegex("^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?$")]
    private static partial Regex NamePattern();

    public Task<LocalAwsResponse> HandleAsync(AwsCall call, CancellationToken cancellationToken)
    {
        lock (call.Aws.Store.Sync)
        {
            call.World.Settle(call.Now, call.Aws.TerminalRetention);
            return Task.FromResult(call.Operation switch
            {
                "CreateLoadBalancer" => CreateLoadBalancer(call),
                "DescribeLoadBalancers" => DescribeLoadBalancers(call),
                "DeleteLoadBalancer" => DeleteLoadBalancer(call),
                "CreateTargetGroup" => CreateTargetGroup(call),
                "DescribeTargetGroups" => DescribeTargetGroups(call),
                "DeleteTargetGroup" => DeleteTargetGroup(call),
                "CreateListener" => CreateListener(call),
                "DescribeListeners" => DescribeListeners(call),
                "DeleteListener" => DeleteListener(call),
                "RegisterTargets" => RegisterTargets(call),
                "DeregisterTargets" => DeregisterTargets(call),
                "DescribeTargetHealth" => DescribeTargetHealth(call),
                "AddTags" => AddTags(call),
                "RemoveTags" => RemoveTags(call),
                "DescribeTags" => DescribeTags(call),
                _ => throw new AwsErrorException("InvalidAction", $"The action {call.Operation} is not valid for this web service."),
            });
        }
    }

    // ---- load balancers ----

    private static LocalAwsResponse CreateLoadBalancer(AwsCall call)
    {
        var p = call.Parameters;
        var name = ValidName(p.Required("Name"), "load balancer");
        if (name.StartsWith("internal-", StringComparison.Ordinal))
            throw Validation("Load balancer names cannot start with 'internal-'");
        var type = p["Type"] ?? "application";
        if (type is not ("network" or "application"))
            throw Validation($"Load balancer type '{type}' is not supported by the local ELBv2; use 'network' or 'application'");
        var scheme = p["Scheme"] ?? "internet-facing";
        if (scheme is not ("internet-facing" or "internal"))
            throw Validation($"'{scheme}' is not a valid scheme");

        var subnetIds = p.MemberList("Subnets").Concat(p.MemberStructures("SubnetMappings").Select(m => m.Required("SubnetId"))).Distinct().ToList();
        var securityGroups = p.MemberList("SecurityGroups").Distinct().ToList();
        var tags = ReadTags(p);

        var world = call.World;
        var network = call.Aws.Network;
        var subnets = subnetIds.Select(id => network.FindSubnet(world, id)
            ?? throw new AwsErrorException("SubnetNotFound", $"The subnet ID '{id}' is not valid")).ToList();
        if (subnets.Count == 0)
            throw Validation("At least one subnet must be specified");
        if (subnets.Select(s => s.VpcId).Distinct().Count() > 1)
            throw new AwsErrorException("InvalidSubnet", "The subnets must all belong to the same VPC");
        if (subnets.GroupBy(s => s.AvailabilityZone).Any(g => g.Count() > 1))
            throw new AwsErrorException("InvalidConfigurationRequest", "A load balancer cannot be attached to multiple subnets in the same Availability Zone");
        if (type == "application" && subnets.Count < 2)
            throw new AwsErrorException("InvalidConfigurationRequest", "At least two subnets in two different Availability Zones must be specified");
        foreach (var group in securityGroups.Where(g => !network.SecurityGroupExists(world, g)))
            throw new AwsErrorException("InvalidSecurityGroup", $"Security group '{group}' does not exist");

        // CreateLoadBalancer is idempotent on the name: the same settings return the existing load balancer.
        if (world.All<ElbLoadBalancer>().FirstOrDefault(lb => lb.Name == name && lb.IsLiveAt(call.Now)) is { } existing)
        {
            var same = existing.LoadBalancerType == type && existing.Scheme == scheme
                && existing.Zones.Select(z => z.SubnetId).Order().SequenceEqual(subnetIds.Order())
                && existing.SecurityGroups.Order().SequenceEqual(securityGroups.Order());
            if (!same)
                throw new AwsErrorException("DuplicateLoadBalancerName", $"A load balancer with the same name '{name}' exists, but with different settings");
            return Result(call, w => w.List("LoadBalancers", [existing], (x, lb) => WriteLoadBalancer(x, lb, call.Now), "member"));
        }

        if (world.All<ElbLoadBalancer>().Count(lb => lb.LoadBalancerType == type && lb.IsLiveAt(call.Now)) >= LoadBalancerQuota)
            throw new AwsErrorException("TooManyLoadBalancers", "The maximum number of load balancers has been reached");

        var suffix = HexId();
        var kind = type == "network" ? "net" : "app";
        var arn = $"arn:aws:elasticloadbalancing:{call.Region}:{call.Account}:loadbalancer/{kind}/{name}/{suffix}";
        var dnsPrefix = (scheme == "internal" ? "internal-" : "") + name;
        var loadBalancer = new ElbLoadBalancer
        {
            Id = arn,
            Type = ElbLoadBalancer.ResourceType,
            Arn = arn,
            Name = name,
            LoadBalancerType = type,
            Scheme = scheme,
            VpcId = subnets[0].VpcId,
            DnsName = type == "network"
                ? $"{dnsPrefix}-{suffix}.elb.{call.Region}.amazonaws.com"
                : $"{dnsPrefix}-{DecimalId()}.{call.Region}.elb.amazonaws.com",
            CanonicalHostedZoneId = HostedZoneId(type, call.Region),
            Zones = [.. subnets.Select(s => new ElbZone(s.AvailabilityZone, s.SubnetId))],
            SecurityGroups = securityGroups,
            Tags = tags,
        };
        loadBalancer.SetState("provisioning", call.Now,
            new StateTransition(call.Now + call.Aws.Latency.Of(LatencyModel.LoadBalancerActive), "active"));
        world.Add(loadBalancer, call.Now);
        try
        {
            loadBalancer.NetworkInterfaceIds = [.. network.CreateNetworkInterfaces(
                world, arn, $"ELB {kind}/{name}/{suffix}", type == "network" ? "network_load_balancer" : null,
                subnetIds, securityGroups, call.Now)];
        }
        catch (AwsErrorException)
        {
            // A subnet without free addresses fails the whole create: nothing of it may stay behind.
            network.DeleteNetworkInterfaces(world, arn);
            world.Remove(arn);
            throw;
        }
        return Result(call, w => w.List("LoadBalancers", [loadBalancer], (x, lb) => WriteLoadBalancer(x, lb, call.Now), "member"));
    }

    private static LocalAwsResponse DescribeLoadBalancers(AwsCall call)
    {
        var p = call.Parameters;
        var arns = p.MemberList("LoadBalancerArns");
        var names = p.MemberList("Names");
        if (arns.Count > 0 && names.Count > 0)
            throw Validation("Load balancer names and load balancer ARNs cannot be specified at the same time");
        var live = LiveLoadBalancers(call).Where(lb => !IsStillPropagating(call, lb)).ToList();
        List<ElbLoadBalancer> selected;
        if (arns.Count > 0)
        {
            selected = [.. arns.Select(arn => live.FirstOrDefault(lb => lb.Arn == arn))
                .Select(lb => lb ?? throw new AwsErrorException("LoadBalancerNotFound", "One or more load balancers not found"))];
        }
        else if (names.Count > 0)
        {
            var missing = names.Where(n => live.All(lb => lb.Name != n)).ToList();
            if (missing.Count > 0)
                throw new AwsErrorException("LoadBalancerNotFound", $"Load balancers '[{string.Join(", ", missing)}]' not found");
            selected = [.. live.Where(lb => names.Contains(lb.Name))];
        }
        else
        {
            selected = live;
        }

        var (page, nextMarker) = Paginate(selected, p);
        return Result(call, w => w
            .List("LoadBalancers", page, (x, lb) => WriteLoadBalancer(x, lb, call.Now), "member")
            .Element("NextMarker", nextMarker));
    }

    private static LocalAwsResponse DeleteLoadBalancer(AwsCall call)
    {
        var arn = call.Parameters.Required("LoadBalancerArn");
        // Deleting a load balancer that does not exist succeeds, as in AWS.
        if (call.World.Find<ElbLoadBalancer>(arn) is { } loadBalancer)
        {
            foreach (var listener in ListenersOf(call, arn).ToList())
                call.World.Remove(listener.Id);
            call.Aws.Network.DeleteNetworkInterfaces(call.World, loadBalancer.Id);
            call.World.Remove(loadBalancer.Id);
        }

        return Result(call, _ => { });
    }

    // ---- target groups ----

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

    // ---- listeners ----

    private static LocalAwsResponse CreateListener(AwsCall call)
    {
        var p = call.Parameters;
        var loadBalancer = FindLoadBalancer(call, p.Required("LoadBalancerArn"))
            ?? throw new AwsErrorException("LoadBalancerNotFound", "One or more load balancers not found");
        var port = p.Int("Port") ?? throw Validation("A listener port must be specified");
        if (port is < 1 or > 65535)
            throw Validation($"Port '{port}' must be between 1 and 65535");
        var protocol = p["Protocol"] ?? (loadBalancer.LoadBalancerType == "network" ? "TCP" : "HTTP");
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

        var arn = $"arn:aws:elasticloadbalancing:{call.Region}:{call.Account}:listener/{loadBalancer.ArnKind}/{loadBalancer.Name}/{loadBalancer.Arn.Split('/')[^1]}/{HexId()}";
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

    // ---- targets ----

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

    // ---- tags ----

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
        return [.. arns.Select(arn =>
        {
            var resource = call.World.ResourcesById.TryGetValue(arn, out var found) && found.IsLiveAt(call.Now)
                && found is ElbLoadBalancer or ElbTargetGroup or ElbListener ? found : null;
            return resource ?? throw (arn.Contains(":targetgroup/", StringComparison.Ordinal)
                ? new AwsErrorException("TargetGroupNotFound", "One or more target groups not found")
                : arn.Contains(":listener/", StringComparison.Ordinal)
                    ? new AwsErrorException("ListenerNotFound", "One or more listeners not found")
                    : new AwsErrorException("LoadBalancerNotFound", "One or more load balancers not found"));
        })];
    }

    // ---- helpers ----

    /// <summary>Within the fault profile's eventual-consistency window a new ARN is not yet visible to Describe calls.</summary>
    private static bool IsStillPropagating(AwsCall call, AwsResource resource)
    {
        var seconds = call.Aws.Faults.Profile.EventualConsistencySeconds;
        return seconds > 0 && call.Now - resource.CreatedAt < call.Aws.Latency.Scale(TimeSpan.FromSeconds(seconds));
    }

    private static IEnumerable<ElbLoadBalancer> LiveLoadBalancers(AwsCall call) =>
        call.World.All<ElbLoadBalancer>().Where(lb => lb.IsLiveAt(call.Now));

    private static ElbLoadBalancer? FindLoadBalancer(AwsCall call, string arn) =>
        call.World.Find<ElbLoadBalancer>(arn) is { } lb && lb.IsLiveAt(call.Now) ? lb : null;

    private static IEnumerable<ElbListener> ListenersOf(AwsCall call, string loadBalancerArn) =>
        call.World.All<ElbListener>().Where(l => l.LoadBalancerArn == loadBalancerArn);

    private static Dictionary<string, string> ReadTags(QueryParameters p)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in p.MemberStructures("Tags"))
        {
            var key = tag.Required("Key");
            if (!tags.TryAdd(key, tag["Value"] ?? ""))
                throw new AwsErrorException("DuplicateTagKeys", $"Tag key '{key}' is duplicated");
        }

        if (tags.Count > 50)
            throw new AwsErrorException("TooManyTags", "The quota for the number of tags that can be assigned to a load balancer has been reached");
        return tags;
    }

    private static string ValidName(string name, string what) =>
        NamePattern().IsMatch(name)
            ? name
            : throw Validation($"The {what} name '{name}' must have at most 32 characters, contain only alphanumeric characters or hyphens, and must not begin or end with a hyphen");

    private static (List<T> Page, string? NextMarker) Paginate<T>(List<T> items, QueryParameters p)
    {
        var pageSize = p.Int("PageSize") ?? 400;
        if (pageSize is < 1 or > 400)
            throw Validation("Page size must be between 1 and 400");
        var start = 0;
        if (p["Marker"] is { Length: > 0 } marker && (!int.TryParse(marker, out start) || start < 0))
            throw Validation($"The marker '{marker}' is not valid");
        var page = items.Skip(start).Take(pageSize).ToList();
        return (page, start + pageSize < items.Count ? (start + pageSize).ToString(System.Globalization.CultureInfo.InvariantCulture) : null);
    }

    private static void WriteLoadBalancer(XmlBuilder x, ElbLoadBalancer lb, DateTimeOffset now)
    {
        x.Element("LoadBalancerArn", lb.Arn)
            .Element("DNSName", lb.DnsName)
            .Element("CanonicalHostedZoneId", lb.CanonicalHostedZoneId)
            .Element("CreatedTime", lb.CreatedAt)
            .Element("LoadBalancerName", lb.Name)
            .Element("Scheme", lb.Scheme)
            .Element("VpcId", lb.VpcId)
            .Open("State").Element("Code", lb.StateAt(now)).Close()
            .Element("Type", lb.LoadBalancerType)
            .List("AvailabilityZones", lb.Zones, (z, zone) => z.Element("ZoneName", zone.ZoneName).Element("SubnetId", zone.SubnetId), "member");
        if (lb.SecurityGroups.Count > 0 || lb.LoadBalancerType == "application")
            x.ValueList("SecurityGroups", lb.SecurityGroups, "member");
        x.Element("IpAddressType", "ipv4");
    }

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

    private static void WriteListener(XmlBuilder x, ElbListener l) =>
        x.Element("ListenerArn", l.Arn)
            .Element("LoadBalancerArn", l.LoadBalancerArn)
            .Element("Port", l.Port)
            .Element("Protocol", l.Protocol)
            .List("DefaultActions", [l], (a, listener) => a.Element("Type", "forward").Element("TargetGroupArn", listener.TargetGroupArn), "member");

    private static LocalAwsResponse Result(AwsCall call, Action<XmlBuilder> writeResult) =>
        QueryResponses.Query(call.Operation, Namespace, call.RequestId, writeResult);

    private static AwsErrorException Validation(string message) => new("ValidationError", message);

    private static string HexId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    private static string DecimalId() => RandomNumberGenerator.GetInt32(100_000_000, 999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    // The Route 53 zones AWS publishes for ELB in a few regions; other regions get the us-east-1 zone.
    private static string HostedZoneId(string type, string region) => (type, region) switch
    {
        ("network", "us-east-1") => "Z26RNL4JYFTOTI",
        ("network", "us-west-2") => "Z18D5FSROUN65G",
        ("network", "eu-west-1") => "Z2IFOLAFXWLO4F",
        ("network", _) => "Z26RNL4JYFTOTI",
        (_, "us-west-2") => "Z1H1FL5HABSF5",
        (_, "eu-west-1") => "Z32O12XQLNTSW2",
        _ => "Z35SXDOTRQ7X7K",
    };
}
