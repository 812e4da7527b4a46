using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using PaletteServerless.Local.StepFunctions.Execution;
using PaletteServerless.Local.StepFunctions.Language;
using PaletteServerless.Local.StepFunctions.Store;

namespace PaletteServerless.Local.StepFunctions.Api;

/// <summary>
/// The Step Functions AWS JSON 1.0 protocol ("X-Amz-Target: AWSStepFunctions.StartExecution"),
/// framework-neutral: the host passes the caller's account and region and the raw body, and
/// sends back the status code and body (Content-Type application/x-amz-json-1.0). Errors are
/// HTTP 400 with {"__type": name, "message": text}, names as in the service model.
/// </summary>
public sealed partial class StepFunctionsApi(StepFunctionsEngine engine)
{
    public const string TargetPrefix = "AWSStepFunctions.";
    public const string ContentType = "application/x-amz-json-1.0";

    private const int DefaultPageSize = 100;

    private sealed class ApiException(string type, string message) : Exception(message)
    {
        public string Type { get; } = type;
    }

    private sealed record Caller(string AccountId, string Region);

    public async Task<(int StatusCode, string Body)> HandleAsync(string accountId, string region, string amzTarget, string requestBody, CancellationToken ct)
    {
        try
        {
            var operation = amzTarget.StartsWith(TargetPrefix, StringComparison.Ordinal) ? amzTarget[TargetPrefix.Length..] : amzTarget;
            JObject request;
            try
            {
                request = string.IsNullOrWhiteSpace(requestBody) ? new JObject() : JsonText.Parse(requestBody) as JObject
                    ?? throw new ApiException("SerializationException", "The request body must be a JSON object.");
            }
            catch (JsonException ex)
            {
                throw new ApiException("SerializationException", ex.Message);
            }
            var caller = new Caller(accountId, region);
            JObject response = operation switch
            {
                "CreateStateMachine" => await CreateStateMachineAsync(caller, request, ct),
                "UpdateStateMachine" => await UpdateStateMachineAsync(request, ct),
                "DescribeStateMachine" => await DescribeStateMachineAsync(request, ct),
                "ListStateMachines" => await ListStateMachinesAsync(caller, request, ct),
                "DeleteStateMachine" => await DeleteStateMachineAsync(request, ct),
                "StartExecution" => await StartExecutionAsync(request, ct),
                "DescribeExecution" => await DescribeExecutionAsync(request, ct),
                "StopExecution" => await StopExecutionAsync(request, ct),
                "ListExecutions" => await ListExecutionsAsync(request, ct),
                "GetExecutionHistory" => await GetExecutionHistoryAsync(request, ct),
                _ => throw new ApiException("UnknownOperationException", $"Operation {operation} is not supported by the local Step Functions."),
            };
            return (200, JsonText.Print(response));
        }
        catch (ApiException ex)
        {
            return (400, JsonText.Print(new JObject { ["__type"] = ex.Type, ["message"] = ex.Message }));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // AWS answers its own faults with 500 InternalFailure; SDKs and the CLI retry those.
            return (500, JsonText.Print(new JObject { ["__type"] = "InternalFailure", ["message"] = ex.Message }));
        }
    }

    // ---- state machines -------------------------------------------------------------------------

