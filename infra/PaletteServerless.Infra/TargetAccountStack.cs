using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Constructs;
using PaletteServerless.Infra.Iam;

namespace PaletteServerless.Infra;

/// <summary>
/// What a tenant deploys in each AWS account clusters are built in (the product doc's "Add AWS
/// Account"): one role, under the path the product's steps may assume, trusting only the product's
/// account and only with the external id registered with the cloud account, allowed exactly what
/// the workflow steps do, all of it fenced by the ownership tag; and what the nodes need to read
/// their cluster's secrets (<see cref="NodeAccess"/>).
/// </summary>
public sealed class TargetAccountStack : Stack
{
    /// <summary>A fixed name, so the ARN to register is predictable: arn:aws:iam::&lt;account&gt;:role/palette-serverless/PaletteServerlessClusterBuilder.</summary>
    public const string RoleName = ClusterBuilderRole.RoleName;

    public Role Role { get; }
    public NodeAccess Nodes { get; }

    public TargetAccountStack(Construct scope, string id, IStackProps? props = null) : base(scope, id, props)
    {
        var productAccountId = new CfnParameter(this, "ProductAccountId", new CfnParameterProps
        {
            Type = "String",
            AllowedPattern = "^\\d{12}$",
            Description = "The account PaletteServerless runs in (output ProductAccountId of the product stack)",
        });
        var externalId = new CfnParameter(this, "ExternalId", new CfnParameterProps
        {
            Type = "String",
            NoEcho = true,
            // IAM's rule for sts:ExternalId; the product's cloud-account validation uses the same one.
            AllowedPattern = "^[\\w+=,.@:/-]{2,1224}$",
            Description = "The externalId PaletteServerless returned when the role was registered (POST .../cloudaccounts): protects against the confused deputy",
        });

        var tenant = new CfnParameter(this, "Tenant", new CfnParameterProps
        {
            Type = "String",
            // The API's rule for the tenant claim.
            AllowedPattern = "^[a-z0-9][a-z0-9-]{0,62}$",
            Description = "The tenant whose clusters run in this account: their nodes may read only parameters tagged with this tenant",
        });
        Nodes = new NodeAccess(this, "Nodes", tenant.ValueAsString);

        Role = new ClusterBuilderRole(this, "ClusterBuilderRole", productAccountId.ValueAsString, externalId.ValueAsString).Role;

        _ = new CfnOutput(this, "RoleArn", new CfnOutputProps
        {
            Value = Role.RoleArn,
            Description = "roleArn to register as a cloud account (POST /v1/projects/{project}/cloudaccounts)",
        });
    }
}
