using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;

namespace PaletteServerless.Domain.CloudAccounts;

public sealed class CloudAccountService(ICloudAccountStore accounts, IClusterStore clusters, TimeProvider clock)
{
    public async Task<CloudAccount> CreateAsync(Caller caller, ProjectScope scope, CloudAccount account, CancellationToken ct)
    {
        caller.Demand(Permission.Write, scope.Project);
        var valid = CloudAccountValidator.Validate(account) with { CreatedAt = clock.GetUtcNow() };
        await accounts.CreateAsync(scope, valid, ct);
        return valid;
    }

    public async Task<CloudAccount> GetAsync(Caller caller, ProjectScope scope, string name, CancellationToken ct)
    {
        caller.Demand(Permission.Read, scope.Project);
        return await accounts.GetAsync(scope, name, ct) ?? throw new NotFoundException($"cloud account '{name}' not found");
    }

    public Task<Page<CloudAccount>> ListAsync(Caller caller, ProjectScope scope, string? cursor, int limit, CancellationToken ct)
    {
        caller.Demand(Permission.Read, scope.Project);
        return accounts.ListAsync(scope, cursor, limit, ct);
    }

    public async Task DeleteAsync(Caller caller, ProjectScope scope, string name, CancellationToken ct)
    {
        caller.Demand(Permission.Write, scope.Project);
        if (await clusters.AnyLiveUsesAsync(scope, spec => spec.CloudAccount == name, ct))
            throw new ConflictException($"cloud account '{name}' is used by a cluster that is not yet Deleted; delete the cluster first");
        if (!await accounts.DeleteAsync(scope, name, ct))
            throw new NotFoundException($"cloud account '{name}' not found");
    }
}
