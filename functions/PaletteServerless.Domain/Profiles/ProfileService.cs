using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;

namespace PaletteServerless.Domain.Profiles;

/// <summary>
/// Cluster profiles and their versions. A version, once added, never changes: a change is a new version
/// (POST with the same name), which clusters move to with a PATCH of <c>profile.version</c>.
/// </summary>
public sealed class ProfileService(IProfileStore profiles, IClusterStore clusters, TimeProvider clock)
{
    /// <summary>Adds a profile, or a new version of an existing one (the same name and version again is 409).</summary>
    public async Task<ClusterProfile> CreateAsync(Caller caller, ProjectScope scope, ClusterProfile profile, CancellationToken ct)
    {
        caller.Demand(Permission.Write, scope.Project);
        var valid = ClusterProfileValidator.Validate(profile with { Versions = null }) with { CreatedAt = clock.GetUtcNow() };
        // A profile no cluster could launch from (its own values over EC2's user-data limit) is refused now, naming the values.
        var rules = new Validation.Rules();
        Provisioning.UserDataLimit.CheckProfile(rules, valid);
        rules.ThrowIfInvalid();
        await profiles.CreateAsync(scope, valid, ct);
        return valid;
    }

    /// <summary>The newest version of a profile, with every version (oldest first) in <see cref="ClusterProfile.Versions"/>.</summary>
    public async Task<ClusterProfile> GetAsync(Caller caller, ProjectScope scope, string name, CancellationToken ct)
    {
        caller.Demand(Permission.Read, scope.Project);
        var versions = await profiles.VersionsAsync(scope, name, ct);
        if (versions.Count == 0)
            throw NotFound(name);
        return versions[^1] with { Versions = [.. versions] };
    }

    /// <summary>One version of a profile.</summary>
    public async Task<ClusterProfile> GetVersionAsync(Caller caller, ProjectScope scope, string name, string version, CancellationToken ct)
    {
        caller.Demand(Permission.Read, scope.Project);
        return await profiles.GetAsync(scope, name, version, ct) ?? throw new NotFoundException($"cluster profile '{name}' has no version {version}");
    }

    /// <summary>Every version of every profile, one item each.</summary>
    public Task<Page<ClusterProfile>> ListAsync(Caller caller, ProjectScope scope, string? cursor, int limit, CancellationToken ct)
    {
        caller.Demand(Permission.Read, scope.Project);
        return profiles.ListAsync(scope, cursor, limit, ct);
    }

    /// <summary>
    /// Removes one version (<paramref name="version"/>), or every version of the profile (null). A version a cluster
    /// that is not yet Deleted uses stays: 409 naming those clusters.
    /// </summary>
    public async Task DeleteAsync(Caller caller, ProjectScope scope, string name, string? version, CancellationToken ct)
    {
        caller.Demand(Permission.Write, scope.Project);
        var versions = await profiles.VersionsAsync(scope, name, ct);
        var doomed = versions.Where(v => version is null || v.Version == version).Select(v => v.Version!).ToList();
        if (doomed.Count == 0)
            throw version is null ? NotFound(name) : new NotFoundException($"cluster profile '{name}' has no version {version}");
        var users = await UsersAsync(scope, name, doomed, ct);
        if (users.Count > 0)
        {
            var what = version is null ? $"cluster profile '{name}'" : $"version {version} of cluster profile '{name}'";
            throw new ConflictException(
                $"{what} is used by {(users.Count == 1 ? "cluster" : "clusters")} {string.Join(", ", users.Select(u => $"'{u}'"))} (not yet Deleted); " +
                "move them to another version or delete them first");
        }
        foreach (var doomedVersion in doomed)
            await profiles.DeleteAsync(scope, name, doomedVersion, ct);
    }

    /// <summary>The live clusters whose spec names the profile at one of <paramref name="versions"/>, by name.</summary>
    private async Task<IReadOnlyList<string>> UsersAsync(ProjectScope scope, string name, IReadOnlyList<string> versions, CancellationToken ct)
    {
        var users = new List<string>();
        string? cursor = null;
        do
        {
            var page = await clusters.ListAsync(scope, includeDeleted: false, cursor, 100, ct);
            users.AddRange(page.Items
                .Where(c => ClusterStatus.IsLive(c.Status) && c.Spec.Profile?.Name == name && versions.Contains(c.Spec.Profile.Version ?? ""))
                .Select(c => c.Name));
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return [.. users.Order(StringComparer.Ordinal)];
    }

    private static NotFoundException NotFound(string name) => new($"cluster profile '{name}' not found");
}
