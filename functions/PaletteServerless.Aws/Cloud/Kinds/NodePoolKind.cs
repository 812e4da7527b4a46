using PaletteServerless.Domain.Changes;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Profiles;
using PaletteServerless.Domain.Provisioning;
using NodeUserData = PaletteServerless.Domain.Provisioning.UserData;

namespace PaletteServerless.Aws.Cloud.Kinds;

/// <summary>What every node launch of one cluster shares: the API host it joins, its profile, the CA hash it pins, the image per instance type.</summary>
public sealed record NodeLaunch(string ApiHost, ClusterProfile Profile, string CaCertHash, IReadOnlyDictionary<string, string> ImageByInstanceType);

/// <summary>One instance of a pool as EC2 reports it, with the phase the node last reported on it (<see cref="NodePhases"/>).</summary>
public sealed record PoolInstance(string InstanceId, string Name, string? AvailabilityZone, DateTimeOffset? LaunchTime, string State, string? Phase = null, string? Message = null);

/// <summary>One poll of a cluster's nodes: whether every instance runs, and what each node reported.</summary>
public sealed record NodePoolsState(bool AllRunning, IReadOnlyList<NodeReport> Nodes);

/// <summary>
/// The node pools' instances. Each planned instance is one launch with its own ClientToken,
/// so a re-run returns the same instance instead of starting another; each is recorded with its
/// pool and role. Launch one, list a pool's, terminate one: the moves a replace is made of. The
/// nodes are reached through the product's port (<see cref="INodeFleet"/>, <see cref="ICloudSession.Nodes"/>).
/// </summary>
public sealed class NodePoolKind(ClusterResources resources) : IDeletableKind
{
    private INodeFleet Nodes => resources.Cloud.Nodes;

    public async Task EnsureAsync(ClusterPlan plan, ClusterProfile profile, string caCertHash, IReadOnlyDictionary<string, string> subnetByZoneAndRole, CancellationToken ct)
    {
        var launch = await PrepareLaunchAsync(plan, profile, caCertHash, plan.Instances.Select(i => i.InstanceType), ct);
        foreach (var instance in plan.Instances.Where(i => !i.NamedByHost))
            await LaunchAsync(instance, launch, subnetByZoneAndRole[$"{instance.AvailabilityZone}/{instance.Role}"], ct);
        await new NodeBatches(resources, this).LaunchAsync(plan.Instances.Where(i => i.NamedByHost).ToList(), launch,
            zone => subnetByZoneAndRole[$"{zone}/{NodePoolRoles.Worker}"], ct);
    }

    /// <summary>The API host and the image of the profile's OS pack for each instance type's architecture (<see cref="MachineImages"/>).</summary>
    public async Task<NodeLaunch> PrepareLaunchAsync(ClusterPlan plan, ClusterProfile profile, string caCertHash, IEnumerable<string> instanceTypes, CancellationToken ct)
    {
        var apiHost = resources.Find(ResourceKinds.LoadBalancer)?.Attributes?.GetValueOrDefault("dnsName")
            ?? throw new ProvisioningFailedException("the API load balancer must exist before the nodes (their kubeadm joins it)");
        var (os, image) = MachineImages.OsOf(profile);
        var architectures = await MachineImages.ArchitecturesAsync(resources.Cloud.Catalog, instanceTypes, ct);
        var images = new Dictionary<string, string>();
        foreach (var architecture in architectures.Values.Distinct())
            images[architecture] = await MachineImages.FindAsync(resources.Cloud.Catalog, image, architecture, ct)
                ?? throw new ProvisioningFailedException(
                    $"no image of OS pack {os.Name} {os.Version} for {architecture} in {plan.Region} (owner {image.OwnerId}, name {MachineImages.NameFilter(image, architecture)})");
        return new NodeLaunch(apiHost, profile, caCertHash, architectures.ToDictionary(a => a.Key, a => images[a.Value]));
    }

