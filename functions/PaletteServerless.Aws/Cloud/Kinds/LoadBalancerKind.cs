using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Aws.Cloud.Kinds;

/// <summary>
/// The API server's network load balancer with its TCP 6443 listener and target group (Cluster
/// API's health check). The delete removes the load balancer first, the target group once it is gone.
/// </summary>
public sealed class LoadBalancerKind(ClusterResources resources) : IDeletableKind
{
    public const string Role = "apiserver";

    /// <summary>Cluster API's health check of the API server: TCP every 5 s, healthy after 2 checks, unhealthy after 6.</summary>
    public static readonly TargetHealthCheck ApiServerHealthCheck = new("TCP", IntervalSeconds: 5, TimeoutSeconds: 4, HealthyThreshold: 2, UnhealthyThreshold: 6);

    private ILoadBalancers Elb => resources.Cloud.LoadBalancers;

    /// <summary>The load balancer's build under way: its DNS name once it exists (what the nodes join), and the whole once the target group and listener do too.</summary>
    public sealed record Build(Task<string> DnsName, Task Built);

    /// <summary>Creates (or adopts) the load balancer, target group and listener; returns the load balancer's DNS name.</summary>
    public async Task<string> EnsureAsync(ClusterPlan plan, IReadOnlyList<string> subnets, CancellationToken ct)
    {
        var build = Start(plan, subnets, ct);
        await build.Built;
        return await build.DnsName;
    }

    /// <summary>
    /// Starts the load balancer and its target group side by side, then the listener joining them. The DNS name is known
    /// as soon as the load balancer is created: what waits for it (the nodes' user data) need not wait for the listener.
    /// <see cref="Build.Built"/> includes everything; await it before the step ends.
    /// </summary>
    public Build Start(ClusterPlan plan, IReadOnlyList<string> subnets, CancellationToken ct)
    {
        var tags = ResourceTags.For(resources.Cluster, $"{plan.Name}-apiserver", "apiserver-lb");
        var vpcId = plan.IsDynamic ? resources.Id(ResourceKinds.Vpc) : plan.StaticVpcId!;
        var lbTask = resources.EnsureAsync(ResourceKinds.LoadBalancer, Role, null, plan.LoadBalancerName,
            async () => await FindOwnedAsync(plan.LoadBalancerName, ct) is { } found ? (found.Arn, new() { ["dnsName"] = found.DnsName ?? "" }) : null,
            async () =>
            {
                var created = await Elb.CreateNetworkLoadBalancerAsync(new NetworkLoadBalancerRequest(
                    plan.LoadBalancerName, plan.LoadBalancerScheme, subnets, [resources.Id(ResourceKinds.SecurityGroup, SecurityGroupRoles.LoadBalancer)], tags), ct);
                return (created.Arn, new() { ["dnsName"] = created.DnsName ?? "" });
            },
            ct);
        var groupTask = resources.EnsureAsync(ResourceKinds.TargetGroup, Role, null, plan.TargetGroupName,
            async () => await FindOwnedTargetGroupAsync(plan.TargetGroupName, ct) is { } found ? (found, null) : null,
            async () => (await Elb.CreateTargetGroupAsync(new TargetGroupRequest(plan.TargetGroupName, "TCP", 6443, vpcId, ApiServerHealthCheck, tags), ct), null),
            ct);
        async Task<string> DnsNameAsync() => (await lbTask).Attributes!["dnsName"];
        async Task ListenerAsync()
        {
            await Task.WhenAll(lbTask, groupTask);
            var (lb, group) = (await lbTask, await groupTask);
            var listeners = await Elb.ListenersAsync(lb.Id, ct);
            if (listeners.Count == 0)
                await CloudErrors.CreateAsync("create listener", () => Elb.CreateListenerAsync(lb.Id, "TCP", 6443, group.Id, tags, ct));
        }
        return new Build(DnsNameAsync(), ListenerAsync());
    }

