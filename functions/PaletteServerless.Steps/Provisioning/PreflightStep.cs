using PaletteServerless.Aws.Cloud;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Steps.Provisioning;

/// <summary>Checks everything that can be checked before creating anything; fails with every reason at once.</summary>
public sealed class PreflightStep(StepRuntime runtime)
{
    public PreflightStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        var cluster = await step.ClusterAsync(ct);
        ICloudSession cloud;
        try
        {
            cloud = await step.CloudAsync(ct);
        }
        catch (Exception ex) when (CloudErrors.Code(ex) is { } code)
        {
            throw new PreflightFailedException([$"cloudAccount: the role of cloud account '{cluster.Definition.CloudAccount}' cannot be assumed: {code}: {ex.Message}"]);
        }
        var problems = await new Preflight(cluster, cloud).RunAsync(ct);
        if (problems.Count > 0)
            throw new PreflightFailedException(problems);
        await step.SetConditionAsync("PreflightPassed", true, "Checked", "key pair, zones, instance types and quotas are fine", ct);
        return StepResult.Finished;
    });
}
