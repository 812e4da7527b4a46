using Amazon.EC2;
using Amazon.EC2.Model;
using PaletteServerless.Aws.Clients;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Aws.Cloud;

/// <summary>The outcome of one teardown pass: done, or what it still waits for and what blocks it.</summary>
public sealed record TeardownResult(bool Done, int Remaining, IReadOnlyList<string> WaitingFor, IReadOnlyList<Blocker> Blocking, IReadOnlyList<string> Errors)
{
    public IReadOnlyList<string> Blockers => Blocking.Select(b => b.Description).ToList();
}

/// <summary>Something that is not ours and keeps a subnet or the VPC from going: its kind, id, and a sentence naming it.</summary>
public sealed record Blocker(string Kind, string Id, string Description);

/// <summary>
/// Removes everything a cluster owns, in the reference order (aws-facts section 4): instances,
/// load balancer and target group, security groups, route tables, NAT gateways, Elastic IPs,
/// internet gateway, subnets, VPC. One call is one pass: every stage is attempted until one is
/// not finished yet; NotFound counts as done; dependency errors mean "next pass"; other errors are
/// collected, never thrown, so one bad resource cannot stop the rest. Safe to run any number of times.
/// What it owns is what the inventory lists plus what carries the cluster's uid tag; nothing else
/// is ever touched, and what blocks without being ours is named.
/// </summary>
public sealed class Teardown(ClusterResources resources)
{
    private readonly List<string> _waiting = [];
    private readonly List<Blocker> _blockers = [];
    private readonly List<string> _errors = [];
    private IAmazonEC2 Ec2 => resources.Cloud.Ec2;
    private Elbv2Client Elb => resources.Cloud.LoadBalancing;

    /// <summary>
    /// One pass. <paramref name="attemptEveryStage"/> (force delete, orphan sweep) goes on past an
    /// unfinished stage to remove whatever can be removed now, out of order if need be.
    /// </summary>
    public async Task<TeardownResult> PassAsync(CancellationToken ct, bool attemptEveryStage = false)
    {
        await AdoptTaggedAsync(ct);
        await StartNatGatewayDeletionsAsync(ct);
        Func<CancellationToken, Task<bool>>[] stages =
        [
            InstancesAsync, LoadBalancersAsync, SecurityGroupsAsync, RouteTablesAsync,
            NatGatewaysAsync, ElasticIpsAsync, InternetGatewaysAsync, SubnetsAsync, VpcAsync,
        ];
        var done = true;
        foreach (var stage in stages)
        {
            if (!await stage(ct))
            {
                done = false;
                if (!attemptEveryStage)
                    break;
            }
        }
        return new TeardownResult(done && resources.Items.Count == 0, resources.Items.Count, _waiting, _blockers, _errors);
    }

    /// <summary>
    /// A crash between a create and its record leaves a tagged resource the inventory lacks; a
    /// load balancer someone made for the cluster by hand is tagged too. Both are ours to remove.
    /// </summary>
    private async Task AdoptTaggedAsync(CancellationToken ct)
    {
        var tagged = await resources.Cloud.Tagging.GetAllResourcesAsync(new GetResourcesRequest
        {
            TagFilters = [new TagFilter(OwnershipTags.ClusterUid, [resources.Cluster.Uid])],
        }, ct);
        foreach (var resource in tagged)
        {
            var (kind, id) = KindAndId(resource.ResourceArn);
            if (kind is null || resources.Items.Any(i => i.Id == id))
                continue;
            var role = resource.Tags?.FirstOrDefault(t => t.Key == ResourceTags.CapaRole)?.Value ?? "adopted";
            await resources.RecordAsync(new InventoryItem { Kind = kind, Id = id, Role = role, RecordedAt = DateTimeOffset.UtcNow }, ct);
        }
    }

    /// <summary>ARN -> (kind, id as the API takes it). ELB resources go by ARN; EC2 ones by their short id.</summary>
    public static (string? Kind, string Id) KindAndId(string arn)
    {
        var parts = arn.Split(':', 6);
        if (parts.Length < 6)
            return (null, arn);
        if (parts[2] == "elasticloadbalancing")
            return (parts[5].StartsWith("loadbalancer/", StringComparison.Ordinal) ? ResourceKinds.LoadBalancer
                : parts[5].StartsWith("targetgroup/", StringComparison.Ordinal) ? ResourceKinds.TargetGroup : null, arn);
        var slash = parts[5].Split('/');
        if (slash.Length != 2)
            return (null, arn);
        var kind = slash[0] switch
        {
            "vpc" => ResourceKinds.Vpc, "subnet" => ResourceKinds.Subnet, "internet-gateway" => ResourceKinds.InternetGateway,
            "elastic-ip" => ResourceKinds.ElasticIp, "natgateway" => ResourceKinds.NatGateway, "route-table" => ResourceKinds.RouteTable,
            "security-group" => ResourceKinds.SecurityGroup, "instance" => ResourceKinds.Instance,
            _ => null, // volumes go with their instance (DeleteOnTermination); interfaces with their owner
        };
        return (kind, slash[1]);
    }

