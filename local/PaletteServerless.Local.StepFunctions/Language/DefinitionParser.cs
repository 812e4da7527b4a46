using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace PaletteServerless.Local.StepFunctions.Language;

/// <summary>
/// Reads a definition and checks the rules of the specification, reporting the first problem the
/// way AWS's InvalidDefinition does: "CODE: reason at /json/pointer".
/// </summary>
internal static partial class DefinitionParser
{
    private static readonly string[] CommonFields = ["Type", "Comment"];
    private static readonly string[] FlowFields = ["Next", "End", "InputPath", "OutputPath"];
    private static readonly string[] ResultFields = ["ResultPath", "Parameters", "ResultSelector", "Retry", "Catch"];

    private static readonly Dictionary<string, HashSet<string>> AllowedFields = new()
    {
        ["Pass"] = [.. CommonFields, .. FlowFields, "ResultPath", "Parameters", "Result"],
        ["Task"] = [.. CommonFields, .. FlowFields, .. ResultFields, "Resource", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath", "Credentials"],
        ["Choice"] = [.. CommonFields, "InputPath", "OutputPath", "Choices", "Default"],
        ["Wait"] = [.. CommonFields, .. FlowFields, "Seconds", "SecondsPath", "Timestamp", "TimestampPath"],
        ["Succeed"] = [.. CommonFields, "InputPath", "OutputPath"],
        ["Fail"] = [.. CommonFields, "Error", "ErrorPath", "Cause", "CausePath"],
        ["Parallel"] = [.. CommonFields, .. FlowFields, .. ResultFields, "Branches"],
        ["Map"] = [.. CommonFields, .. FlowFields, .. ResultFields, "ItemsPath", "ItemSelector", "Iterator", "ItemProcessor", "MaxConcurrency", "ToleratedFailurePercentage", "ToleratedFailureCount", "Label"],
    };

    private static InvalidDefinitionException Invalid(string code, string reason, string pointer) =>
        new($"Invalid State Machine Definition: '{code}: {reason} at {pointer}'");

    private static InvalidDefinitionException Schema(string reason, string pointer) => Invalid("SCHEMA_VALIDATION_FAILED", reason, pointer);

    public static StateMachineDefinition Parse(string json)
    {
        JToken root;
        try
        {
            root = JsonText.Parse(json);
        }
        catch (JsonException ex)
        {
            throw Invalid("INVALID_JSON_DESCRIPTION", ex.Message, "/");
        }
        if (root is not JObject obj)
            throw Schema("The definition must be a JSON object", "/");
        foreach (var property in obj.Properties())
            if (property.Name is not ("StartAt" or "States" or "Comment" or "Version" or "TimeoutSeconds" or "QueryLanguage"))
                throw Schema($"The field \"{property.Name}\" is not supported by Step Functions", "/");
        if (obj["QueryLanguage"] is { } language && (string?)language != "JSONPath")
            throw Schema("Only the JSONPath query language is supported by this engine", "/QueryLanguage");
        int? timeout = null;
        if (obj["TimeoutSeconds"] is { } timeoutToken)
            timeout = PositiveInteger(timeoutToken, "/TimeoutSeconds");
        var machine = ParseMachine(obj, "");
        return new StateMachineDefinition { StartAt = machine.StartAt, States = machine.States, TimeoutSeconds = timeout };
    }

    private static StateMachineDefinition ParseMachine(JObject obj, string pointer)
    {
        if (obj["StartAt"] is not { Type: JTokenType.String } startAtToken)
            throw Schema("These fields are required: [StartAt]", pointer.Length == 0 ? "/" : pointer);
        if (obj["States"] is not JObject statesObject)
            throw Schema("These fields are required: [States]", pointer.Length == 0 ? "/" : pointer);
        if (!statesObject.HasValues)
            throw Schema("The field 'States' must have at least one state", pointer + "/States");
        var startAt = (string)startAtToken!;
        var states = new Dictionary<string, State>(StringComparer.Ordinal);
        foreach (var property in statesObject.Properties())
        {
            var statePointer = $"{pointer}/States/{property.Name}";
            if (property.Name.Length is 0 or > 80)
                throw Schema("State names must be 1 to 80 characters long", statePointer);
            if (property.Value is not JObject stateObject)
                throw Schema("A state must be a JSON object", statePointer);
            var state = ParseState(property.Name, stateObject, statePointer);
            state.UsesContextObject = JsonText.Print(stateObject).Contains("$$", StringComparison.Ordinal);
            states[property.Name] = state;
        }
        if (!states.ContainsKey(startAt))
            throw Invalid("MISSING_TRANSITION_TARGET", $"Missing 'Next' target: {startAt}", pointer + "/StartAt");

        foreach (var state in states.Values)
            foreach (var (target, field) in Transitions(state))
                if (!states.ContainsKey(target))
                    throw Invalid("MISSING_TRANSITION_TARGET", $"Missing 'Next' target: {target}", $"{pointer}/States/{state.Name}/{field}");

        var reachable = new HashSet<string> { startAt };
        var pending = new Stack<string>([startAt]);
        while (pending.TryPop(out var name))
            foreach (var (target, _) in Transitions(states[name]))
                if (reachable.Add(target))
                    pending.Push(target);
        var unreachable = states.Keys.FirstOrDefault(name => !reachable.Contains(name));
        if (unreachable is not null)
            throw Invalid("MISSING_TRANSITION_TARGET", $"State \"{unreachable}\" is not reachable", $"{pointer}/States/{unreachable}");

        return new StateMachineDefinition { StartAt = startAt, States = states };
    }

    private static IEnumerable<(string Target, string Field)> Transitions(State state)
    {
        if (state.Next is not null)
            yield return (state.Next, "Next");
        if (state is ChoiceState choice)
        {
            for (var i = 0; i < choice.Choices.Count; i++)
                yield return (choice.Choices[i].Next!, $"Choices/{i}/Next");
            if (choice.Default is not null)
                yield return (choice.Default, "Default");
        }
        if (state is IRecoverableState recoverable)
            for (var i = 0; i < recoverable.Catch.Count; i++)
                yield return (recoverable.Catch[i].Next, $"Catch/{i}/Next");
    }

    private static State ParseState(string name, JObject obj, string pointer)
    {
        if (obj["Type"] is not { Type: JTokenType.String } typeToken)
            throw Schema("These fields are required: [Type]", pointer);
        var type = (string)typeToken!;
        if (!AllowedFields.TryGetValue(type, out var allowed))
            throw Schema($"\"{type}\" is not a valid state type", pointer + "/Type");
        foreach (var property in obj.Properties())
            if (!allowed.Contains(property.Name))
                throw Schema($"The field \"{property.Name}\" is not supported by Step Functions for a {type} state", pointer);

        // Next/End: exactly one for states that transition; Choice, Succeed and Fail have neither.
        string? next = null;
        if (allowed.Contains("Next"))
        {
            var hasNext = obj["Next"] is not null;
            var end = obj["End"] is { } endToken && (endToken.Type != JTokenType.Boolean
                ? throw Schema("The field 'End' must be a boolean", pointer + "/End")
                : (bool)endToken);
            if (hasNext == end)
                throw Schema(hasNext ? "Exactly one of 'Next' and 'End: true' is allowed" : "Exactly one of 'Next' or 'End' is required", pointer);
            if (hasNext)
                next = Text(obj, "Next", pointer);
        }

        var inputPath = OptionalPath(obj, "InputPath", pointer);
        var outputPath = OptionalPath(obj, "OutputPath", pointer);

        return type switch
        {
            "Pass" => new PassState
            {
                Name = name, Next = next, InputPath = inputPath, OutputPath = outputPath,
                Result = obj["Result"]?.DeepClone(),
                Parameters = Template(obj, "Parameters", pointer),
                ResultPath = OptionalReferencePath(obj, "ResultPath", pointer),
            },
            "Task" => ParseTask(name, obj, pointer, next, inputPath, outputPath),
            "Choice" => ParseChoice(name, obj, pointer, inputPath, outputPath),
            "Wait" => ParseWait(name, obj, pointer, next, inputPath, outputPath),
            "Succeed" => new SucceedState { Name = name, InputPath = inputPath, OutputPath = outputPath },
            "Fail" => ParseFail(name, obj, pointer),
            "Parallel" => ParseParallel(name, obj, pointer, next, inputPath, outputPath),
            _ => ParseMap(name, obj, pointer, next, inputPath, outputPath),
        };
    }

    private static TaskState ParseTask(string name, JObject obj, string pointer, string? next, string? inputPath, string? outputPath)
    {
        if (obj["Resource"] is null)
            throw Schema("These fields are required: [Resource]", pointer);
        var resource = Text(obj, "Resource", pointer);
        if (!resource.StartsWith("arn:", StringComparison.Ordinal))
            throw Schema($"Value is not a valid resource ARN: {resource}", pointer + "/Resource");
        var timeout = obj["TimeoutSeconds"] is { } t ? PositiveInteger(t, pointer + "/TimeoutSeconds") : (int?)null;
        var heartbeat = obj["HeartbeatSeconds"] is { } h ? PositiveInteger(h, pointer + "/HeartbeatSeconds") : (int?)null;
        var timeoutPath = OptionalRequiredPath(obj, "TimeoutSecondsPath", pointer);
        var heartbeatPath = OptionalRequiredPath(obj, "HeartbeatSecondsPath", pointer);
        if (timeout is not null && timeoutPath is not null)
            throw Schema("At most one of TimeoutSeconds and TimeoutSecondsPath is allowed", pointer);
        if (heartbeat is not null && heartbeatPath is not null)
            throw Schema("At most one of HeartbeatSeconds and HeartbeatSecondsPath is allowed", pointer);
        if (heartbeat is not null && timeout is not null && heartbeat >= timeout)
            throw Schema("HeartbeatSeconds must be smaller than TimeoutSeconds", pointer + "/HeartbeatSeconds");
        return new TaskState
        {
            Name = name, Next = next, InputPath = inputPath, OutputPath = outputPath,
            Resource = resource,
            Parameters = Template(obj, "Parameters", pointer),
            ResultSelector = Template(obj, "ResultSelector", pointer),
            ResultPath = OptionalReferencePath(obj, "ResultPath", pointer),
            Retry = Retriers(obj, pointer),
            Catch = Catchers(obj, pointer),
            TimeoutSeconds = timeout, TimeoutSecondsPath = timeoutPath,
            HeartbeatSeconds = heartbeat, HeartbeatSecondsPath = heartbeatPath,
        };
    }

    private static WaitState ParseWait(string name, JObject obj, string pointer, string? next, string? inputPath, string? outputPath)
    {
        var given = new[] { "Seconds", "SecondsPath", "Timestamp", "TimestampPath" }.Where(f => obj[f] is not null).ToList();
        if (given.Count != 1)
            throw Schema("A Wait state must have exactly one of 'Seconds', 'SecondsPath', 'Timestamp' or 'TimestampPath'", pointer);
        int? seconds = null;
        if (obj["Seconds"] is { } secondsToken)
        {
            if (secondsToken.Type != JTokenType.Integer || (long)secondsToken < 0 || (long)secondsToken > 99_999_999)
                throw Schema("The field 'Seconds' must be an integer from 0 to 99999999", pointer + "/Seconds");
            seconds = (int)secondsToken;
        }
        string? timestamp = null;
        if (obj["Timestamp"] is not null)
        {
            timestamp = Text(obj, "Timestamp", pointer);
            if (!ComparisonRule.TryParseTimestamp(timestamp, out _))
                throw Schema("The field 'Timestamp' must be an RFC3339 timestamp", pointer + "/Timestamp");
        }
        return new WaitState
        {
            Name = name, Next = next, InputPath = inputPath, OutputPath = outputPath,
            Seconds = seconds,
            SecondsPath = OptionalRequiredPath(obj, "SecondsPath", pointer),
            Timestamp = timestamp,
            TimestampPath = OptionalRequiredPath(obj, "TimestampPath", pointer),
        };
    }

    private static FailState ParseFail(string name, JObject obj, string pointer)
    {
        if (obj["Error"] is not null && obj["ErrorPath"] is not null)
            throw Schema("At most one of 'Error' and 'ErrorPath' is allowed", pointer);
        if (obj["Cause"] is not null && obj["CausePath"] is not null)
            throw Schema("At most one of 'Cause' and 'CausePath' is allowed", pointer);
        return new FailState
        {
            Name = name,
            Error = obj["Error"] is null ? null : Text(obj, "Error", pointer),
            Cause = obj["Cause"] is null ? null : Text(obj, "Cause", pointer),
            ErrorPath = OptionalRequiredPath(obj, "ErrorPath", pointer, allowIntrinsic: true),
            CausePath = OptionalRequiredPath(obj, "CausePath", pointer, allowIntrinsic: true),
        };
    }

    private static ParallelState ParseParallel(string name, JObject obj, string pointer, string? next, string? inputPath, string? outputPath)
    {
        if (obj["Branches"] is not JArray branches || branches.Count == 0)
            throw Schema("The field 'Branches' must be a non-empty array", pointer);
        var parsed = new List<StateMachineDefinition>();
        for (var i = 0; i < branches.Count; i++)
        {
            if (branches[i] is not JObject branch)
                throw Schema("A branch must be an object", $"{pointer}/Branches/{i}");
            foreach (var property in branch.Properties())
                if (property.Name is not ("StartAt" or "States" or "Comment"))
                    throw Schema($"The field \"{property.Name}\" is not supported by Step Functions", $"{pointer}/Branches/{i}");
            parsed.Add(ParseMachine(branch, $"{pointer}/Branches/{i}"));
        }
        return new ParallelState
        {
            Name = name, Next = next, InputPath = inputPath, OutputPath = outputPath,
            Branches = parsed,
            Parameters = Template(obj, "Parameters", pointer),
            ResultSelector = Template(obj, "ResultSelector", pointer),
            ResultPath = OptionalReferencePath(obj, "ResultPath", pointer),
            Retry = Retriers(obj, pointer),
            Catch = Catchers(obj, pointer),
        };
    }

    private static MapState ParseMap(string name, JObject obj, string pointer, string? next, string? inputPath, string? outputPath)
    {
        var processorField = obj["ItemProcessor"] is not null ? "ItemProcessor" : "Iterator";
        if (obj["ItemProcessor"] is not null && obj["Iterator"] is not null)
            throw Schema("At most one of 'ItemProcessor' and 'Iterator' is allowed", pointer);
        if (obj[processorField] is not JObject processor)
            throw Schema("These fields are required: [ItemProcessor]", pointer);
        foreach (var property in processor.Properties())
            if (property.Name is not ("StartAt" or "States" or "Comment" or "ProcessorConfig"))
                throw Schema($"The field \"{property.Name}\" is not supported by Step Functions", $"{pointer}/{processorField}");
        if (processor["ProcessorConfig"]?["Mode"] is { } mode && (string?)mode != "INLINE")
            throw Schema("Only the INLINE processing mode is supported by this engine", $"{pointer}/{processorField}/ProcessorConfig/Mode");
        if (obj["ItemSelector"] is not null && obj["Parameters"] is not null)
            throw Schema("At most one of 'ItemSelector' and 'Parameters' is allowed", pointer);

        var maxConcurrency = 0;
        if (obj["MaxConcurrency"] is { } concurrencyToken)
        {
            if (concurrencyToken.Type != JTokenType.Integer || (long)concurrencyToken < 0)
                throw Schema("The field 'MaxConcurrency' must be a non-negative integer", pointer + "/MaxConcurrency");
            maxConcurrency = (int)concurrencyToken;
        }
        double? percentage = null;
        if (obj["ToleratedFailurePercentage"] is { } percentageToken)
        {
            if (percentageToken.Type is not (JTokenType.Integer or JTokenType.Float) || (double)percentageToken < 0 || (double)percentageToken > 100)
                throw Schema("The field 'ToleratedFailurePercentage' must be a number from 0 to 100", pointer + "/ToleratedFailurePercentage");
            percentage = (double)percentageToken;
        }
        int? count = null;
        if (obj["ToleratedFailureCount"] is { } countToken)
        {
            if (countToken.Type != JTokenType.Integer || (long)countToken < 0)
                throw Schema("The field 'ToleratedFailureCount' must be a non-negative integer", pointer + "/ToleratedFailureCount");
            count = (int)countToken;
        }
        var itemsPath = OptionalRequiredPath(obj, "ItemsPath", pointer) ?? "$";
        return new MapState
        {
            Name = name, Next = next, InputPath = inputPath, OutputPath = outputPath,
            ItemProcessor = ParseMachine(processor, $"{pointer}/{processorField}"),
            ItemsPath = itemsPath,
            ItemSelector = Template(obj, "ItemSelector", pointer) ?? Template(obj, "Parameters", pointer),
            ResultSelector = Template(obj, "ResultSelector", pointer),
            ResultPath = OptionalReferencePath(obj, "ResultPath", pointer),
            MaxConcurrency = maxConcurrency,
            ToleratedFailurePercentage = percentage,
            ToleratedFailureCount = count,
            Retry = Retriers(obj, pointer),
            Catch = Catchers(obj, pointer),
        };
    }

    private static string Text(JObject obj, string field, string pointer) =>
        obj[field] is { Type: JTokenType.String } token ? (string)token! : throw Schema($"The field '{field}' must be a string", $"{pointer}/{field}");

    private static int PositiveInteger(JToken token, string pointer) =>
        token.Type == JTokenType.Integer && (long)token > 0 && (long)token <= 99_999_999
            ? (int)token
            : throw Schema("The value must be a positive integer", pointer);

    /// <summary>InputPath/OutputPath: absent means "$", JSON null is kept as null.</summary>
    private static string? OptionalPath(JObject obj, string field, string pointer)
    {
        var token = obj[field];
        if (token is null)
            return "$";
        if (token.Type == JTokenType.Null)
            return null;
        if (token.Type != JTokenType.String || !JsonPaths.IsValidPath((string)token!))
            throw Schema($"The value for the field '{field}' must be a valid JSONPath", $"{pointer}/{field}");
        return (string)token!;
    }

    private static string? OptionalReferencePath(JObject obj, string field, string pointer)
    {
        var token = obj[field];
        if (token is null)
            return "$";
        if (token.Type == JTokenType.Null)
            return null;
        if (token.Type != JTokenType.String || !JsonPaths.IsReferencePath((string)token!))
            throw Schema($"The value for the field '{field}' must be a valid Reference Path", $"{pointer}/{field}");
        return (string)token!;
    }

    private static string? OptionalRequiredPath(JObject obj, string field, string pointer, bool allowIntrinsic = false)
    {
        if (obj[field] is not { } token)
            return null;
        if (token.Type == JTokenType.String)
        {
            var text = (string)token!;
            if (allowIntrinsic && IntrinsicFunctions.IsIntrinsic(text))
            {
                try
                {
                    IntrinsicFunctions.Validate(text);
                    return text;
                }
                catch (InvalidDefinitionException ex)
                {
                    throw Schema(ex.Message, $"{pointer}/{field}");
                }
            }
            if (JsonPaths.IsValidPath(text))
                return text;
        }
        throw Schema($"The value for the field '{field}' must be a valid JSONPath", $"{pointer}/{field}");
    }

    private static JToken? Template(JObject obj, string field, string pointer)
    {
        if (obj[field] is not { } token)
            return null;
        try
        {
            PayloadTemplate.Validate(token, field);
        }
        catch (InvalidDefinitionException ex)
        {
            throw Schema(ex.Message, $"{pointer}/{field}");
        }
        return token.DeepClone();
    }
}