    /// <summary>
    /// Launches one node of a pool in the instance plan's zone and subnet, or adopts the live one of
    /// that name; recorded before anything else happens. Returns its inventory item.
    /// </summary>
    public async Task<InventoryItem> LaunchAsync(InstancePlan instance, NodeLaunch launch, string subnetId, CancellationToken ct)
    {
        var attributes = AttributesOf(instance);
        return await resources.EnsureAsync(ResourceKinds.Instance, instance.Name, instance.AvailabilityZone, instance.Name,
            async () => await FindOwnedAsync(instance, ct) is { } id ? (id, attributes) : null,
            async () => ((await Nodes.LaunchAsync(LaunchRequest(instance, launch, subnetId, 1, instance.ClientToken, instance.Name), ct))[0], attributes),
            ct);
    }

    /// <summary>What the inventory records of a node: its role and pool, whether it reports phases or is the first control plane, and its launch fingerprint.</summary>
    internal Dictionary<string, string> AttributesOf(InstancePlan instance)
    {
        var attributes = new Dictionary<string, string>
        {
            [NodeAttributes.Role] = instance.Role, [NodeAttributes.Pool] = instance.Pool, [NodeReadiness.ReportsPhasesAttribute] = "true",
        };
        // The node that runs kubeadm init and applies the packs: ready only once it reports them applied.
        if (instance.IsFirstControlPlane)
            attributes[NodeReadiness.FirstControlPlaneAttribute] = "true";
        // What the node is launched with, recorded with it: an update rolls exactly the nodes whose launch differs.
        if (Fingerprint(instance) is { } fingerprint)
            attributes[LaunchFingerprint.AttributeName] = fingerprint;
        return attributes;
    }

    private string? Fingerprint(InstancePlan instance)
    {
        var definition = resources.Cluster.Definition;
        return definition.Pool(instance.Pool) is { } pool ? LaunchFingerprint.Of(definition, pool) : null;
    }

    /// <summary>
    /// The launch of <paramref name="count"/> nodes launched like <paramref name="instance"/> (one call per node,
    /// or one for a batch of nodes named by their hosts, whose user data is the same), tagged <paramref name="nameTag"/>.
    /// </summary>
    internal NodeLaunchRequest LaunchRequest(InstancePlan instance, NodeLaunch launch, string subnetId, int count, string clientToken, string nameTag)
    {
        var definition = resources.Cluster.Definition;
        var role = SecurityGroupRole(instance.Role);
        var extra = new Dictionary<string, string> { [PoolTag] = instance.Pool };
        if (Fingerprint(instance) is { } fingerprint)
            extra[LaunchFingerprint.TagKey] = fingerprint;
        var userData = NodeUserData.Build(resources.Cluster, launch.Profile, instance, launch.ApiHost, launch.CaCertHash);
        return new NodeLaunchRequest(
            clientToken, count, launch.ImageByInstanceType[instance.InstanceType], instance.InstanceType, definition.Cloud.SshKeyName,
            // The nodes read their cluster's secrets with their role's profile (SecretParameters): only
            // control planes may read the CA and certificate key.
            SecretParameters.InstanceProfileOf(instance.Role),
            subnetId, [resources.Id(ResourceKinds.SecurityGroup, role)], NodeUserData.Encode(userData), instance.DiskSizeGiB,
            // IMDSv2 only; one hop, so a pod (one more hop away) cannot take the node's role, unless a
            // pack of the profile documents that its pods need IMDS (PackNetworkRequirements). Like the
            // instance profile, not part of the launch fingerprint: a product upgrade that changes launch
            // options does not roll every existing cluster by itself; their next roll picks them up.
            PackNetworkRequirements.MetadataHopLimit(launch.Profile),
            instance.CapacityType == CapacityTypes.Spot ? new SpotCapacity(instance.MaxSpotPrice) : null,
            resources.CreationTags(nameTag, role, extra), resources.CreationTags($"{nameTag}-root", role, extra));
    }

    /// <summary>The live (pending or running) instance of this cluster with the plan's name.</summary>
    public async Task<string?> FindOwnedAsync(InstancePlan instance, CancellationToken ct) =>
        (await Nodes.OwnedAsync(resources.OwnedBy(SecurityGroupRole(instance.Role), instance.Name), [InstanceStates.Pending, InstanceStates.Running], ct))
            .FirstOrDefault()?.Id;

