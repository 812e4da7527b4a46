namespace PaletteServerless.Aws.Configuration;

/// <summary>
/// The environment variables our functions read. The CDK app sets them and the local stack sets
/// them, both from this one list, so the two can never drift apart.
/// </summary>
public static class EnvironmentNames
{
    public const string TableName = "PALETTE_TABLE_NAME";
    public const string ProvisionStateMachineArn = "PALETTE_PROVISION_STATE_MACHINE_ARN";
    public const string DeleteStateMachineArn = "PALETTE_DELETE_STATE_MACHINE_ARN";
    public const string EventBusName = "PALETTE_EVENT_BUS_NAME";
    /// <summary>Set by the Lambda runtime; read for clients that need a region.</summary>
    public const string Region = "AWS_REGION";
}

/// <summary>Configuration read once from the environment, failing fast with the missing variable's name.</summary>
public sealed record FunctionSettings(string TableName, string ProvisionStateMachineArn, string DeleteStateMachineArn, string EventBusName, string Region)
{
    public static FunctionSettings FromEnvironment(Func<string, string?>? read = null)
    {
        read ??= Environment.GetEnvironmentVariable;
        string Required(string name) =>
            read(name) is { Length: > 0 } value
                ? value
                : throw new InvalidOperationException($"environment variable {name} is not set; the deployment (CDK or the local stack) must set it");
        return new FunctionSettings(
            Required(EnvironmentNames.TableName),
            Required(EnvironmentNames.ProvisionStateMachineArn),
            Required(EnvironmentNames.DeleteStateMachineArn),
            Required(EnvironmentNames.EventBusName),
            Required(EnvironmentNames.Region));
    }
}
