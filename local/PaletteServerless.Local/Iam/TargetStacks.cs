using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using PaletteServerless.Local.Aws.Sts;

namespace PaletteServerless.Local.Iam;

/// <summary>
/// Stands in for a tenant's <c>cdk deploy PaletteServerlessTarget</c> into one of its accounts, with the
/// parameters the product's registration answer gives (PUT /local/accounts/{account}/target-stack):
/// the target stack's roles, policies and key, trusting the product's function roles with that
/// external id, whether or not IAM is enforced (STS checks the external id either way). Like a deployed
/// stack, a deployment outlives a restart of the stack when it keeps its data (--data).
/// </summary>
public sealed partial class TargetStacks
{
    /// <summary>The parameters a target stack was deployed with.</summary>
    public sealed record Deployment(
        [property: JsonPropertyName("externalId")] string ExternalId,
        [property: JsonPropertyName("tenant")] string Tenant);

    private readonly ConcurrentDictionary<string, Deployment> _deployed = new(StringComparer.Ordinal);
    private readonly StsRoleCatalog _roles;
    private readonly string _productAccountId;
    private readonly string? _file;
    private readonly Lock _saving = new();

    /// <param name="dataDirectory">Where deployments are kept across restarts; null keeps them in memory.</param>
    public TargetStacks(StsRoleCatalog roles, string productAccountId, string? dataDirectory)
    {
        _roles = roles;
        _productAccountId = productAccountId;
        _file = dataDirectory is null ? null : Path.Combine(dataDirectory, "target-stacks.json");
        if (_file is not null && File.Exists(_file))
            foreach (var (account, deployment) in JsonSerializer.Deserialize(File.ReadAllBytes(_file), TargetStacksJsonContext.Default.DictionaryStringDeployment) ?? [])
                Record(account, deployment);
    }

    /// <summary>Deploys the IAM of the target template into an account (set by the local IAM once it is in place).</summary>
    public Func<string, string, string, CancellationToken, Task>? DeployIam { get; set; }

    /// <summary>The parameters an account's stack was deployed with, or null when nobody deployed it.</summary>
    public Deployment? Of(string account) => _deployed.GetValueOrDefault(account);

    public async Task<string> DeployAsync(string account, string externalId, string tenant, CancellationToken ct)
    {
        if (!AccountPattern().IsMatch(account))
            throw new ArgumentException($"account '{account}' must be 12 digits");
        if (!ExternalIdPattern().IsMatch(externalId))
            throw new ArgumentException("externalId must be 2 to 1224 characters of letters, digits and +=,.@:/- (the registration's answer)");
        if (!TenantPattern().IsMatch(tenant))
            throw new ArgumentException("tenant must match ^[a-z0-9][a-z0-9-]{0,62}$");
        Record(account, new Deployment(externalId, tenant));
        Save();
        if (DeployIam is { } deploy)
            await deploy(account, externalId, tenant, ct);
        return $"arn:aws:iam::{account}:role/{StsRoleCatalog.DefaultRoleName}";
    }

    private void Record(string account, Deployment deployment)
    {
        _deployed[account] = deployment;
        _roles.Seed(new StsRole(account, StsRoleCatalog.DefaultRoleName, deployment.ExternalId, _productAccountId));
    }

    private void Save()
    {
        if (_file is null)
            return;
        lock (_saving)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
            var temporary = _file + ".tmp";
            File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, Deployment>(_deployed), TargetStacksJsonContext.Default.DictionaryStringDeployment));
            File.Move(temporary, _file, overwrite: true);
        }
    }

    [GeneratedRegex(@"^\d{12}\z")]
    private static partial Regex AccountPattern();

    [GeneratedRegex(@"^[\w+=,.@:/-]{2,1224}\z")]
    private static partial Regex ExternalIdPattern();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{0,62}\z")]
    private static partial Regex TenantPattern();
}

[JsonSerializable(typeof(Dictionary<string, TargetStacks.Deployment>))]
internal sealed partial class TargetStacksJsonContext : JsonSerializerContext;
