using PaletteServerless.Aws.Cloud;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Manifest;

namespace PaletteServerless.Steps.Orphans;

/// <summary>One Map iteration of the sweep: one teardown sweep of what one orphaned cluster left; returns what is still there.</summary>
public sealed class RemoveOrphansStep(StepRuntime runtime)
{
    public RemoveOrphansStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunSweepAsync(input, StepJsonContext.Default.SweepResult, async (step, ct) =>
    {
        var group = step.Input.Group ?? throw new ArgumentException("the step input has no group");
        // A cloud account removed since the find: what it holds is out of reach, as in the find.
        var account = group.Account is null
            ? new CloudAccount { Name = "(product account)" }
            : await step.Accounts.GetAsync(step.Scope, group.Account, ct) ?? throw new ArgumentException($"cloud account '{group.Account}' no longer exists");
        var leftovers = await new OrphanSweeper(runtime.Sessions, step.Inventory, runtime.Clock, FunctionCatalog.RemoveOrphans.Name).RemoveGroupAsync(step.Scope, account, group, ct);
        return new SweepResult { Leftovers = leftovers };
    });
}
