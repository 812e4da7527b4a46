using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PaletteServerless.Local.Aws.Sts;

/// <summary>
/// A role that can be assumed: its account and name, the external id its trust policy requires
/// (null: none required) and, optionally, the one account trusted to assume it (null: any).
/// </summary>
public sealed record StsRole(
    [property: JsonPropertyName("account")] string Account,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("externalId")] string? ExternalId,
    [property: JsonPropertyName("trustedAccount")] string? TrustedAccount = null)
{
    public string Arn => $"arn:aws:iam::{Account}:role/{Name}";
}

/// <summary>
/// The roles of every account when the local IAM is not in use. Every account has the default role
/// <c>arn:aws:iam::&lt;account&gt;:role/palette-serverless/PaletteServerlessClusterBuilder</c> (the
/// target-account stack's role) trusting <see cref="DefaultExternalId"/>;
/// more roles, or another external id for one account, are seeded with <see cref="Seed"/> or a
/// JSON file (<see cref="LoadFile"/>):
/// <code>{ "roles": [ { "account": "111122223333", "name": "palette-serverless/PaletteServerlessClusterBuilder", "externalId": "tenant-42" } ] }</code>
/// </summary>
public sealed class StsRoleCatalog
{
    /// <summary>The target-account stack's role, with its path: what every account has.</summary>
    public const string DefaultRoleName = "palette-serverless/PaletteServerlessClusterBuilder";

    private readonly ConcurrentDictionary<string, StsRole> _seeded = new(StringComparer.Ordinal);

    /// <summary>The external id the default role of every account trusts unless a seed says otherwise.</summary>
    public string DefaultExternalId { get; set; } = "palette-local";

    public void Seed(StsRole role) => _seeded[role.Arn] = role;

    /// <summary>Seeds every role of a JSON file of the form shown on the class.</summary>
    public void LoadFile(string path)
    {
        var file = JsonSerializer.Deserialize<RolesFile>(File.ReadAllBytes(path))
            ?? throw new InvalidDataException($"The roles file {Path.GetFileName(path)} is empty.");
        foreach (var role in file.Roles)
            Seed(role);
    }

    /// <summary>The external id an account's target role trusts.</summary>
    public string ExternalIdOf(string account) =>
        _seeded.TryGetValue($"arn:aws:iam::{account}:role/{DefaultRoleName}", out var seeded) && seeded.ExternalId is { } id ? id : DefaultExternalId;

    /// <summary>The role an ARN names (its path and name), or null when no such role exists.</summary>
    public StsRole? Find(string account, string roleName)
    {
        var arn = $"arn:aws:iam::{account}:role/{roleName}";
        if (_seeded.TryGetValue(arn, out var seeded))
            return seeded;
        return roleName == DefaultRoleName ? new StsRole(account, roleName, DefaultExternalId) : null;
    }

    private sealed record RolesFile([property: JsonPropertyName("roles")] List<StsRole> Roles);
}
