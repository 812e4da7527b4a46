using PaletteServerless.Aws.Cloud;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Manifest;

namespace PaletteServerless.Steps.Orphans;

/// <summary>The sweep's first step: every cluster of the project that is not live but still has tagged resources, by account and region.</summary>
public sealed class FindOrphansStep(StepRuntime runtime)
{
    public FindOrphansStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunSweepAsync(input, StepJsonContext.Default.SweepResult, async (step, ct) =>
    {
        var homeRegion = Environment.GetEnvironmentVariable(EnvironmentNames.Region) ?? "us-east-1";
        var where = await OrphanScope.LoadAsync(step.Clusters, step.Accounts, homeRegion, step.Scope, ct);
        var groups = await new OrphanSweeper(runtime.Sessions, step.Inventory, runtime.Clock, FunctionCatalog.FindOrphans.Name).FindGroupsAsync(step.Scope, where.Accounts, where.Regions, where.Live, ct);
        return new SweepResult { Groups = groups };
    });
}
