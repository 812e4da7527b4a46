using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Domain.Remediation;
using PaletteServerless.Manifest;
using PaletteServerless.Steps.Provisioning;

namespace PaletteServerless.Steps.Remediation;

/// <summary>
/// Launches one replacement of the pass in its pool, its zone first; zones without capacity are remembered on the
/// cluster (tried last next time) and reported. When no zone has capacity this replacement stops (Done), the pass's
/// others go on, and the run ends after the pass: the periodic check tries again in minutes, never in a tight loop.
/// </summary>
public sealed class LaunchReplacementStep(StepRuntime runtime)
{
    public LaunchReplacementStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        var cluster = await RemediationRun.OwnedAsync(step, ct);
        var replacement = RemediationRun.Current(step);
        var (plan, network) = await step.PlanAsync(ct);
        var resources = await step.ResourcesAsync(ct);
        var nodes = new NodePoolKind(resources);
        var spec = cluster.Spec.NodePools!.First(p => p.Name == replacement.Pool);
        var outcome = await new NodeRemediation(resources, nodes).LaunchAsync(
            new Replacement(replacement.Pool, replacement.Role, replacement.OldInstanceId, null, true, replacement.Zones), cluster.RemediationRuns,
            replacement.Slot ?? 0,
            async () =>
            {
                var secrets = await NodeSecrets.ReadAsync(resources, ct);
                return await nodes.PrepareLaunchAsync(plan, await step.ProfileAsync(ct), secrets.CaCertHash, [spec.InstanceType!], ct);
            },
            zone => NodePlacement.SubnetFor(plan, network, resources, zone, spec.Role!),
            ct);

        if (outcome.Shortages.Count > 0)
        {
            var status = runtime.Status;
            await status.ChangeAsync(step.Scope, cluster.Name, cluster.Uid,
                c => c with { CapacityShortages = [.. ZoneFallback.Recent([.. c.CapacityShortages ?? [], .. outcome.Shortages], runtime.Clock.GetUtcNow())] }, ct);
            var shortText = string.Join("; ", outcome.Shortages.Select(s => $"{s.Zone}: {s.Error}"));
            await status.AddEventAsync(cluster, "Warning", "CapacityShortage", $"no capacity for pool {replacement.Pool} ({spec.InstanceType}, {spec.CapacityType ?? "on-demand"}): {shortText}", ct);
        }
        if (outcome.Node is { } launched
            && (await runtime.Status.LoadAsync(step.Scope, cluster.Name, cluster.Uid, ct)).Status is ClusterStatus.Deleting or ClusterStatus.Deleted)
        {
            // A delete began while the instance launched: it may already have passed the instances, so the new one goes now.
            await new NodeRemediation(resources, nodes).RetireAsync(launched.Id, replacement.Role, ct);
            throw new ClusterStateChangedException($"cluster {cluster.Name} is being deleted: the replacement {launched.Id} was terminated again");
        }
        if (outcome.Node is not { } node)
        {
            var message = $"{replacement.Reason}; no zone of the pool ({string.Join(", ", replacement.Zones)}) had capacity for a replacement: the next health check tries again";
            await runtime.Status.AddEventAsync(cluster, "Warning", "ReplacementFailed", message, ct);
            await RemediationRun.PublishAsync(step, cluster, ClusterEvents.NodeRemediationDetailType, replacement.Pool, "CapacityShortage",
                replacement.OldInstanceId, null, null, message, ct, replacement.Slot);
            return new StepResult { Done = true };
        }
        return new StepResult
        {
            Done = false,
            Replacement = replacement with { NewInstanceId = node.Id, Zone = outcome.Zone },
            WaitSeconds = 30,
        };
    });
}