    /// <summary>
    /// Whether every instance runs, and each node's report (its phase tags, read from the same describe);
    /// an instance that stopped or terminated on its own fails the create.
    /// </summary>
    public async Task<NodePoolsState> CheckAsync(CancellationToken ct)
    {
        var (instances, reports) = await DescribeAsync(resources.All(ResourceKinds.Instance).ToList(), ct);
        var lost = instances.Where(i => i.State is not (InstanceStates.Pending or InstanceStates.Running)).ToList();
        if (lost.Count > 0)
            throw new ProvisioningFailedException("instance(s) did not start: " + string.Join("; ", lost.Select(i => $"{i.Id} is {i.State}: {i.StateReasonMessage}")));
        return new NodePoolsState(instances.Count == reports.Count && instances.All(i => i.State == InstanceStates.Running), reports);
    }

    /// <summary>The control-plane nodes' reports: ready as <see cref="NodeReport.IsReady"/> says.</summary>
    public async Task<IReadOnlyList<NodeReport>> ControlPlaneReportsAsync(CancellationToken ct) =>
        (await DescribeAsync(resources.All(ResourceKinds.Instance).Where(i => i.Attributes?.GetValueOrDefault(NodeAttributes.Role) == NodePoolRoles.ControlPlane).ToList(), ct)).Reports;

    /// <summary>One describe of the recorded instances (all of them in one call), and each one's report from its tags.</summary>
    private async Task<(IReadOnlyList<NodeInstance> Instances, List<NodeReport> Reports)> DescribeAsync(List<InventoryItem> items, CancellationToken ct)
    {
        if (items.Count == 0)
            return ([], []);
        var instances = await Nodes.DescribeAsync(items.Select(i => i.Id), ct);
        var reports = items.Select(item =>
        {
            var instance = instances.FirstOrDefault(i => i.Id == item.Id);
            return new NodeReport(item.Id, item.Name ?? item.Id, item.Attributes?.GetValueOrDefault(NodeReadiness.FirstControlPlaneAttribute) == "true",
                instance?.Tag(NodePhases.TagKey), instance?.Tag(NodePhases.MessageTagKey));
        }).ToList();
        return (instances, reports);
    }

    /// <summary>The recorded instances of a pool that EC2 still knows, with zone, launch time and state (one describe).</summary>
    public async Task<IReadOnlyList<PoolInstance>> ListAsync(string pool, CancellationToken ct)
    {
        var items = resources.All(ResourceKinds.Instance).Where(i => i.Attributes?.GetValueOrDefault(NodeAttributes.Pool) == pool).ToList();
        if (items.Count == 0)
            return [];
        var described = await Nodes.DescribeAsync(items.Select(i => i.Id), ct);
        var names = items.ToDictionary(i => i.Id, i => i.Name, StringComparer.Ordinal);
        return described
            .Select(i => new PoolInstance(
                i.Id, names.GetValueOrDefault(i.Id) ?? i.Id, i.Zone, i.LaunchTime, i.State,
                i.Tag(NodePhases.TagKey), i.Tag(NodePhases.MessageTagKey)))
            .OrderBy(i => i.LaunchTime)
            .ToList();
    }

    /// <summary>
    /// Terminates one recorded instance. The record stays until EC2 reports it terminated (a later
    /// delete pass forgets it then); an instance EC2 no longer knows is forgotten at once. Safe to repeat.
    /// </summary>
    public async Task TerminateAsync(string instanceId, CancellationToken ct)
    {
        try
        {
            await Nodes.TerminateAsync([instanceId], ct);
        }
        catch (CloudServiceException ex) when (CloudErrors.IsNotFound(ex))
        {
            if (resources.All(ResourceKinds.Instance).FirstOrDefault(i => i.Id == instanceId) is { } item)
                await resources.ForgetAsync(item, ct);
        }
    }

    /// <summary>Terminates recorded instances, up to <see cref="TerminateBatch"/> a call; an id EC2 no longer knows is forgotten. Safe to repeat.</summary>
    public async Task TerminateManyAsync(IReadOnlyCollection<string> instanceIds, CancellationToken ct)
    {
        foreach (var batch in instanceIds.Chunk(TerminateBatch))
        {
            try
            {
                await Nodes.TerminateAsync(batch, ct);
            }
            catch (CloudServiceException ex) when (CloudErrors.IsNotFound(ex))
            {
                // One id of the batch is gone: each on its own, which forgets the gone ones.
                foreach (var id in batch)
                    await TerminateAsync(id, ct);
            }
        }
    }