    private async Task<JObject> CreateStateMachineAsync(Caller caller, JObject request, CancellationToken ct)
    {
        var name = Required(request, "name");
        var definition = Required(request, "definition");
        var roleArn = Required(request, "roleArn");
        ValidateName(name);
        var type = (string?)request["type"] ?? "STANDARD";
        if (type is not ("STANDARD" or "EXPRESS"))
            throw new ApiException("ValidationException", $"Value '{type}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]");
        Validate(definition);
        var arn = $"arn:aws:states:{caller.Region}:{caller.AccountId}:stateMachine:{name}";
        var existing = await engine.Store.GetStateMachineAsync(arn, ct);
        if (existing is not null)
        {
            // AWS: creating the same machine again is idempotent; a different one under the name is a conflict.
            if (existing.Definition == definition && existing.RoleArn == roleArn && existing.Type == type)
                return new JObject { ["stateMachineArn"] = arn, ["creationDate"] = Epoch(existing.CreationDate) };
            throw new ApiException("StateMachineAlreadyExists", $"State Machine Already Exists: '{arn}'");
        }
        var machine = new StateMachineRecord(arn, name, definition, roleArn, type, engine.Time.GetUtcNow());
        await engine.Store.PutStateMachineAsync(machine, ct);
        return new JObject { ["stateMachineArn"] = arn, ["creationDate"] = Epoch(machine.CreationDate) };
    }

    private async Task<JObject> UpdateStateMachineAsync(JObject request, CancellationToken ct)
    {
        var machine = await MachineAsync(Required(request, "stateMachineArn"), ct);
        var definition = (string?)request["definition"];
        var roleArn = (string?)request["roleArn"];
        if (definition is null && roleArn is null)
            throw new ApiException("MissingRequiredParameter", "Either the definition or the roleArn must be specified.");
        if (definition is not null)
            Validate(definition);
        var updated = machine with { Definition = definition ?? machine.Definition, RoleArn = roleArn ?? machine.RoleArn };
        await engine.Store.PutStateMachineAsync(updated, ct);
        return new JObject { ["updateDate"] = Epoch(engine.Time.GetUtcNow()) };
    }

    private async Task<JObject> DescribeStateMachineAsync(JObject request, CancellationToken ct)
    {
        var machine = await MachineAsync(Required(request, "stateMachineArn"), ct);
        return new JObject
        {
            ["stateMachineArn"] = machine.StateMachineArn,
            ["name"] = machine.Name,
            ["status"] = "ACTIVE",
            ["definition"] = machine.Definition,
            ["roleArn"] = machine.RoleArn,
            ["type"] = machine.Type,
            ["creationDate"] = Epoch(machine.CreationDate),
            ["loggingConfiguration"] = new JObject { ["level"] = "OFF", ["includeExecutionData"] = false },
            ["tracingConfiguration"] = new JObject { ["enabled"] = false },
        };
    }

