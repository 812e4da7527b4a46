using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Steps.Update;

/// <summary>
/// Has the in-cluster agent applied the generation <see cref="ApplyPacksStep"/> wrote? It reads the reports on the
/// cluster's running control planes (their agent tags): applied sets <see cref="Condition"/> True with the
/// generation; a failure sets it False naming the pack and the agent's error, and fails the update with them;
/// no report after <see cref="MaxPolls"/> polls fails it too, saying so.
/// </summary>
public sealed class PacksCheckStep(StepRuntime runtime)
{
    public const string Condition = "PacksApplied";

    /// <summary>The bound of the wait: polls of <see cref="InClusterAgent.IntervalSeconds"/> (30 minutes: every pack's helm --wait has 10).</summary>
    public const int MaxPolls = 60;

    public PacksCheckStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        var generation = step.Input.Packs?.Generation ?? throw new ArgumentException("the step input has no desired-state generation");
        var cluster = await step.ClusterAsync(ct);
        if (cluster.Status != ClusterStatus.Updating)
            throw new ClusterStateChangedException($"cluster {cluster.Name} is {cluster.Status}, not Updating: this update run is over");
        var resources = await step.ResourcesAsync(ct);
        var reports = (await resources.Cloud.Nodes.OwnedAsync(resources.OwnedBy(SecurityGroupRoles.ControlPlane), [InstanceStates.Running], ct))
            .Select(i => new AgentReport(i.Id, i.Tag(NodePhases.AgentGenerationTagKey), i.Tag(NodePhases.AgentMessageTagKey))).ToList();
        var progress = AgentProgress.Of(generation, reports);
        if (progress.Applied)
        {
            await step.SetConditionAsync(Condition, true, "Applied", $"generation {generation} applied by the in-cluster agent", ct);
            return StepResult.Finished;
        }
        if (progress.Failure is { } failure)
        {
            var message = $"the in-cluster agent could not apply generation {generation}: {failure}";
            await step.SetConditionAsync(Condition, false, "PackFailed", message, ct);
            throw new ProvisioningFailedException($"step PacksCheck: {message}");
        }
        if ((step.Input.Polls?.N ?? 0) >= MaxPolls)
        {
            var message = $"the in-cluster agent did not report generation {generation} within {MaxPolls * InClusterAgent.IntervalSeconds / 60} minutes";
            await step.SetConditionAsync(Condition, false, "AgentSilent", message, ct);
            throw new ProvisioningFailedException($"step PacksCheck: {message}");
        }
        return new StepResult { Ready = false, WaitSeconds = InClusterAgent.IntervalSeconds };
    });
}
