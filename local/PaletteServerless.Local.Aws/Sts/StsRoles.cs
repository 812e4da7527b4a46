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
/// The roles of every account. Every account has the default role
/// <c>arn:aws:iam::&lt;account&gt;:role/PaletteServerlessTarget</c> trusting <see cref="DefaultExternalId"/>;
/// more roles, or another external id for one account, are seeded with <see cref="Seed"/> or a
/// JSON file (<see cref="LoadFile"/>):
/// <code>{ "roles": [ { "account": "111122223333", "name": "PaletteServerlessTarget", "externalId": "tenant-42" } ] }</code>
/// </summary>
public sealed class StsRoleCatalog
{
    public const string DefaultRoleName = "PaletteServerlessTarget";

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

    /// <summary>The role an ARN names, or null when no such role exists.</summary>
    public StsRole? Find(string account, string roleName)
    {
        var arn = $"arn:aws:iam::{account}:role/{roleName}";
        if (_seeded.TryGetValue(arn, out var seeded))
            return seeded;
        return roleName == DefaultRoleName ? new StsRole(account, roleName, DefaultExternalId) : null;
    }

    private sealed record RolesFile([property: JsonPropertyName("roles")] List<StsRole> Roles);
}
