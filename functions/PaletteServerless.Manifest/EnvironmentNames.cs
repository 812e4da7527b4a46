namespace PaletteServerless.Manifest;

/// <summary>
/// The environment variables our functions read. The CDK app sets them and the local stack sets
/// them, both from this one list, so the two can never drift apart.
/// </summary>
public static class EnvironmentNames
{
    public const string TableName = "PALETTE_TABLE_NAME";
    public const string ProvisionStateMachineArn = "PALETTE_PROVISION_STATE_MACHINE_ARN";
    public const string DeleteStateMachineArn = "PALETTE_DELETE_STATE_MACHINE_ARN";
    public const string UpdateStateMachineArn = "PALETTE_UPDATE_STATE_MACHINE_ARN";
    public const string RemediateStateMachineArn = "PALETTE_REMEDIATE_STATE_MACHINE_ARN";
    public const string ForceDeleteStateMachineArn = "PALETTE_FORCE_DELETE_STATE_MACHINE_ARN";
    public const string SweepOrphansStateMachineArn = "PALETTE_SWEEP_ORPHANS_STATE_MACHINE_ARN";
    public const string OsPatchStateMachineArn = "PALETTE_OS_PATCH_STATE_MACHINE_ARN";
    public const string BackupStateMachineArn = "PALETTE_BACKUP_STATE_MACHINE_ARN";
    public const string EventBusName = "PALETTE_EVENT_BUS_NAME";
    /// <summary>The account the product runs in (trust policies name it; role-less cloud accounts build in it).</summary>
    public const string ProductAccountId = "PALETTE_PRODUCT_ACCOUNT_ID";
    /// <summary>The tenants whose admins may register a cloud account without a role (comma-separated; empty: none).</summary>
    public const string RoleLessTenants = "PALETTE_ROLELESS_TENANTS";
    /// <summary>Set by the Lambda runtime; read for clients that need a region.</summary>
    public const string Region = "AWS_REGION";
}
