using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Steps.Orphans;

/// <summary>The sweep's last step: one report of everything its removals left, with the hourly cost; the execution's output.</summary>
public sealed class FinishSweepStep(StepRuntime runtime)
{
    public FinishSweepStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunSweepAsync(input, StepJsonContext.Default.LeftoverReport, (step, _) =>
    {
        var leftovers = (step.Input.Removed ?? []).SelectMany(r => r.Leftovers ?? []).ToList();
        Aws.Observability.JsonLog.Metric($"orphan sweep of {step.Input.Tenant}/{step.Input.Project} left {leftovers.Count} resource(s)",
            new Dictionary<string, double> { [Manifest.ProductMetrics.LeftoverResources] = leftovers.Count },
            [new("tenant", step.Input.Tenant), new("project", step.Input.Project), new("executionArn", step.Input.Execution)], clock: runtime.Clock);
        return Task.FromResult(LeftoverReport.Of(null, leftovers, runtime.Clock.GetUtcNow()));
    });
}
