using Newtonsoft.Json.Linq;

namespace PaletteServerless.Local.StepFunctions.Language;

/// <summary>The definition's Choice rules, and the Retry and Catch fields of the states that have them.</summary>
internal static partial class DefinitionParser
{
    private static ChoiceState ParseChoice(string name, JObject obj, string pointer, string? inputPath, string? outputPath)
    {
        if (obj["Choices"] is not JArray choices || choices.Count == 0)
            throw Schema("The field 'Choices' must be a non-empty array", pointer);
        var rules = new List<ChoiceRule>();
        for (var i = 0; i < choices.Count; i++)
            rules.Add(ParseRule(choices[i], $"{pointer}/Choices/{i}", topLevel: true));
        return new ChoiceState
        {
            Name = name, InputPath = inputPath, OutputPath = outputPath,
            Choices = rules,
            Default = obj["Default"] is null ? null : Text(obj, "Default", pointer),
        };
    }

    private static ChoiceRule ParseRule(JToken token, string pointer, bool topLevel)
    {
        if (token is not JObject obj)
            throw Schema("A choice rule must be an object", pointer);
        string? next = null;
        if (topLevel)
        {
            if (obj["Next"] is null)
                throw Schema("These fields are required: [Next]", pointer);
            next = Text(obj, "Next", pointer);
        }
        else if (obj["Next"] is not null)
        {
            throw Schema("Nested choice rules must not have 'Next'", pointer);
        }

        var operators = obj.Properties().Select(p => p.Name).Where(n => n is not ("Next" or "Variable" or "Comment")).ToList();
        if (operators.Count != 1)
            throw Schema("A choice rule must have exactly one comparison operator or one of And, Or, Not", pointer);
        var op = operators[0];
        var value = obj[op]!;
        ChoiceRule rule;
        switch (op)
        {
            case "And" or "Or":
                if (obj["Variable"] is not null)
                    throw Schema($"'{op}' rules must not have 'Variable'", pointer);
                if (value is not JArray list || list.Count == 0)
                    throw Schema($"The field '{op}' must be a non-empty array", pointer + "/" + op);
                var rules = list.Select((r, i) => ParseRule(r, $"{pointer}/{op}/{i}", topLevel: false)).ToList();
                rule = op == "And" ? new AndRule(rules) : new OrRule(rules);
                break;
            case "Not":
                if (obj["Variable"] is not null)
                    throw Schema("'Not' rules must not have 'Variable'", pointer);
                rule = new NotRule(ParseRule(value, pointer + "/Not", topLevel: false));
                break;
            default:
                if (obj["Variable"] is not { Type: JTokenType.String } variableToken || !JsonPaths.IsValidPath((string)variableToken!))
                    throw Schema("The field 'Variable' must be a valid JSONPath", pointer + "/Variable");
                var opPointer = pointer + "/" + op;
                if (ComparisonRule.PathOperators.Contains(op))
                {
                    if (value.Type != JTokenType.String || !JsonPaths.IsValidPath((string)value!))
                        throw Schema($"The value of '{op}' must be a valid JSONPath", opPointer);
                }
                else if (ComparisonRule.TypeTests.Contains(op) || op == "BooleanEquals")
                {
                    if (value.Type != JTokenType.Boolean)
                        throw Schema($"The value of '{op}' must be a boolean", opPointer);
                }
                else if (op.StartsWith("Numeric", StringComparison.Ordinal))
                {
                    if (value.Type is not (JTokenType.Integer or JTokenType.Float))
                        throw Schema($"The value of '{op}' must be a number", opPointer);
                }
                else if (op.StartsWith("Timestamp", StringComparison.Ordinal))
                {
                    if (value.Type != JTokenType.String || !ComparisonRule.TryParseTimestamp((string)value!, out _))
                        throw Schema($"The value of '{op}' must be an RFC3339 timestamp", opPointer);
                }
                else if (ComparisonRule.ValueOperators.Contains(op))
                {
                    if (value.Type != JTokenType.String)
                        throw Schema($"The value of '{op}' must be a string", opPointer);
                }
                else
                {
                    throw Schema($"\"{op}\" is not a valid comparison operator", opPointer);
                }
                rule = new ComparisonRule((string)variableToken!, op, value.DeepClone());
                break;
        }
        return rule with { Next = next };
    }