    private async Task<bool> InstancesAsync(CancellationToken ct)
    {
        var items = resources.All(ResourceKinds.Instance).ToList();
        if (items.Count == 0)
            return true;
        var (read, instances) = await Read("describe instances", async () => (await Ec2.DescribeInstancesAsync(new DescribeInstancesRequest
        {
            Filters = [new Filter("instance-id", items.Select(i => i.Id).ToList())],
        }, ct)).Reservations?.SelectMany(r => r.Instances ?? []).ToList() ?? []);
        if (!read || instances is null)
            return false;
        foreach (var item in items)
        {
            var instance = instances.FirstOrDefault(i => i.InstanceId == item.Id);
            if (instance is null || instance.State.Name == InstanceStateName.Terminated)
                await resources.ForgetAsync(item, ct);
        }
        var running = instances.Where(i => i.State.Name != InstanceStateName.Terminated && i.State.Name != InstanceStateName.ShuttingDown).Select(i => i.InstanceId).ToList();
        if (running.Count > 0)
            await Attempt("terminate instances", () => Ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = running }, ct));
        var left = resources.All(ResourceKinds.Instance).Select(i => i.Id).ToList();
        if (left.Count > 0)
            _waiting.Add($"instances terminating: {string.Join(", ", left)}");
        return left.Count == 0;
    }

    private async Task<bool> LoadBalancersAsync(CancellationToken ct)
    {
        foreach (var item in resources.All(ResourceKinds.LoadBalancer).ToList())
        {
            var (read, exists) = await Read("describe load balancer", async () =>
            {
                try
                {
                    return (await Elb.DescribeLoadBalancersAsync(loadBalancerArns: [item.Id], cancellationToken: ct)).Items.Count > 0;
                }
                catch (AwsServiceException ex) when (ex.ErrorCode == "LoadBalancerNotFound")
                {
                    return false;
                }
            });
            if (!read)
                continue;
            if (!exists)
            {
                await resources.ForgetAsync(item, ct);
                continue;
            }
            await Attempt($"delete load balancer {item.Id}", () => Elb.DeleteLoadBalancerAsync(item.Id, ct));
            _waiting.Add($"load balancer {item.Name ?? item.Id} deleting");
        }
        if (resources.All(ResourceKinds.LoadBalancer).Any())
            return false;
        foreach (var item in resources.All(ResourceKinds.TargetGroup).ToList())
        {
            if (await Attempt($"delete target group {item.Id}", () => Elb.DeleteTargetGroupAsync(item.Id, ct)))
                await resources.ForgetAsync(item, ct);
        }
        return !resources.All(ResourceKinds.TargetGroup).Any();
    }

    private async Task<bool> SecurityGroupsAsync(CancellationToken ct)
    {
        var items = resources.All(ResourceKinds.SecurityGroup).ToList();
        // Groups of one cluster reference each other: revoke those rules first, or no group can go.
        foreach (var item in items)
        {
            var (_, group) = await Read("describe security group", async () =>
                (await Ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { Filters = [new Filter("group-id", [item.Id])] }, ct)).SecurityGroups?.FirstOrDefault());
            if (group is null)
                continue;
            var referencing = (group.IpPermissions ?? []).Where(p => p.UserIdGroupPairs is { Count: > 0 }).ToList();
            if (referencing.Count > 0)
                await Attempt($"revoke rules of {item.Id}", () => Ec2.RevokeSecurityGroupIngressAsync(new RevokeSecurityGroupIngressRequest { GroupId = item.Id, IpPermissions = referencing }, ct));
        }
        foreach (var item in items)
        {
            if (await Attempt($"delete security group {item.Id}", () => Ec2.DeleteSecurityGroupAsync(new DeleteSecurityGroupRequest { GroupId = item.Id }, ct)))
                await resources.ForgetAsync(item, ct);
        }
        return !resources.All(ResourceKinds.SecurityGroup).Any();
    }

    private async Task<bool> RouteTablesAsync(CancellationToken ct)
    {
        foreach (var item in resources.All(ResourceKinds.RouteTable).ToList())
        {
            var (read, table) = await Read("describe route table", async () =>
                (await Ec2.DescribeRouteTablesAsync(new DescribeRouteTablesRequest { Filters = [new Filter("route-table-id", [item.Id])] }, ct)).RouteTables?.FirstOrDefault());
            if (!read)
                continue;
            if (table is null)
            {
                await resources.ForgetAsync(item, ct);
                continue;
            }
            foreach (var association in (table.Associations ?? []).Where(a => a.Main != true))
                await Attempt($"disassociate {association.RouteTableAssociationId}", () => Ec2.DisassociateRouteTableAsync(new DisassociateRouteTableRequest { AssociationId = association.RouteTableAssociationId }, ct));
            if (await Attempt($"delete route table {item.Id}", () => Ec2.DeleteRouteTableAsync(new DeleteRouteTableRequest { RouteTableId = item.Id }, ct)))
                await resources.ForgetAsync(item, ct);
        }
        return !resources.All(ResourceKinds.RouteTable).Any();
    }

    private async Task<bool> NatGatewaysAsync(CancellationToken ct)
    {
        var items = resources.All(ResourceKinds.NatGateway).ToList();
        if (items.Count == 0)
            return true;
        var (read, gateways) = await Read("describe NAT gateways", async () => (await Ec2.DescribeNatGatewaysAsync(new DescribeNatGatewaysRequest
        {
            Filter = [new Filter("nat-gateway-id", items.Select(i => i.Id).ToList())],
        }, ct)).NatGateways ?? []);
        if (!read || gateways is null)
            return false;
        foreach (var item in items)
        {
            var gateway = gateways.FirstOrDefault(g => g.NatGatewayId == item.Id);
            // A failed NAT gateway holds nothing (its address is freed) and AWS removes it on its own.
            if (gateway is null || gateway.State == NatGatewayState.Deleted || gateway.State == NatGatewayState.Failed)
            {
                await resources.ForgetAsync(item, ct);
                continue;
            }
            if (gateway.State != NatGatewayState.Deleting)
                await Attempt($"delete NAT gateway {item.Id}", () => Ec2.DeleteNatGatewayAsync(new DeleteNatGatewayRequest { NatGatewayId = item.Id }, ct));
            _waiting.Add($"NAT gateway {item.Id} deleting");
        }
        return !resources.All(ResourceKinds.NatGateway).Any();
    }

    /// <summary>
    /// A NAT gateway takes about a minute to delete and nothing of the cluster depends on it during a
    /// delete, so every pass starts what is not yet deleting; the NAT stage then only waits in its turn.
    /// </summary>
    private async Task StartNatGatewayDeletionsAsync(CancellationToken ct)
    {
        var items = resources.All(ResourceKinds.NatGateway).ToList();
        if (items.Count == 0)
            return;
        var (read, gateways) = await Read("describe NAT gateways", async () => (await Ec2.DescribeNatGatewaysAsync(new DescribeNatGatewaysRequest
        {
            Filter = [new Filter("nat-gateway-id", items.Select(i => i.Id).ToList())],
        }, ct)).NatGateways ?? []);
        if (!read || gateways is null)
            return;
        foreach (var gateway in gateways.Where(g => g.State == NatGatewayState.Pending || g.State == NatGatewayState.Available))
            await Attempt($"delete NAT gateway {gateway.NatGatewayId}", () => Ec2.DeleteNatGatewayAsync(new DeleteNatGatewayRequest { NatGatewayId = gateway.NatGatewayId }, ct));
    }

    private async Task<bool> ElasticIpsAsync(CancellationToken ct)
    {
        foreach (var item in resources.All(ResourceKinds.ElasticIp).ToList())
        {
            // Deleting a NAT gateway does not release its address (aws-facts section 4).
            var (read, address) = await Read("describe address", async () =>
                (await Ec2.DescribeAddressesAsync(new DescribeAddressesRequest { Filters = [new Filter("allocation-id", [item.Id])] }, ct)).Addresses?.FirstOrDefault());
            if (!read)
                continue;
            if (address is null)
            {
                await resources.ForgetAsync(item, ct);
                continue;
            }
            if (address.AssociationId is { } association && address.NetworkInterfaceOwnerId is null)
                await Attempt($"disassociate {item.Id}", () => Ec2.DisassociateAddressAsync(new DisassociateAddressRequest { AssociationId = association }, ct));
            if (await Attempt($"release address {item.Id}", () => Ec2.ReleaseAddressAsync(new ReleaseAddressRequest { AllocationId = item.Id }, ct)))
                await resources.ForgetAsync(item, ct);
        }
        return !resources.All(ResourceKinds.ElasticIp).Any();
    }

    private async Task<bool> InternetGatewaysAsync(CancellationToken ct)
    {
        foreach (var item in resources.All(ResourceKinds.InternetGateway).ToList())
        {
            var (read, gateway) = await Read("describe internet gateway", async () =>
                (await Ec2.DescribeInternetGatewaysAsync(new DescribeInternetGatewaysRequest { Filters = [new Filter("internet-gateway-id", [item.Id])] }, ct)).InternetGateways?.FirstOrDefault());
            if (!read)
                continue;
            if (gateway is null)
            {
                await resources.ForgetAsync(item, ct);
                continue;
            }
            foreach (var attachment in gateway.Attachments ?? [])
                await Attempt($"detach {item.Id}", () => Ec2.DetachInternetGatewayAsync(new DetachInternetGatewayRequest { InternetGatewayId = item.Id, VpcId = attachment.VpcId }, ct));
            if (await Attempt($"delete internet gateway {item.Id}", () => Ec2.DeleteInternetGatewayAsync(new DeleteInternetGatewayRequest { InternetGatewayId = item.Id }, ct)))
                await resources.ForgetAsync(item, ct);
        }
        return !resources.All(ResourceKinds.InternetGateway).Any();
    }

    private async Task<bool> SubnetsAsync(CancellationToken ct)
    {
        foreach (var item in resources.All(ResourceKinds.Subnet).ToList())
        {
            if (await Attempt($"delete subnet {item.Id}", () => Ec2.DeleteSubnetAsync(new DeleteSubnetRequest { SubnetId = item.Id }, ct)))
                await resources.ForgetAsync(item, ct);
            else
                await NameBlockersAsync(new Filter("subnet-id", [item.Id]), ct);
        }
        return !resources.All(ResourceKinds.Subnet).Any();
    }

    private async Task<bool> VpcAsync(CancellationToken ct)
    {
        foreach (var item in resources.All(ResourceKinds.Vpc).ToList())
        {
            if (await Attempt($"delete VPC {item.Id}", () => Ec2.DeleteVpcAsync(new DeleteVpcRequest { VpcId = item.Id }, ct)))
                await resources.ForgetAsync(item, ct);
            else
                await NameBlockersAsync(new Filter("vpc-id", [item.Id]), ct);
        }
        return !resources.All(ResourceKinds.Vpc).Any();
    }

    /// <summary>
    /// Names, by type and id, what still sits in the VPC or subnet and is not ours: the network
    /// interfaces (of a load balancer, an instance, a Lambda someone created there) and load balancers.
    /// </summary>
    private async Task NameBlockersAsync(Filter where, CancellationToken ct)
    {
        var (_, interfaces) = await Read("describe network interfaces", async () =>
            (await Ec2.DescribeNetworkInterfacesAsync(new DescribeNetworkInterfacesRequest { Filters = [where] }, ct)).NetworkInterfaces ?? []);
        foreach (var eni in interfaces ?? [])
        {
            var owner = eni.Attachment?.InstanceId is { } instance ? $"instance {instance}" : eni.Description is { Length: > 0 } d ? d : eni.InterfaceType?.Value ?? "unknown";
            if (_blockers.All(b => b.Id != eni.NetworkInterfaceId))
                _blockers.Add(new Blocker(ResourceKinds.NetworkInterface, eni.NetworkInterfaceId, $"network interface {eni.NetworkInterfaceId} ({owner}) in {eni.SubnetId}"));
        }
        if (where.Name == "vpc-id")
        {
            var (_, loadBalancers) = await Read("describe load balancers", async () => (await Elb.DescribeLoadBalancersAsync(cancellationToken: ct)).Items);
            foreach (var lb in (loadBalancers ?? []).Where(lb => lb.VpcId == where.Values[0]))
            {
                if (_blockers.All(b => b.Id != lb.LoadBalancerArn))
                    _blockers.Add(new Blocker(ResourceKinds.LoadBalancer, lb.LoadBalancerArn, $"load balancer {lb.LoadBalancerName} ({lb.LoadBalancerArn}), not tagged for this cluster"));
            }
        }
    }

    /// <summary>Runs one call; NotFound means done (true), a dependency means later (false), anything else is collected (false).</summary>
    private async Task<bool> Attempt(string what, Func<Task> call)
    {
        try
        {
            await call();
            return true;
        }
        catch (Exception ex) when (CloudErrors.Code(ex) is not null || ex is HttpRequestException)
        {
            if (CloudErrors.IsNotFound(ex))
                return true;
            if (CloudErrors.IsDependency(ex))
                _waiting.Add($"{what}: {CloudErrors.Code(ex)}");
            else
                _errors.Add($"{what}: {CloudErrors.Code(ex) ?? ex.GetType().Name}: {ex.Message}");
            return false;
        }
    }

    /// <summary>Runs a describe; on failure the error is collected and Ok is false, so nothing is forgotten on a failed read.</summary>
    private async Task<(bool Ok, T? Value)> Read<T>(string what, Func<Task<T>> call)
    {
        try
        {
            return (true, await call());
        }
        catch (Exception ex) when (CloudErrors.Code(ex) is not null || ex is HttpRequestException)
        {
            _errors.Add($"{what}: {CloudErrors.Code(ex) ?? ex.GetType().Name}: {ex.Message}");
            return (false, default);
        }
    }
}
