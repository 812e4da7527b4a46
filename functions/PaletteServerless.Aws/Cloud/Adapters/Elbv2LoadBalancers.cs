using PaletteServerless.Aws.Clients;
using PaletteServerless.Domain.Ports;

namespace PaletteServerless.Aws.Cloud.Adapters;

/// <summary>
/// <see cref="ILoadBalancers"/> over our ELBv2 client. What Elastic Load Balancing's API asks is decided here: the product's
/// load balancers are of type network, target groups hold instances, a lookup by name or ARN that ELBv2 answers with
/// LoadBalancerNotFound or TargetGroupNotFound reads as null, the region's count follows every page, targets are registered
/// on the group's port. Each operation is the same ELBv2 action it always was, since the session policies name them. Errors
/// ELBv2 answers with become <see cref="CloudServiceException"/>.
/// </summary>
public sealed class Elbv2LoadBalancers(IElbv2Client elb) : ILoadBalancers
{
    public Task<LoadBalancerState> CreateNetworkLoadBalancerAsync(NetworkLoadBalancerRequest request, CancellationToken ct) =>
        PortCalls.RunAsync(async () => State(await elb.CreateLoadBalancerAsync(new CreateLoadBalancerRequest
        {
            Name = request.Name,
            Type = "network",
            Scheme = request.Scheme,
            Subnets = request.Subnets,
            SecurityGroups = request.SecurityGroups,
            Tags = Tags(request.Tags),
        }, ct)));

    public Task<LoadBalancerState?> FindLoadBalancerAsync(string name, CancellationToken ct) =>
        PortCalls.RunAsync(async () =>
        {
            try
            {
                return (await elb.DescribeLoadBalancersAsync(names: [name], cancellationToken: ct)).Items.FirstOrDefault() is { } lb ? State(lb) : null;
            }
            catch (AwsServiceException ex) when (ex.ErrorCode == "LoadBalancerNotFound")
            {
                return null;
            }
        });

    public Task<LoadBalancerState?> LoadBalancerAsync(string arn, CancellationToken ct) =>
        PortCalls.RunAsync(async () =>
        {
            try
            {
                return (await elb.DescribeLoadBalancersAsync(loadBalancerArns: [arn], cancellationToken: ct)).Items.FirstOrDefault() is { } lb ? State(lb) : null;
            }
            catch (AwsServiceException ex) when (ex.ErrorCode == "LoadBalancerNotFound")
            {
                return null;
            }
        });

    public Task<int> CountAsync(CancellationToken ct) =>
        PortCalls.RunAsync(async () =>
        {
            var count = 0;
            string? marker = null;
            do
            {
                var page = await elb.DescribeLoadBalancersAsync(marker: marker, cancellationToken: ct);
                count += page.Items.Count;
                marker = page.NextMarker;
            }
            while (!string.IsNullOrEmpty(marker));
            return count;
        });

    public Task DeleteLoadBalancerAsync(string arn, CancellationToken ct) =>
        PortCalls.RunAsync(async () =>
        {
            await elb.DeleteLoadBalancerAsync(arn, ct);
            return true;
        });

    public Task<string> CreateTargetGroupAsync(TargetGroupRequest request, CancellationToken ct) =>
        PortCalls.RunAsync(async () => (await elb.CreateTargetGroupAsync(new CreateTargetGroupRequest
        {
            Name = request.Name,
            Protocol = request.Protocol,
            Port = request.Port,
            VpcId = request.VpcId,
            TargetType = "instance",
            HealthCheckProtocol = request.HealthCheck.Protocol,
            HealthCheckIntervalSeconds = request.HealthCheck.IntervalSeconds,
            HealthCheckTimeoutSeconds = request.HealthCheck.TimeoutSeconds,
            HealthyThresholdCount = request.HealthCheck.HealthyThreshold,
            UnhealthyThresholdCount = request.HealthCheck.UnhealthyThreshold,
            Tags = Tags(request.Tags),
        }, ct)).TargetGroupArn);

