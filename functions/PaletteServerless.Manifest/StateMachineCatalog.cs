namespace PaletteServerless.Manifest;

/// <summary>One Step Functions state machine: its name and its definition file under statemachines/.</summary>
public sealed record StateMachineDefinition(string Name, string DefinitionFile, string Description);

/// <summary>
/// Every state machine of the product and the one rule for the ${Placeholders} in their
/// definitions. The CDK app fills them with DefinitionSubstitutions and the local stack fills them
/// the same way, from <see cref="Placeholders"/>, so a definition runs unchanged in both.
/// </summary>
public static class StateMachineCatalog
{
    public static readonly StateMachineDefinition Provision = new(
        "palette-provision-cluster", "provision-cluster.asl.json", "Builds a cluster: preflight, network, load balancer, node pools");

    public static readonly StateMachineDefinition Delete = new(
        "palette-delete-cluster", "delete-cluster.asl.json", "Removes everything a cluster owns, in the reference order");

    public static readonly StateMachineDefinition Update = new(
        "palette-update-cluster", "update-cluster.asl.json", "Rolls a cluster's node pools to its newest spec generation");

    public static readonly StateMachineDefinition Remediate = new(
        "palette-remediate-cluster", "remediate-cluster.asl.json", "Replaces a Running cluster's failed nodes, side by side within maxUnhealthy");

    public static readonly StateMachineDefinition ForceDelete = new(
        "palette-force-delete-cluster", "force-delete-cluster.asl.json", "Stops a stuck delete, sweeps by ownership tag, marks Deleted and reports what is left");

    public static readonly StateMachineDefinition SweepOrphans = new(
        "palette-sweep-orphans", "sweep-orphans.asl.json", "Removes what is tagged for a project's clusters that no longer exist, and reports what is left");

    public static readonly StateMachineDefinition OsPatch = new(
        "palette-os-patch-cluster", "os-patch-cluster.asl.json", "Patches a Running cluster's nodes in place, node by node within each pool's maxUnavailable");

    public static readonly StateMachineDefinition Backup = new(
        "palette-backup-cluster", "backup-cluster.asl.json", "Asks Velero for one backup or restore through the in-cluster agent and waits for its result in the bucket");

    public static readonly IReadOnlyList<StateMachineDefinition> All = [Provision, Delete, Update, Remediate, ForceDelete, SweepOrphans, OsPatch, Backup];

    /// <summary>The placeholder a definition uses for a function's ARN: ${&lt;Name&gt;FunctionArn}.</summary>
    public static string FunctionPlaceholder(FunctionDefinition function) => $"{function.Name}FunctionArn";

    public const string TablePlaceholder = "TableName";
    public const string EventBusPlaceholder = "EventBusName";

    /// <summary>Every placeholder and its value, given how the deployment names functions, the table and the bus.</summary>
    public static IReadOnlyDictionary<string, string> Placeholders(Func<FunctionDefinition, string> functionArn, string tableName, string eventBusName)
    {
        var values = FunctionCatalog.All.ToDictionary(FunctionPlaceholder, functionArn);
        values[TablePlaceholder] = tableName;
        values[EventBusPlaceholder] = eventBusName;
        return values;
    }

    /// <summary>Fills every ${Placeholder}; one without a value is an error, never left for AWS to reject.</summary>
    public static string Substitute(string definition, IReadOnlyDictionary<string, string> values)
    {
        var missing = new SortedSet<string>(StringComparer.Ordinal);
        var filled = System.Text.RegularExpressions.Regex.Replace(definition, @"\$\{([A-Za-z0-9_]+)\}", match =>
        {
            if (values.TryGetValue(match.Groups[1].Value, out var value))
                return value;
            missing.Add(match.Groups[1].Value);
            return match.Value;
        });
        if (missing.Count > 0)
            throw new InvalidOperationException("the definition uses placeholders with no value: " + string.Join(", ", missing));
        return filled;
    }
}
