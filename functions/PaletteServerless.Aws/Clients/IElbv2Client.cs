namespace PaletteServerless.Aws.Clients;

/// <summary>The ELBv2 calls the product makes: the seam that lets unit tests stand in for <see cref="Elbv2Client"/>.</summary>
public interface IElbv2Client : IDisposable
{
    Task<LoadBalancer> CreateLoadBalancerAsync(CreateLoadBalancerRequest request, CancellationToken cancellationToken = default);

    Task<Page<LoadBalancer>> DescribeLoadBalancersAsync(
        IReadOnlyList<string>? loadBalancerArns = null, IReadOnlyList<string>? names = null, string? marker = null, CancellationToken cancellationToken = default);

    Task DeleteLoadBalancerAsync(string loadBalancerArn, CancellationToken cancellationToken = default);

    Task<TargetGroup> CreateTargetGroupAsync(CreateTargetGroupRequest request, CancellationToken cancellationToken = default);

    Task<Page<TargetGroup>> DescribeTargetGroupsAsync(
        string? loadBalancerArn = null, IReadOnlyList<string>? targetGroupArns = null, IReadOnlyList<string>? names = null, string? marker = null,
        CancellationToken cancellationToken = default);

    Task DeleteTargetGroupAsync(string targetGroupArn, CancellationToken cancellationToken = default);

    Task<Listener> CreateListenerAsync(
        string loadBalancerArn, string protocol, int port, string targetGroupArn, IReadOnlyList<ResourceTag>? tags = null, CancellationToken cancellationToken = default);

    Task<Page<Listener>> DescribeListenersAsync(
        string? loadBalancerArn = null, IReadOnlyList<string>? listenerArns = null, string? marker = null, CancellationToken cancellationToken = default);

    Task RegisterTargetsAsync(string targetGroupArn, IReadOnlyList<TargetDescription> targets, CancellationToken cancellationToken = default);

    Task AddTagsAsync(IReadOnlyList<string> resourceArns, IReadOnlyList<ResourceTag> tags, CancellationToken cancellationToken = default);

    Task RemoveTagsAsync(IReadOnlyList<string> resourceArns, IReadOnlyList<string> tagKeys, CancellationToken cancellationToken = default);

    Task DeregisterTargetsAsync(string targetGroupArn, IReadOnlyList<TargetDescription> targets, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<TargetHealthDescription>> DescribeTargetHealthAsync(
        string targetGroupArn, IReadOnlyList<TargetDescription>? targets = null, CancellationToken cancellationToken = default);
}