    private async Task<JObject> ListStateMachinesAsync(Caller caller, JObject request, CancellationToken ct)
    {
        var prefix = $"arn:aws:states:{caller.Region}:{caller.AccountId}:stateMachine:";
        var machines = (await engine.Store.ListStateMachinesAsync(ct)).Where(m => m.StateMachineArn.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        var (page, nextToken) = Page(machines, request);
        var response = new JObject
        {
            ["stateMachines"] = new JArray(page.Select(m => new JObject
            {
                ["stateMachineArn"] = m.StateMachineArn,
                ["name"] = m.Name,
                ["type"] = m.Type,
                ["creationDate"] = Epoch(m.CreationDate),
            })),
        };
        if (nextToken is not null)
            response["nextToken"] = nextToken;
        return response;
    }

    private async Task<JObject> DeleteStateMachineAsync(JObject request, CancellationToken ct)
    {
        var arn = Required(request, "stateMachineArn");
        ValidateArn(arn, "stateMachine");
        await engine.Store.DeleteStateMachineAsync(arn, ct);
        return new JObject();
    }

    // ---- executions -----------------------------------------------------------------------------

    private async Task<JObject> StartExecutionAsync(JObject request, CancellationToken ct)
    {
        var machine = await MachineAsync(Required(request, "stateMachineArn"), ct);
        var name = (string?)request["name"];
        if (name is not null)
            ValidateName(name);
        var input = (string?)request["input"] ?? "{}";
        if (Encoding.UTF8.GetByteCount(input) > StepFunctionsEngine.MaxPayloadBytes)
            throw new ApiException("InvalidExecutionInput", $"The input exceeds the maximum size of {StepFunctionsEngine.MaxPayloadBytes} bytes.");
        if (!JsonText.TryParse(input, out _))
            throw new ApiException("InvalidExecutionInput", $"Invalid State Machine Execution Input: 'The input must be valid JSON: {JsonPaths.Truncate(input)}'");
        try
        {
            var execution = await engine.StartExecutionAsync(machine, name, input, ct);
            return new JObject { ["executionArn"] = execution.ExecutionArn, ["startDate"] = Epoch(execution.StartDate) };
        }
        catch (ExecutionAlreadyExistsException ex)
        {
            throw new ApiException("ExecutionAlreadyExists", ex.Message);
        }
    }

    private async Task<JObject> DescribeExecutionAsync(JObject request, CancellationToken ct)
    {
        var execution = await ExecutionAsync(Required(request, "executionArn"), ct);
        var response = new JObject
        {
            ["executionArn"] = execution.ExecutionArn,
            ["stateMachineArn"] = execution.StateMachineArn,
            ["name"] = execution.Name,
            ["status"] = execution.Status,
            ["startDate"] = Epoch(execution.StartDate),
            ["input"] = execution.Input,
            ["inputDetails"] = new JObject { ["included"] = true },
            ["redriveCount"] = 0,
            ["redriveStatus"] = "NOT_REDRIVABLE",
        };
        if (execution.StopDate is { } stopDate)
            response["stopDate"] = Epoch(stopDate);
        if (execution.Output is not null)
        {
            response["output"] = execution.Output;
            response["outputDetails"] = new JObject { ["included"] = true };
        }
        if (execution.Error is not null)
            response["error"] = execution.Error;
        if (execution.Cause is not null)
            response["cause"] = execution.Cause;
        return response;
    }

    private async Task<JObject> StopExecutionAsync(JObject request, CancellationToken ct)
    {
        var arn = Required(request, "executionArn");
        var execution = await ExecutionAsync(arn, ct);
        if (execution.Status == ExecutionStatus.Running)
            execution = await engine.StopExecutionAsync(arn, (string?)request["error"], (string?)request["cause"], ct) ?? execution;
        return new JObject { ["stopDate"] = Epoch(execution.StopDate ?? engine.Time.GetUtcNow()) };
    }

    private async Task<JObject> ListExecutionsAsync(JObject request, CancellationToken ct)
    {
        var machineArn = Required(request, "stateMachineArn");
        await MachineAsync(machineArn, ct);
        var status = (string?)request["statusFilter"];
        if (status is not null and not (ExecutionStatus.Running or ExecutionStatus.Succeeded or ExecutionStatus.Failed or ExecutionStatus.TimedOut or ExecutionStatus.Aborted or "PENDING_REDRIVE"))
            throw new ApiException("ValidationException", $"Value '{status}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set");
        var executions = await engine.Store.ListExecutionsAsync(machineArn, status, ct);
        var (page, nextToken) = Page(executions, request);
        var response = new JObject
        {
            ["executions"] = new JArray(page.Select(e =>
            {
                var item = new JObject
                {
                    ["executionArn"] = e.ExecutionArn,
                    ["stateMachineArn"] = e.StateMachineArn,
                    ["name"] = e.Name,
                    ["status"] = e.Status,
                    ["startDate"] = Epoch(e.StartDate),
                    ["redriveCount"] = 0,
                };
                if (e.StopDate is { } stop)
                    item["stopDate"] = Epoch(stop);
                return item;
            })),
        };
        if (nextToken is not null)
            response["nextToken"] = nextToken;
        return response;
    }

    private async Task<JObject> GetExecutionHistoryAsync(JObject request, CancellationToken ct)
    {
        var arn = Required(request, "executionArn");
        await ExecutionAsync(arn, ct);
        IEnumerable<HistoryEvent> events = await engine.GetHistoryAsync(arn, ct);
        if ((bool?)request["reverseOrder"] == true)
            events = events.Reverse();
        var includeData = (bool?)request["includeExecutionData"] ?? true;
        var (page, nextToken) = Page(events.ToList(), request);
        var response = new JObject { ["events"] = new JArray(page.Select(e => ToJson(e, includeData))) };
        if (nextToken is not null)
            response["nextToken"] = nextToken;
        return response;
    }

    /// <summary>A history event as the API shows it; without execution data, inputs and outputs are left out.</summary>
    private static JObject ToJson(HistoryEvent historyEvent, bool includeData)
    {
        var json = new JObject
        {
            ["timestamp"] = Epoch(historyEvent.Timestamp),
            ["type"] = historyEvent.Type,
            ["id"] = historyEvent.Id,
            ["previousEventId"] = historyEvent.PreviousEventId,
        };
        if (historyEvent.DetailsName is { Length: > 0 } detailsName && historyEvent.Details is { } details)
        {
            var copy = (JObject)details.DeepClone();
            if (!includeData)
                foreach (var field in new[] { "input", "output", "parameters", "inputDetails", "outputDetails" })
                    copy.Remove(field);
            json[detailsName] = copy;
        }
        return json;
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static double Epoch(DateTimeOffset time) => Math.Round(time.ToUnixTimeMilliseconds() / 1000.0, 3);

    private static string Required(JObject request, string field) =>
        request[field] is { Type: JTokenType.String } value
            ? (string)value!
            : throw new ApiException("ValidationException", $"1 validation error detected: Value null at '{field}' failed to satisfy constraint: Member must not be null");

    private static void Validate(string definition)
    {
        try
        {
            StateMachineDefinition.Parse(definition);
        }
        catch (InvalidDefinitionException ex)
        {
            throw new ApiException("InvalidDefinition", ex.Message);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,80}$")]
    private static partial Regex NamePattern();

    private static void ValidateName(string name)
    {
        if (!NamePattern().IsMatch(name))
            throw new ApiException("InvalidName", $"Invalid Name: '{name}'");
    }

    private static void ValidateArn(string arn, string resourceType)
    {
        var parts = arn.Split(':');
        if (parts.Length < 7 || parts[0] != "arn" || parts[2] != "states" || parts[5] != resourceType)
            throw new ApiException("InvalidArn", $"Invalid Arn: 'Resource type not valid in this context: {(parts.Length > 5 ? parts[5] : arn)}'");
    }

    private async Task<StateMachineRecord> MachineAsync(string arn, CancellationToken ct)
    {
        ValidateArn(arn, "stateMachine");
        return await engine.Store.GetStateMachineAsync(arn, ct)
            ?? throw new ApiException("StateMachineDoesNotExist", $"State Machine Does Not Exist: '{arn}'");
    }

    private async Task<ExecutionRecord> ExecutionAsync(string arn, CancellationToken ct)
    {
        ValidateArn(arn, "execution");
        return await engine.Store.GetExecutionAsync(arn, ct)
            ?? throw new ApiException("ExecutionDoesNotExist", $"Execution Does Not Exist: '{arn}'");
    }

    /// <summary>Pages by position; the token is the opaque base64 of the next index.</summary>
    private static (IReadOnlyList<T> Page, string? NextToken) Page<T>(IReadOnlyList<T> items, JObject request)
    {
        var size = (int?)request["maxResults"] is { } max and > 0 ? Math.Min(max, 1000) : DefaultPageSize;
        var start = 0;
        if ((string?)request["nextToken"] is { } token)
        {
            try
            {
                start = int.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token)), CultureInfo.InvariantCulture);
            }
            catch (FormatException)
            {
                throw new ApiException("InvalidToken", "Invalid Token: the nextToken is not valid.");
            }
        }
        var page = items.Skip(start).Take(size).ToList();
        var next = start + page.Count < items.Count
            ? Convert.ToBase64String(Encoding.UTF8.GetBytes((start + page.Count).ToString(CultureInfo.InvariantCulture)))
            : null;
        return (page, next);
    }
}
