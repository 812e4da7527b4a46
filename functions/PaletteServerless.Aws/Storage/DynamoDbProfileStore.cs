using System.Text.Json;
using PaletteServerless.Domain;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Profiles;

namespace PaletteServerless.Aws.Storage;

/// <summary>
/// Cluster profiles on the table: one item per version, keyed <c>PROFILE#name#version</c> (a name is a DNS
/// label, so it holds no '#', and one name's versions share a prefix no other name has). A profile stored before
/// profiles had versions is one item keyed <c>PROFILE#name</c>: it is read as the version its record names.
/// </summary>
public sealed partial class DynamoDbStore
{
    private static string ProfileKey(string name, string version) => $"{ProfilePrefix}{name}#{version}";

    private static string LegacyProfileKey(string name) => ProfilePrefix + name;

    async Task<ClusterProfile?> IProfileStore.GetAsync(ProjectScope scope, string name, string version, CancellationToken ct) =>
        await GetDocumentAsync(scope, ProfileKey(name, version), StoreJsonContext.Default.ClusterProfile, ct)
        ?? (await GetDocumentAsync(scope, LegacyProfileKey(name), StoreJsonContext.Default.ClusterProfile, ct) is { } legacy && legacy.Version == version ? legacy : null);

    async Task<IReadOnlyList<ClusterProfile>> IProfileStore.VersionsAsync(ProjectScope scope, string name, CancellationToken ct)
    {
        var versions = new List<ClusterProfile>();
        string? cursor = null;
        do
        {
            var page = await QueryAsync(scope, $"{ProfilePrefix}{name}#", StoreJsonContext.Default.ClusterProfile, cursor, 100, null, ct);
            versions.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        if (await GetDocumentAsync(scope, LegacyProfileKey(name), StoreJsonContext.Default.ClusterProfile, ct) is { } legacy
            && versions.All(v => v.Version != legacy.Version))
        {
            versions.Add(legacy);
        }
        return [.. versions.OrderBy(v => v.Version ?? "", Comparer<string>.Create(KubernetesVersion.Compare))];
    }

    async Task IProfileStore.CreateAsync(ProjectScope scope, ClusterProfile profile, CancellationToken ct)
    {
        var conflict = $"cluster profile '{profile.Name}' already has version {profile.Version} in project '{scope.Project}'; a version is never changed: add a new version";
        if (await GetDocumentAsync(scope, LegacyProfileKey(profile.Name!), StoreJsonContext.Default.ClusterProfile, ct) is { } legacy && legacy.Version == profile.Version)
            throw new Domain.Errors.ConflictException(conflict);
        await PutNewAsync(scope, ProfileKey(profile.Name!, profile.Version!), JsonSerializer.Serialize(profile, StoreJsonContext.Default.ClusterProfile), conflict, ct);
    }

    async Task<Page<ClusterProfile>> IProfileStore.ListAsync(ProjectScope scope, string? cursor, int limit, CancellationToken ct) =>
        await QueryAsync(scope, ProfilePrefix, StoreJsonContext.Default.ClusterProfile, cursor, limit, null, ct);

    async Task<bool> IProfileStore.DeleteAsync(ProjectScope scope, string name, string version, CancellationToken ct)
    {
        if (await DeleteExistingAsync(scope, ProfileKey(name, version), ct))
            return true;
        return await GetDocumentAsync(scope, LegacyProfileKey(name), StoreJsonContext.Default.ClusterProfile, ct) is { } legacy
            && legacy.Version == version && await DeleteExistingAsync(scope, LegacyProfileKey(name), ct);
    }
}
