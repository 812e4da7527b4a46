using Newtonsoft.Json.Linq;
using PaletteServerless.Local.StepFunctions.Language;

namespace PaletteServerless.Local.StepFunctions.Execution;

// InputPath, Parameters, ResultSelector, ResultPath and OutputPath, and the context object.
internal sealed partial class ExecutionRun
{
    private JToken ContextObject(State state, DateTimeOffset entered, int retryCount, JObject? mapItem = null)
    {
        if (!state.UsesContextObject)
            return new JObject();
        var context = new JObject
        {
            ["Execution"] = _executionContext,
            ["StateMachine"] = _stateMachineContext,
            ["State"] = new JObject
            {
                ["EnteredTime"] = FormatTime(entered),
                ["Name"] = state.Name,
                ["RetryCount"] = retryCount,
            },
        };
        if (mapItem is not null)
            context["Map"] = new JObject { ["Item"] = mapItem };
        return context;
    }

    private JToken ApplyInputPath(State state, JToken input, DateTimeOffset entered) => state.InputPath switch
    {
        null => new JObject(),
        "$" => input,
        var path => JsonPaths.SelectRequired(input, ContextObject(state, entered, 0), path, StatesErrors.Runtime, "InputPath"),
    };

    private JToken ApplyOutputPath(State state, JToken output, DateTimeOffset entered) => state.OutputPath switch
    {
        null => new JObject(),
        "$" => output,
        var path => JsonPaths.SelectRequired(output, ContextObject(state, entered, 0), path, StatesErrors.Runtime, "OutputPath"),
    };

    /// <summary>ResultSelector, ResultPath and OutputPath: what every result-producing state does with its result.</summary>
    private JToken FinishResult(State state, JToken rawInput, JToken result, DateTimeOffset entered, int retryCount)
    {
        var resultState = (IResultState)state;
        if (resultState.ResultSelector is { } selector)
            result = PayloadTemplate.Apply(selector, result, ContextObject(state, entered, retryCount), "ResultSelector");
        var combined = resultState.ResultPath switch
        {
            null => rawInput,
            "$" => result,
            var path => JsonPaths.SetAt(rawInput, path, result),
        };
        return ApplyOutputPath(state, combined, entered);
    }

    private JToken EffectiveParameters(State state, JToken effectiveInput, DateTimeOffset entered, int retryCount) =>
        ((IResultState)state).Parameters is { } parameters
            ? PayloadTemplate.Apply(parameters, effectiveInput, ContextObject(state, entered, retryCount), "Parameters")
            : effectiveInput;
}
