using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;

namespace PaletteServerless.Domain.Profiles;

public sealed class ProfileService(IProfileStore profiles, IClusterStore clusters, TimeProvider clock)
{
    public async Task<ClusterProfile> CreateAsync(Caller caller, ProjectScope scope, ClusterProfile profile, CancellationToken ct)
    {
        caller.Demand(Permission.Write, scope.Project);
        var valid = ClusterProfileValidator.Validate(profile) with { CreatedAt = clock.GetUtcNow() };
        // A profile no cluster could launch from (its own values over EC2's user-data limit) is refused now, naming the values.
        var rules = new Validation.Rules();
        Provisioning.UserDataLimit.CheckProfile(rules, valid);
        rules.ThrowIfInvalid();
        await profiles.CreateAsync(scope, valid, ct);
        return valid;
    }

    public async Task<ClusterProfile> GetAsync(Caller caller, ProjectScope scope, string name, CancellationToken ct)
    {
        caller.Demand(Permission.Read, scope.Project);
        return await profiles.GetAsync(scope, name, ct) ?? throw new NotFoundException($"cluster profile '{name}' not found");
    }

    public Task<Page<ClusterProfile>> ListAsync(Caller caller, ProjectScope scope, string? cursor, int limit, CancellationToken ct)
    {
        caller.Demand(Permission.Read, scope.Project);
        return profiles.ListAsync(scope, cursor, limit, ct);
    }

    public async Task DeleteAsync(Caller caller, ProjectScope scope, string name, CancellationToken ct)
    {
        caller.Demand(Permission.Write, scope.Project);
        if (await clusters.AnyLiveUsesAsync(scope, spec => spec.Profile?.Name == name, ct))
            throw new ConflictException($"cluster profile '{name}' is used by a cluster that is not yet Deleted; delete the cluster first");
        if (!await profiles.DeleteAsync(scope, name, ct))
            throw new NotFoundException($"cluster profile '{name}' not found");
    }
}
