using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Infra;
using PaletteServerless.Local.Aws.Iam;
using PaletteServerless.Local.Aws.Sts;
using PaletteServerless.Local.StepFunctions.Resources;
using PaletteServerless.Manifest;

namespace PaletteServerless.Local.Iam;

/// <summary>
/// Deploys the synthesized templates' IAM into the local stack: the product stack's roles and key
/// in the product account (each function gets its role's session credentials), and the target
/// stack's roles and key in every other account on its first use, with the parameters a tenant
/// would give it (the product account, the account's external id, every tenant).
/// </summary>
public static partial class LocalIamSetup
{
    public const string ControlPlaneNode = "control-plane-node";
    public const string WorkerNode = "worker-node";
    public const string ClusterBuilder = "cluster-builder";

    /// <summary>
    /// The local IAM, the role each state machine of the product runs with (by name), and how to deploy
    /// the target stack into an account with a tenant's parameters (account, external id, tenant).
    /// </summary>
    public sealed record Deployment(LocalIam Iam, IReadOnlyDictionary<string, string> StateMachineRoleArns, Func<string, string, string, CancellationToken, Task> DeployTarget);

    public static async Task<Deployment> DeployAsync(
        (JsonNode Product, JsonNode Target) templates, PolicyEvaluator evaluator, LocalStackOptions options,
        LambdaRegistry functions, Func<string, string> functionArn, StsRoleCatalog stsRoles, Func<string, TargetStacks.Deployment?> deployedTargets,
        TextWriter log, CancellationToken ct)
    {
        var iam = new LocalIam(evaluator, TimeProvider.System, log) { Enabled = options.Iam };
        var functionNames = FunctionsByLogicalId(templates.Product);
        var product = new IamTemplate(templates.Product, SynthesizedTemplates.ProductStackName, options.AccountId, options.Region,
            new Dictionary<string, string>
            {
                ["JwtIssuer"] = "https://127.0.0.1/local",
                ["JwtAudience"] = "palette-serverless",
                ["NotificationTopicArn"] = "",
                ["RoleLessTenants"] = options.RoleLessTenants,
            },
            (id, type) => type switch
            {
                "AWS::Lambda::Function" when functionNames.TryGetValue(id, out var name) => LambdaName(functionArn(name)),
                "AWS::DynamoDB::Table" => ProductTable.DefaultName,
                _ => null,
            });
        var functionRoles = product.FunctionRoles();
        var machineRoles = product.StateMachineRoles();
        var roles = product.Roles();
        foreach (var role in roles)
        {
            var machine = machineRoles.FirstOrDefault(m => m.Value == role.LogicalId).Key;
            iam.AddRole(ToRole(role, options.AccountId, machine is null ? Purpose(role, functionRoles) : "states:" + machine));
        }
        foreach (var (arn, aliases, policy) in product.KeyPolicies())
            await iam.AddKeyAsync(arn, aliases, policy, ct);

        foreach (var function in FunctionCatalog.All)
        {
            var path = $"{SynthesizedTemplates.ProductStackName}/{function.Name}Function/Resource";
            var roleId = functionRoles.TryGetValue(path, out var id)
                ? id : throw new InvalidOperationException($"the product template has no function {function.Name} ({path})");
            var role = iam.Role(roles.Single(r => r.LogicalId == roleId).ArnIn(options.AccountId))!;
            // Self-describing, as STS sessions are, so an invocation in flight when the stack restarts keeps acting as
            // its function (Lambda refreshes role credentials before they expire; the stack issues them for 30 days).
            var session = await iam.IssueAsync(role, LambdaName(functionArn(function.Name)), ct, expiration: DateTimeOffset.UtcNow.AddDays(30));
            functions.SetCredentials(functionArn(function.Name), new FunctionCredentials(session.AccessKeyId, session.SecretAccessKey, session.SessionToken));
        }

        async Task DeployTarget(string account, string externalId, string tenant, CancellationToken token)
        {
            var target = new IamTemplate(templates.Target, SynthesizedTemplates.TargetStackName, account, options.Region,
                new Dictionary<string, string>
                {
                    ["ProductAccountId"] = options.AccountId,
                    ["ExternalId"] = externalId,
                    ["Tenant"] = tenant,
                });
            foreach (var role in target.Roles())
                iam.AddRole(ToRole(role, account, Purpose(role, new Dictionary<string, string>())));
            foreach (var (arn, aliases, policy) in target.KeyPolicies())
                await iam.AddKeyAsync(arn, aliases, policy, token);
        }
        // An account's stack on its first use: as a tenant deployed it (PUT /local/accounts/{id}/target-stack, kept
        // across restarts), else with the catalog's external id, which no registration answers.
        iam.DeployToAccount = (account, token) => deployedTargets(account) is { } deployed
            ? DeployTarget(account, deployed.ExternalId, deployed.Tenant, token)
            : DeployTarget(account, stsRoles.ExternalIdOf(account), "*", token);
        return new Deployment(iam, machineRoles.ToDictionary(m => m.Key, m => roles.Single(r => r.LogicalId == m.Value).ArnIn(options.AccountId)), DeployTarget);
    }

    private static IamRole ToRole(TemplateRole role, string account, string purpose) =>
        new(purpose, account, role.ArnIn(account), role.Name, role.TrustPolicy, role.Policies);

    /// <summary>What a role is for, from the construct it serves: a function's name in kebab case, the node roles, the target role.</summary>
    private static string Purpose(TemplateRole role, IReadOnlyDictionary<string, string> functionRoles)
    {
        var function = functionRoles.Where(f => f.Value == role.LogicalId).Select(f => f.Key.Split('/'))
            .FirstOrDefault(path => path is [_, var construct, "Resource"] && construct.EndsWith("Function", StringComparison.Ordinal));
        if (function is not null)
            return Kebab(function[1][..^"Function".Length]);
        return role.Name switch
        {
            SecretParameters.ControlPlaneRoleName => ControlPlaneNode,
            SecretParameters.WorkerRoleName => WorkerNode,
            TargetAccountStack.RoleName => ClusterBuilder,
            _ => "cdk:" + role.CdkPath,
        };
    }

    private static Dictionary<string, string> FunctionsByLogicalId(JsonNode template) =>
        template["Resources"]!.AsObject()
            .Where(r => (string?)r.Value?["Type"] == "AWS::Lambda::Function"
                && ((string?)r.Value?["Metadata"]?["aws:cdk:path"])?.Split('/') is [_, var construct, "Resource"] && construct.EndsWith("Function", StringComparison.Ordinal))
            .ToDictionary(r => r.Key, r => ((string)r.Value!["Metadata"]!["aws:cdk:path"]!).Split('/')[1][..^"Function".Length]);

    private static string LambdaName(string functionArn) => functionArn[(functionArn.LastIndexOf(':') + 1)..];

    [GeneratedRegex("(?<=[a-z0-9])([A-Z])")]
    private static partial Regex WordStart();

    private static string Kebab(string name) => WordStart().Replace(name, "-$1").ToLowerInvariant();
}
