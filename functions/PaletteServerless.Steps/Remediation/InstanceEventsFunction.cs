using System.Text.Json;
using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Aws.Workflows;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Manifest;

namespace PaletteServerless.Steps.Remediation;

/// <summary>
/// The target of the EC2 event rules (<see cref="EventRuleCatalog"/>): finds the cluster that owns the instance by
/// its ownership tags and starts that cluster's remediation. Ignores an instance of no cluster, of a cluster that is
/// not Running (an update or a delete owns it), and one the product itself retires or already forgot: the product
/// never reacts to its own terminations.
/// </summary>
public sealed class InstanceEventsFunction(StepRuntime runtime, IRemediationStarter starter)
{
    public InstanceEventsFunction() : this(StepRuntime.FromEnvironment(), RemediationTriggers.StarterFromEnvironment()) { }

    public async Task<Stream> Handle(Stream input)
    {
        var received = await JsonSerializer.DeserializeAsync(input, TriggerJsonContext.Default.Ec2Event)
            ?? throw new ArgumentException("the event is empty");
        var outcome = await HandleAsync(received, CancellationToken.None);
        return RemediationTriggers.Report(outcome);
    }

    public async Task<TriggerOutcome> HandleAsync(Ec2Event received, CancellationToken ct)
    {
        TriggerOutcome Outcome(string text, Cluster? cluster = null) => new()
        {
            Trigger = nameof(InstanceEventsFunction), Outcome = text, InstanceId = received.Detail?.InstanceId, Cluster = cluster?.Name, ClusterUid = cluster?.Uid,
        };
        if (received.Source != Ec2EventTypes.Source || received.DetailType is not (Ec2EventTypes.SpotInterruptionWarning or Ec2EventTypes.InstanceStateChange))
            return Outcome($"ignored: not an EC2 instance event ({received.Source}, {received.DetailType})");
        if (received.Detail?.InstanceId is not { Length: > 0 } instanceId)
            throw new ArgumentException("the event's detail has no instance-id ($.detail.instance-id)");
        var region = received.Region ?? Environment.GetEnvironmentVariable(EnvironmentNames.Region)
            ?? throw new ArgumentException("the event names no region ($.region)");

        var tags = await InstanceTagsAsync(instanceId, region, ct);
        if (tags is null)
            return Outcome("ignored: EC2 does not know the instance");
        if (!tags.TryGetValue(OwnershipTags.ClusterUid, out var uid) || !tags.TryGetValue(OwnershipTags.ClusterName, out var name)
            || !tags.TryGetValue(OwnershipTags.Tenant, out var tenant) || !tags.TryGetValue(OwnershipTags.Project, out var project))
            return Outcome("ignored: the instance carries no cluster's ownership tags");
        var cluster = await runtime.Clusters.GetAsync(new ProjectScope(tenant, project), name, ct);
        if (cluster is null || cluster.Uid != uid)
            return Outcome($"ignored: cluster {name} ({uid}) no longer exists");
        if (cluster.Status != ClusterStatus.Running)
            return Outcome($"ignored: the cluster is {cluster.Status}", cluster);

        await using var step = runtime.ContextFor(cluster);
        var resources = await step.ResourcesAsync(ct);
        var item = resources.All(ResourceKinds.Instance).FirstOrDefault(i => i.Id == instanceId);
        if (item is null)
            return Outcome("ignored: not a node the cluster records (the product already removed it)", cluster);
        if (item.Attributes?.GetValueOrDefault(PoolRollout.RetiringAttribute) == "true")
            return Outcome("ignored: the product itself is retiring this node", cluster);
        var pool = item.Attributes?.GetValueOrDefault(NodeAttributes.Pool);
        if (ClusterSpecValidator.WithDefaults(RemediationRun.CheckOf(cluster, pool ?? "")).Enabled != true)
            return Outcome($"ignored: pool {pool}'s health check is off", cluster);
        if (received.DetailType == Ec2EventTypes.SpotInterruptionWarning)
            await new NodeRemediation(resources, new NodePoolKind(resources)).MarkInterruptedAsync(instanceId, received.Time ?? runtime.Clock.GetUtcNow(), ct);

        return Outcome(await starter.TryStartAsync(cluster, ct) switch
        {
            RemediationStart.Started => "remediation started",
            RemediationStart.AlreadyRunning => "remediation already running: it judges the nodes again before each replacement",
            _ => "ignored: the cluster is no longer Running",
        }, cluster);
    }

    /// <summary>
    /// The instance's tags, read in the event's region with the function's own credentials (the events of the
    /// default bus are this account's instances); null when EC2 does not know it.
    /// </summary>
    private async Task<Dictionary<string, string>?> InstanceTagsAsync(string instanceId, string region, CancellationToken ct)
    {
        using var session = runtime.Sessions.OpenOwn(region);
        return (await session.Nodes.FindAsync(instanceId, ct)) is { } instance
            ? new Dictionary<string, string>(instance.Tags, StringComparer.Ordinal)
            : null;
    }
}
