using System.Text.Json.Serialization;

namespace PaletteServerless.Aws.Clients;

public sealed record StartExecutionRequest(string StateMachineArn, string Name, string Input);

public sealed record StartExecutionResponse(
    string ExecutionArn,
    [property: JsonConverter(typeof(EpochSecondsConverter))] DateTimeOffset StartDate);

public sealed record StopExecutionRequest(string ExecutionArn, string? Error, string? Cause);

public sealed record StopExecutionResponse(
    [property: JsonConverter(typeof(EpochSecondsConverter))] DateTimeOffset StopDate);

public sealed record DescribeExecutionRequest(string ExecutionArn);

/// <summary>The parts of DescribeExecution we use; <see cref="Status"/> is RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED or PENDING_REDRIVE.</summary>
public sealed record DescribeExecutionResponse
{
    public required string ExecutionArn { get; init; }

    public string? StateMachineArn { get; init; }

    public string? Name { get; init; }

    public required string Status { get; init; }

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset StartDate { get; init; }

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset? StopDate { get; init; }

    public string? Input { get; init; }

    public string? Output { get; init; }

    public string? Error { get; init; }

    public string? Cause { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StartExecutionRequest))]
[JsonSerializable(typeof(StartExecutionResponse))]
[JsonSerializable(typeof(StopExecutionRequest))]
[JsonSerializable(typeof(StopExecutionResponse))]
[JsonSerializable(typeof(DescribeExecutionRequest))]
[JsonSerializable(typeof(DescribeExecutionResponse))]
public sealed partial class StepFunctionsJsonContext : JsonSerializerContext;
