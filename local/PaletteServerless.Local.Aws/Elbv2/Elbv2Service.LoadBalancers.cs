using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.Elbv2;

// CreateLoadBalancer, DescribeLoadBalancers, DeleteLoadBalancer.
public sealed partial class Elbv2Service
{
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
        var kind = ElbLoadBalancer.ArnKindOf(type);
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
