namespace PaletteServerless.Manifest;

/// <summary>
/// The canonical Retry blocks of statemachines/*.asl.json. ASL has no way to share a block between
/// states, so every Task repeats one of these verbatim; a test holds each Task's Retry to exactly
/// one of <see cref="Named"/> and every ErrorEquals to an error something can actually raise.
/// </summary>
public static class StateMachineRetries
{
    /// <summary>
    /// The Lambda service's own transient errors, which the AWS Step Functions Developer Guide
    /// ("Handling transient Lambda service exceptions") recommends retrying on every Lambda task.
    /// </summary>
    public static readonly IReadOnlyList<string> LambdaServiceErrors =
        ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException"];

    /// <summary>The error type Lambda reports when a function runs past its timeout (AWS Lambda Developer Guide).</summary>
    public const string LambdaTimeoutError = "Sandbox.Timedout";

    /// <summary>
    /// Every Task that invokes one of our step functions: a transient cloud error (our
    /// TransientCloudException) or a Lambda service error is retried with full-jitter backoff for up to
    /// about ten minutes; a timeout is retried a few times, since every step is safe to run again.
    /// </summary>
    public const string Step = """
        [
          {
            "ErrorEquals": [
              "TransientCloudException",
              "Lambda.ServiceException",
              "Lambda.AWSLambdaException",
              "Lambda.SdkClientException",
              "Lambda.TooManyRequestsException"
            ],
            "IntervalSeconds": 1,
            "BackoffRate": 1.71,
            "MaxAttempts": 10,
            "MaxDelaySeconds": 60,
            "JitterStrategy": "FULL"
          },
          {
            "ErrorEquals": [
              "Sandbox.Timedout",
              "States.Timeout"
            ],
            "IntervalSeconds": 2,
            "BackoffRate": 2,
            "MaxAttempts": 3
          }
        ]
        """;

    /// <summary>Every canonical Retry block by name (JSON arrays as they appear in a definition).</summary>
    public static readonly IReadOnlyDictionary<string, string> Named = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [nameof(Step)] = Step,
    };
}