    private static List<Retrier> Retriers(JObject obj, string pointer)
    {
        if (obj["Retry"] is null)
            return [];
        if (obj["Retry"] is not JArray list)
            throw Schema("The field 'Retry' must be an array", pointer + "/Retry");
        var retriers = new List<Retrier>();
        for (var i = 0; i < list.Count; i++)
        {
            var at = $"{pointer}/Retry/{i}";
            if (list[i] is not JObject retry)
                throw Schema("A retrier must be an object", at);
            foreach (var property in retry.Properties())
                if (property.Name is not ("ErrorEquals" or "IntervalSeconds" or "MaxAttempts" or "BackoffRate" or "MaxDelaySeconds" or "JitterStrategy" or "Comment"))
                    throw Schema($"The field \"{property.Name}\" is not supported by Step Functions", at);
            var errors = ErrorEquals(retry, at, isLast: i == list.Count - 1);
            var interval = retry["IntervalSeconds"] is { } intervalToken ? PositiveInteger(intervalToken, at + "/IntervalSeconds") : 1;
            var maxAttempts = 3;
            if (retry["MaxAttempts"] is { } attemptsToken)
            {
                if (attemptsToken.Type != JTokenType.Integer || (long)attemptsToken < 0 || (long)attemptsToken > 99_999_999)
                    throw Schema("The field 'MaxAttempts' must be a non-negative integer", at + "/MaxAttempts");
                maxAttempts = (int)attemptsToken;
            }
            var backoff = 2.0;
            if (retry["BackoffRate"] is { } backoffToken)
            {
                if (backoffToken.Type is not (JTokenType.Integer or JTokenType.Float) || (double)backoffToken < 1.0)
                    throw Schema("The field 'BackoffRate' must be a number greater than or equal to 1.0", at + "/BackoffRate");
                backoff = (double)backoffToken;
            }
            double? maxDelay = retry["MaxDelaySeconds"] is { } maxDelayToken ? PositiveInteger(maxDelayToken, at + "/MaxDelaySeconds") : null;
            var jitter = false;
            if (retry["JitterStrategy"] is { } jitterToken)
            {
                jitter = (string?)jitterToken switch
                {
                    "FULL" => true,
                    "NONE" => false,
                    _ => throw Schema("The field 'JitterStrategy' must be FULL or NONE", at + "/JitterStrategy"),
                };
            }
            retriers.Add(new Retrier(errors, interval, maxAttempts, backoff, maxDelay, jitter));
        }
        return retriers;
    }

    private static List<Catcher> Catchers(JObject obj, string pointer)
    {
        if (obj["Catch"] is null)
            return [];
        if (obj["Catch"] is not JArray list)
            throw Schema("The field 'Catch' must be an array", pointer + "/Catch");
        var catchers = new List<Catcher>();
        for (var i = 0; i < list.Count; i++)
        {
            var at = $"{pointer}/Catch/{i}";
            if (list[i] is not JObject catcher)
                throw Schema("A catcher must be an object", at);
            foreach (var property in catcher.Properties())
                if (property.Name is not ("ErrorEquals" or "Next" or "ResultPath" or "Comment"))
                    throw Schema($"The field \"{property.Name}\" is not supported by Step Functions", at);
            if (catcher["Next"] is null)
                throw Schema("These fields are required: [Next]", at);
            catchers.Add(new Catcher(ErrorEquals(catcher, at, isLast: i == list.Count - 1), Text(catcher, "Next", at), OptionalReferencePath(catcher, "ResultPath", at)));
        }
        return catchers;
    }

    private static List<string> ErrorEquals(JObject obj, string pointer, bool isLast)
    {
        if (obj["ErrorEquals"] is not JArray list || list.Count == 0 || list.Any(e => e.Type != JTokenType.String))
            throw Schema("The field 'ErrorEquals' must be a non-empty array of strings", pointer + "/ErrorEquals");
        var errors = list.Select(e => (string)e!).ToList();
        // The spec: "States.ALL" must appear alone in its ErrorEquals and in the last retrier or catcher.
        if (errors.Contains(StatesErrors.All) && (errors.Count > 1 || !isLast))
            throw Schema("States.ALL must appear alone in the last retrier or catcher", pointer + "/ErrorEquals");
        return errors;
    }
}