    public async Task<bool> DeleteAsync(DeletePass pass, CancellationToken ct)
    {
        if (!await AdoptBatchesAsync(pass, ct))
            return false;
        var items = resources.All(ResourceKinds.Instance).ToList();
        if (items.Count == 0)
            return true;
        var (read, instances) = await pass.Read("describe instances", () => Nodes.DescribeAsync(items.Select(i => i.Id), ct));
        if (!read || instances is null)
            return false;
        var byId = instances.DistinctBy(i => i.Id).ToDictionary(i => i.Id, StringComparer.Ordinal);
        await resources.ForgetManyAsync(items
            .Where(item => byId.GetValueOrDefault(item.Id) is not { } instance || instance.State == InstanceStates.Terminated).ToList(), ct);
        var running = instances.Where(i => i.State is not (InstanceStates.Terminated or InstanceStates.ShuttingDown)).Select(i => i.Id).ToList();
        // In calls of at most TerminateBatch instances, side by side: TerminateInstances' resource bucket counts instances
        // (1000 at most, 20 a second back), and every instance's minute to terminated starts with its call.
        if (running.Count > 0 && await pass.Attempt("terminate instances", () =>
                Task.WhenAll(running.Chunk(TerminateBatch).Select(batch => Nodes.TerminateAsync(batch, ct)))))
            pass.Expect(TypicalLatency.InstanceTermination);
        var left = resources.All(ResourceKinds.Instance).Select(i => i.Id).ToList();
        if (left.Count > 0)
            pass.Wait(TerminatingInstances(left));
        return left.Count == 0;
    }

    /// <summary>What the delete waits for, for its status reason: every id of a few instances, the count and the first ids of many.</summary>
    public static string TerminatingInstances(IReadOnlyList<string> ids) => ids.Count <= ListedInstances
        ? $"instances terminating: {string.Join(", ", ids)}"
        : $"{ids.Count} instances terminating: {string.Join(", ", ids.Take(ListedInstances))} and {ids.Count - ListedInstances} more";

    /// <summary>Instance ids a status reason lists at most (a 500-node pool made a reason of 10 KB).</summary>
    public const int ListedInstances = 10;

    /// <summary>
    /// Batches of nodes recorded before their RunInstances and not finished (<see cref="NodeBatches"/>): their instances,
    /// found by the batch's ClientToken, are recorded (and so terminated with the others), then the batch is forgotten.
    /// </summary>
    private async Task<bool> AdoptBatchesAsync(DeletePass pass, CancellationToken ct)
    {
        var batches = resources.All(ResourceKinds.LaunchRequest).ToList();
        if (batches.Count == 0)
            return true;
        var (read, instances) = await pass.Read("describe batch launches", () => Nodes.LaunchedWithAsync(batches.Select(b => b.Id), ct));
        if (!read || instances is null)
            return false;
        var known = resources.All(ResourceKinds.Instance).Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var instance in instances.Where(i => !known.Contains(i.Id) && i.State != InstanceStates.Terminated))
        {
            var batch = batches.First(b => b.Id == instance.ClientToken);
            await resources.RecordAsync(new InventoryItem
            {
                Kind = ResourceKinds.Instance, Id = instance.Id, Role = instance.Id, AvailabilityZone = batch.AvailabilityZone, Name = instance.Id,
                Attributes = new Dictionary<string, string> { [NodeAttributes.Pool] = batch.Attributes?.GetValueOrDefault(NodeBatches.PoolAttribute) ?? "", [NodeAttributes.Role] = batch.Role ?? "" },
                RecordedAt = resources.Clock.GetUtcNow(),
            }, ct);
        }
        foreach (var batch in batches)
            await resources.ForgetAsync(batch, ct);
        return true;
    }

    /// <summary>Instances per terminate call.</summary>
    public const int TerminateBatch = INodeFleet.TerminatePerCall;

    internal const string PoolTag = "palette.serverless/pool";

    internal static string SecurityGroupRole(string poolRole) =>
        poolRole == NodePoolRoles.ControlPlane ? SecurityGroupRoles.ControlPlane : SecurityGroupRoles.Node;
}
