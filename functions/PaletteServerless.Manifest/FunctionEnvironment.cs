namespace PaletteServerless.Manifest;

/// <summary>
/// What each environment variable of <see cref="EnvironmentNames"/> holds, given how a deployment names its
/// table, bus, state machines and accounts. The CDK app and the local stack both build the functions' environment
/// here, so which variable carries which state machine's ARN is written once.
/// </summary>
public static class FunctionEnvironment
{
    /// <summary>The variables that carry a state machine's ARN, and which state machine each one names.</summary>
    public static readonly IReadOnlyDictionary<string, StateMachineDefinition> StateMachineArns = new Dictionary<string, StateMachineDefinition>(StringComparer.Ordinal)
    {
        [EnvironmentNames.ProvisionStateMachineArn] = StateMachineCatalog.Provision,
        [EnvironmentNames.DeleteStateMachineArn] = StateMachineCatalog.Delete,
        [EnvironmentNames.UpdateStateMachineArn] = StateMachineCatalog.Update,
        [EnvironmentNames.RemediateStateMachineArn] = StateMachineCatalog.Remediate,
        [EnvironmentNames.ForceDeleteStateMachineArn] = StateMachineCatalog.ForceDelete,
        [EnvironmentNames.SweepOrphansStateMachineArn] = StateMachineCatalog.SweepOrphans,
        [EnvironmentNames.OsPatchStateMachineArn] = StateMachineCatalog.OsPatch,
        [EnvironmentNames.BackupStateMachineArn] = StateMachineCatalog.Backup,
    };

    /// <summary>
    /// Every variable a deployment sets, with its value. <see cref="EnvironmentNames.Region"/> is not among them:
    /// Lambda sets it (the local stack, standing in for Lambda, adds it itself).
    /// </summary>
    public static Dictionary<string, string> Values(
        Func<StateMachineDefinition, string> stateMachineArn, string tableName, string eventBusName, string productAccountId, string roleLessTenants)
    {
        var values = StateMachineArns.ToDictionary(pair => pair.Key, pair => stateMachineArn(pair.Value), StringComparer.Ordinal);
        values[EnvironmentNames.TableName] = tableName;
        values[EnvironmentNames.EventBusName] = eventBusName;
        values[EnvironmentNames.ProductAccountId] = productAccountId;
        values[EnvironmentNames.RoleLessTenants] = roleLessTenants;
        return values;
    }
}