    /// <summary>True once the load balancer is active; a failed one fails the create.</summary>
    public async Task<bool> CheckAsync(CancellationToken ct)
    {
        var arn = resources.Id(ResourceKinds.LoadBalancer);
        var lb = await Elb.LoadBalancerAsync(arn, ct) ?? throw new TransientCloudException($"load balancer {arn} is not described yet");
        return lb.Phase switch
        {
            LoadBalancerPhase.Active => true,
            LoadBalancerPhase.Failed => throw new ProvisioningFailedException($"load balancer {lb.Name} failed: {lb.Reason}"),
            _ => false,
        };
    }

    /// <summary>
    /// Registers the control-plane instances the target group does not have yet, and answers whether
    /// every target passes the health check (a target registered now does not yet). One describe per
    /// poll, and a register only for a new instance: the register is a write, on the create's last poll.
    /// </summary>
    public async Task<bool> RegisterControlPlaneAsync(CancellationToken ct)
    {
        var targetGroup = resources.Id(ResourceKinds.TargetGroup);
        var health = await Elb.TargetHealthAsync(targetGroup, ct);
        var missing = resources.All(ResourceKinds.Instance).Where(i => i.Attributes?.GetValueOrDefault(NodeAttributes.Role) == NodePoolRoles.ControlPlane)
            .Where(i => health.All(h => h.InstanceId != i.Id)).Select(i => i.Id).ToList();
        if (missing.Count > 0)
        {
            await Elb.RegisterAsync(targetGroup, missing, ct);
            return false;
        }
        return health.Count > 0 && health.All(h => h.State == TargetHealth.Healthy);
    }

    /// <summary>
    /// Registers the control planes recorded so far, early: a pending instance may join (its checks begin
    /// once it runs). One that is already going is left to the nodes' check, which fails the create for it.
    /// </summary>
    public async Task RegisterLaunchedControlPlaneAsync(CancellationToken ct)
    {
        try
        {
            await RegisterControlPlaneAsync(ct);
        }
        catch (CloudServiceException ex) when (ex.Code == "InvalidTarget")
        {
        }
    }

    /// <summary>The load balancer of that name, if any. Its name is unique per account and region, and carries the cluster's uid.</summary>
    public Task<LoadBalancerState?> FindOwnedAsync(string name, CancellationToken ct) => Elb.FindLoadBalancerAsync(name, ct);

    /// <summary>The ARN of the target group of that name, if any.</summary>
    public Task<string?> FindOwnedTargetGroupAsync(string name, CancellationToken ct) => Elb.FindTargetGroupAsync(name, ct);

    public async Task<bool> DeleteAsync(DeletePass pass, CancellationToken ct)
    {
        foreach (var item in resources.All(ResourceKinds.LoadBalancer).ToList())
        {
            var (read, exists) = await ExistsAsync(pass, item.Id, ct);
            // Asked again right after the delete: ELBv2 usually reports it gone at once, and the
            // target group can go in the same pass instead of one poll later.
            if (read && exists && await pass.Attempt($"delete load balancer {item.Id}", () => Elb.DeleteLoadBalancerAsync(item.Id, ct)))
                (read, exists) = await ExistsAsync(pass, item.Id, ct);
            if (!read)
                continue;
            if (!exists)
            {
                await resources.ForgetAsync(item, ct);
                continue;
            }
            pass.Wait($"load balancer {item.Name ?? item.Id} deleting");
        }
        if (resources.All(ResourceKinds.LoadBalancer).Any())
            return false;
        foreach (var item in resources.All(ResourceKinds.TargetGroup).ToList())
        {
            if (await pass.Attempt($"delete target group {item.Id}", () => Elb.DeleteTargetGroupAsync(item.Id, ct)))
                await resources.ForgetAsync(item, ct);
        }
        return !resources.All(ResourceKinds.TargetGroup).Any();
    }

    private Task<(bool Ok, bool Exists)> ExistsAsync(DeletePass pass, string arn, CancellationToken ct) =>
        pass.Read("describe load balancer", async () => await Elb.LoadBalancerAsync(arn, ct) is not null);
}
