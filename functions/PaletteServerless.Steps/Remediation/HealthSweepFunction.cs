using PaletteServerless.Aws.Storage;
using PaletteServerless.Aws.Workflows;
using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Steps.Remediation;

/// <summary>
/// The periodic check (every 5 minutes, <see cref="Manifest.EventRuleCatalog.HealthSweep"/>): catches what the
/// events miss. For every Running cluster with a health check on, judges its nodes (gone, stopped, impaired, never
/// Ready in time) and starts a remediation when something is to be replaced or a pause is to be recorded or lifted.
/// One cluster's failure is reported and does not stop the others.
/// </summary>
public sealed class HealthSweepFunction(StepRuntime runtime, IRemediationStarter starter, IRunningClusters running)
{
    public HealthSweepFunction() : this(StepRuntime.FromEnvironment(), RemediationTriggers.StarterFromEnvironment(), RemediationTriggers.RunningFromEnvironment()) { }

    /// <summary>The scheduled event's content is not needed: every run checks everything.</summary>
    public async Task<Stream> Handle(Stream input) => RemediationTriggers.Report(await SweepAsync(CancellationToken.None));

    public async Task<TriggerOutcome> SweepAsync(CancellationToken ct)
    {
        var started = new List<string>();
        var errors = new List<string>();
        var checkedCount = 0;
        foreach (var cluster in await running.ListRunningAsync(ct))
        {
            if (!(cluster.Spec.NodePools ?? []).Any(p => ClusterSpecValidator.WithDefaults(p.HealthCheck).Enabled == true))
                continue;
            checkedCount++;
            try
            {
                await using var step = runtime.ContextFor(cluster);
                var (decision, _) = await RemediationRun.DecideAsync(step, cluster, ct);
                if (!decision.Replacements.Any() && RemediationRun.PauseRecorded(cluster, decision))
                    continue;
                if (await starter.TryStartAsync(cluster, ct) == RemediationStart.Started)
                    started.Add($"{cluster.Scope.Tenant}/{cluster.Scope.Project}/{cluster.Name}");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                errors.Add($"{cluster.Scope.Tenant}/{cluster.Scope.Project}/{cluster.Name}: {ex.GetType().Name}: {ex.Message}");
            }
        }
        return new TriggerOutcome
        {
            Trigger = nameof(HealthSweepFunction),
            Outcome = errors.Count == 0 ? "checked" : "checked with errors",
            Checked = checkedCount, Started = started, Errors = errors,
        };
    }
}
