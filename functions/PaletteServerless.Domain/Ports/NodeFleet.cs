namespace PaletteServerless.Domain.Ports;

/// <summary>The states of a node's instance, as the cloud names them (EC2's instance state names).</summary>
public static class InstanceStates
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string ShuttingDown = "shutting-down";
    public const string Terminated = "terminated";
    public const string Stopping = "stopping";
    public const string Stopped = "stopped";

    /// <summary>The state reason code EC2 gives a spot instance it reclaimed (shutting-down or terminated).</summary>
    public const string SpotTerminationReason = "Server.SpotInstanceTermination";
}

/// <summary>
/// One node's instance as the cloud reports it. <paramref name="Lifecycle"/> is a capacity type
/// (<see cref="Clusters.CapacityTypes"/>): an instance the cloud reports no lifecycle for is on-demand.
/// <paramref name="ClientToken"/> is the idempotency token it was launched with.
/// </summary>
public sealed record NodeInstance(
    string Id, string State, string? Zone, IReadOnlyDictionary<string, string> Tags,
    string? StateReasonCode = null, string? StateReasonMessage = null, string? SubnetId = null, string? PrivateIp = null,
    string? InstanceType = null, string Lifecycle = Clusters.CapacityTypes.OnDemand, DateTimeOffset? LaunchTime = null, string? ClientToken = null)
{
    /// <summary>The value of one of its tags (a node reports its phase in one); null when it has none.</summary>
    public string? Tag(string key) => Tags.GetValueOrDefault(key);
}

/// <summary>A spot launch: one-time, at most <paramref name="MaxPrice"/> an hour (null: up to the on-demand price).</summary>
public sealed record SpotCapacity(decimal? MaxPrice);

/// <summary>
/// <paramref name="Count"/> nodes launched alike, all or none (a launch the cloud cannot fill whole fails).
/// <paramref name="ClientToken"/> makes a repeated launch answer the instances of the first. Each node gets the image, type,
/// key pair, instance profile (its role's, <see cref="Provisioning.SecretParameters.InstanceProfileOf"/>), subnet,
/// security groups and user data (encoded as the cloud takes it, <see cref="Provisioning.UserData.Encode"/>); a root volume of
/// <paramref name="DiskSizeGiB"/> GiB (gp3, deleted with the node); the instance metadata service with session tokens
/// only, reachable <paramref name="MetadataHopLimit"/> hops away; spot capacity when <paramref name="Spot"/> is set. The
/// instances carry <paramref name="InstanceTags"/>, their volumes <paramref name="VolumeTags"/>, from their creation on.
/// </summary>
public sealed record NodeLaunchRequest(
    string ClientToken, int Count, string ImageId, string InstanceType, string? KeyName, string InstanceProfile,
    string SubnetId, IReadOnlyList<string> SecurityGroupIds, string UserData, int DiskSizeGiB, int MetadataHopLimit,
    SpotCapacity? Spot, IReadOnlyDictionary<string, string> InstanceTags, IReadOnlyDictionary<string, string> VolumeTags);

/// <summary>An instance's two status checks as the cloud reports them ("ok", "impaired", "initializing", ...; null when not reported).</summary>
public sealed record NodeStatusChecks(string Id, string? Instance, string? System)
{
    public const string Impaired = "impaired";

    public bool IsImpaired => Instance == Impaired || System == Impaired;
}

/// <summary>
/// The nodes of clusters in their cloud account (on AWS: EC2 instances, their volumes and tags): launch a batch of
/// nodes, describe them (by id, by launch token, or by the tags that own them, every page), read their status checks,
/// terminate them, and put or take tags on the cluster's EC2 resources. A describe leaves out what the cloud no longer
/// knows; a failure the cloud answers with is a <see cref="CloudServiceException"/> with the cloud's code (a terminate
/// naming an instance that is gone fails InvalidInstanceID.NotFound; a launch without capacity fails
/// InsufficientInstanceCapacity).
/// </summary>
public interface INodeFleet
{
    /// <summary>The most instances one terminate takes: TerminateInstances' resource bucket counts instances (1000 at most).</summary>
    const int TerminatePerCall = 200;

    /// <summary>The most resource ids one tag or untag takes (CreateTags and DeleteTags: 1000).</summary>
    const int TagResourcesPerCall = 1000;

    /// <summary>Launches the nodes; returns their instance ids in launch order.</summary>
    Task<IReadOnlyList<string>> LaunchAsync(NodeLaunchRequest request, CancellationToken ct);

    /// <summary>The instances of those ids that the cloud still knows (any number of ids, read in pages).</summary>
    Task<IReadOnlyList<NodeInstance>> DescribeAsync(IEnumerable<string> instanceIds, CancellationToken ct);

    /// <summary>The instances launched with those client tokens (a batch whose answer was lost is found so).</summary>
    Task<IReadOnlyList<NodeInstance>> LaunchedWithAsync(IEnumerable<string> clientTokens, CancellationToken ct);

    /// <summary>The instances <paramref name="owner"/>'s tags find, in one of <paramref name="states"/>, every page.</summary>
    Task<IReadOnlyList<NodeInstance>> OwnedAsync(OwnedBy owner, IReadOnlyCollection<string> states, CancellationToken ct);

    /// <summary>One instance by its id; null when the cloud does not know it (an event's instance of another account, or long gone).</summary>
    Task<NodeInstance?> FindAsync(string instanceId, CancellationToken ct);

    /// <summary>The status checks of those of the instances that are running (any number of ids).</summary>
    Task<IReadOnlyList<NodeStatusChecks>> StatusChecksAsync(IReadOnlyCollection<string> instanceIds, CancellationToken ct);

    /// <summary>Terminates the instances (at most <see cref="TerminatePerCall"/>); one that is terminated already counts as done.</summary>
    Task TerminateAsync(IReadOnlyCollection<string> instanceIds, CancellationToken ct);

    /// <summary>The ids of the volumes <paramref name="owner"/>'s tags find (the nodes' root volumes).</summary>
    Task<IReadOnlyList<string>> OwnedVolumesAsync(OwnedBy owner, CancellationToken ct);

    /// <summary>Adds (or replaces the values of) tags of EC2 resources of any kind (at most <see cref="TagResourcesPerCall"/> ids).</summary>
    Task TagAsync(IReadOnlyCollection<string> resourceIds, IReadOnlyDictionary<string, string> tags, CancellationToken ct);

    /// <summary>Removes tags of EC2 resources by key (at most <see cref="TagResourcesPerCall"/> ids).</summary>
    Task UntagAsync(IReadOnlyCollection<string> resourceIds, IReadOnlyCollection<string> keys, CancellationToken ct);
}
