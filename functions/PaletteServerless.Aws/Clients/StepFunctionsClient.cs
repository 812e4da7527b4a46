namespace PaletteServerless.Aws.Clients;

/// <summary>Step Functions over AWS JSON 1.0 (signing name <c>states</c>): the three calls the API and force delete need.</summary>
public sealed class StepFunctionsClient : IDisposable
{
    private const string TargetPrefix = "AWSStepFunctions.";
    private readonly AwsJsonProtocolClient _json;

    public StepFunctionsClient(AwsClientOptions options)
    {
        _json = new AwsJsonProtocolClient(AwsService.StepFunctions, "1.0", options);
    }

    public Uri Endpoint => _json.Endpoint;

    /// <summary>
    /// Starts an execution. The name makes it idempotent: the same name and input return the running
    /// execution; another input under the same name is <c>ExecutionAlreadyExists</c>.
    /// </summary>
    /// <param name="input">The execution input, a JSON document as a string.</param>
    public Task<StartExecutionResponse> StartExecutionAsync(string stateMachineArn, string name, string input, CancellationToken cancellationToken = default) =>
        _json.InvokeAsync(
            TargetPrefix + "StartExecution",
            new StartExecutionRequest(stateMachineArn, name, input),
            StepFunctionsJsonContext.Default.StartExecutionRequest,
            StepFunctionsJsonContext.Default.StartExecutionResponse,
            cancellationToken);

    public Task<StopExecutionResponse> StopExecutionAsync(string executionArn, string? error = null, string? cause = null, CancellationToken cancellationToken = default) =>
        _json.InvokeAsync(
            TargetPrefix + "StopExecution",
            new StopExecutionRequest(executionArn, error, cause),
            StepFunctionsJsonContext.Default.StopExecutionRequest,
            StepFunctionsJsonContext.Default.StopExecutionResponse,
            cancellationToken);

    public Task<DescribeExecutionResponse> DescribeExecutionAsync(string executionArn, CancellationToken cancellationToken = default) =>
        _json.InvokeAsync(
            TargetPrefix + "DescribeExecution",
            new DescribeExecutionRequest(executionArn),
            StepFunctionsJsonContext.Default.DescribeExecutionRequest,
            StepFunctionsJsonContext.Default.DescribeExecutionResponse,
            cancellationToken);

    public void Dispose() => _json.Dispose();
}
