using Newtonsoft.Json.Linq;
using PaletteServerless.Local.StepFunctions.Language;
using PaletteServerless.Local.StepFunctions.Resources;

namespace PaletteServerless.Local;

/// <summary>
/// Fault injection for the workflows: a step's Lambda "crashes" after its work is done, as when a
/// container dies or times out before answering, so the engine sees Sandbox.Timedout. That is the
/// hard case for a workflow: the cloud changed, the answer was lost. Off unless a rate or rule is set.
/// </summary>
public sealed class StepCrashes(LambdaRegistry functions) : ITaskResource
{
    public const string Error = "Sandbox.Timedout";

    private readonly Lock _sync = new();
    private Random _random = new(0);

    /// <summary>Decides per invocation (by function name) whether it crashes; null means never.</summary>
    public Func<string, bool>? Rule { get; set; }

    /// <summary>Crashes that fraction of step invocations, with a seeded choice that replays.</summary>
    public void UseRate(double rate, int seed)
    {
        _random = new Random(seed);
        Rule = rate <= 0 ? null : _ =>
        {
            lock (_sync)
                return _random.NextDouble() < rate;
        };
    }

    public long Crashed => Interlocked.Read(ref _crashed);

    private long _crashed;

    public bool Handles(string resource) => functions.Handles(resource);

    public async Task<JToken> InvokeAsync(TaskRequest request, CancellationToken ct)
    {
        var result = await functions.InvokeAsync(request, ct);
        var name = request.Resource.Split(':').LastOrDefault() ?? request.Resource;
        if (Rule is { } rule && rule(name))
        {
            Interlocked.Increment(ref _crashed);
            throw new StatesException(Error, $"injected: {name} finished its work but its answer was lost");
        }
        return result;
    }
}
