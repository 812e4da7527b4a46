using PaletteServerless.Manifest;

namespace PaletteServerless.Aws.Configuration;

/// <summary>Configuration read once from the environment, failing fast with the missing variable's name.</summary>
public sealed record FunctionSettings(string TableName, string ProvisionStateMachineArn, string DeleteStateMachineArn, string UpdateStateMachineArn, string EventBusName, string Region,
    string ForceDeleteStateMachineArn, string SweepOrphansStateMachineArn, string ProductAccountId, string? RoleLessTenants)
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
            Required(EnvironmentNames.UpdateStateMachineArn),
            Required(EnvironmentNames.EventBusName),
            Required(EnvironmentNames.Region),
            Required(EnvironmentNames.ForceDeleteStateMachineArn),
            Required(EnvironmentNames.SweepOrphansStateMachineArn),
            Required(EnvironmentNames.ProductAccountId),
            // Empty (none may) is a valid choice, so it is read as it is.
            read(EnvironmentNames.RoleLessTenants));
    }
}
