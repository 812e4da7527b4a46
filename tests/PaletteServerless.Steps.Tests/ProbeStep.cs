namespace PaletteServerless.Steps.Tests;

/// <summary>A step for the runtime's tests: runs whatever the test gives it, as a real step runs its work.</summary>
public sealed class ProbeStep(StepRuntime runtime, Func<StepContext, Task<StepResult>> work)
{
    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, (step, _) => work(step));
}