    public Task<string?> FindTargetGroupAsync(string name, CancellationToken ct) =>
        PortCalls.RunAsync(async () =>
        {
            try
            {
                return (await elb.DescribeTargetGroupsAsync(names: [name], cancellationToken: ct)).Items.FirstOrDefault()?.TargetGroupArn;
            }
            catch (AwsServiceException ex) when (ex.ErrorCode == "TargetGroupNotFound")
            {
                return null;
            }
        });

    public Task DeleteTargetGroupAsync(string arn, CancellationToken ct) =>
        PortCalls.RunAsync(async () =>
        {
            await elb.DeleteTargetGroupAsync(arn, ct);
            return true;
        });

    public Task<IReadOnlyList<ListenerInfo>> ListenersAsync(string loadBalancerArn, CancellationToken ct) =>
        PortCalls.RunAsync<IReadOnlyList<ListenerInfo>>(async () =>
        {
            var listeners = new List<ListenerInfo>();
            string? marker = null;
            do
            {
                var page = await elb.DescribeListenersAsync(loadBalancerArn: loadBalancerArn, marker: marker, cancellationToken: ct);
                listeners.AddRange(page.Items.Select(l => new ListenerInfo(l.ListenerArn, l.Protocol, l.Port,
                    l.DefaultActions.FirstOrDefault(a => a.TargetGroupArn is not null)?.TargetGroupArn)));
                marker = page.NextMarker;
            }
            while (!string.IsNullOrEmpty(marker));
            return listeners;
        });

    public Task<string> CreateListenerAsync(string loadBalancerArn, string protocol, int port, string targetGroupArn, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        PortCalls.RunAsync(async () => (await elb.CreateListenerAsync(loadBalancerArn, protocol, port, targetGroupArn, Tags(tags), ct)).ListenerArn);

    public Task<IReadOnlyList<TargetHealth>> TargetHealthAsync(string targetGroupArn, CancellationToken ct) =>
        PortCalls.RunAsync<IReadOnlyList<TargetHealth>>(async () =>
            [.. (await elb.DescribeTargetHealthAsync(targetGroupArn, cancellationToken: ct)).Select(h => new TargetHealth(h.Target.Id, h.State, h.Reason))]);

    public Task RegisterAsync(string targetGroupArn, IReadOnlyCollection<string> instanceIds, CancellationToken ct) =>
        PortCalls.RunAsync(async () =>
        {
            await elb.RegisterTargetsAsync(targetGroupArn, [.. instanceIds.Select(id => new TargetDescription(id))], ct);
            return true;
        });

    public Task DeregisterAsync(string targetGroupArn, IReadOnlyCollection<string> instanceIds, CancellationToken ct) =>
        PortCalls.RunAsync(async () =>
        {
            await elb.DeregisterTargetsAsync(targetGroupArn, [.. instanceIds.Select(id => new TargetDescription(id))], ct);
            return true;
        });

    public Task TagAsync(IReadOnlyCollection<string> arns, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        PortCalls.RunAsync(async () =>
        {
            await elb.AddTagsAsync([.. arns], Tags(tags), ct);
            return true;
        });

    public Task UntagAsync(IReadOnlyCollection<string> arns, IReadOnlyCollection<string> keys, CancellationToken ct) =>
        PortCalls.RunAsync(async () =>
        {
            await elb.RemoveTagsAsync([.. arns], [.. keys], ct);
            return true;
        });

    private static LoadBalancerState State(LoadBalancer lb) => new(lb.LoadBalancerArn, lb.LoadBalancerName, lb.DnsName, lb.VpcId,
        lb.State switch
        {
            "active" => LoadBalancerPhase.Active,
            "active_impaired" => LoadBalancerPhase.ActiveImpaired,
            "failed" => LoadBalancerPhase.Failed,
            _ => LoadBalancerPhase.Provisioning,
        },
        lb.StateReason);

    private static List<ResourceTag> Tags(IReadOnlyDictionary<string, string> tags) => [.. tags.Select(t => new ResourceTag(t.Key, t.Value))];

}
