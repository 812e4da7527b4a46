namespace PaletteServerless.Local.Aws.Core;

/// <summary>A subnet as other services need to see it.</summary>
public sealed record SubnetView(string SubnetId, string VpcId, string AvailabilityZone, string CidrBlock);

/// <summary>An instance as other services need to see it (target health follows its state).</summary>
public sealed record InstanceView(string InstanceId, string VpcId, string SubnetId, string PrivateIpAddress, string State, DateTimeOffset? RunningSince);

/// <summary>
/// What EC2 offers the other local services: lookups, and the network interfaces AWS places in
/// subnets for resources that are not EC2's own (an ELBv2 load balancer gets one per subnet).
/// Implemented by EC2; reach it through <see cref="LocalAws.Network"/>. Call it while holding
/// <see cref="ResourceStore.Sync"/> (it takes the lock itself as well; the lock is reentrant).
/// </summary>
public interface IEc2Network
{
    SubnetView? FindSubnet(AwsWorld world, string subnetId);

    bool SecurityGroupExists(AwsWorld world, string groupId);

    InstanceView? FindInstance(AwsWorld world, string instanceId, DateTimeOffset now);

    /// <summary>
    /// Creates one network interface per subnet for <paramref name="ownerId"/> and returns their ids.
    /// They stay while the owner is in the store and live, and vanish with it (also see
    /// <see cref="DeleteNetworkInterfaces"/>). Unknown subnets or groups throw EC2's NotFound errors.
    /// </summary>
    /// <param name="interfaceType">EC2's interfaceType, e.g. <c>network_load_balancer</c>; null for a plain interface.</param>
    /// <param name="description">As AWS writes it, e.g. <c>ELB net/my-lb/50dc6c495c0c9188</c>.</param>
    IReadOnlyList<string> CreateNetworkInterfaces(
        AwsWorld world, string ownerId, string description, string? interfaceType,
        IReadOnlyList<string> subnetIds, IReadOnlyList<string> securityGroupIds, DateTimeOffset now);

    /// <summary>Deletes every network interface owned by <paramref name="ownerId"/>.</summary>
    void DeleteNetworkInterfaces(AwsWorld world, string ownerId);
}
