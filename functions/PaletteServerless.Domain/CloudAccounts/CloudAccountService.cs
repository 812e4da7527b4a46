using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;

namespace PaletteServerless.Domain.CloudAccounts;

/// <summary>
/// Cloud accounts of a project. Registering one decides where the product spends money and with
/// whose role, so it is an admin's act: a role needs project-admin or tenant-admin, an account
/// without a role (the product's own) a tenant-admin of a tenant the deployer allowed. The external
/// id is the product's, generated per registration, and only admins ever read it back.
/// </summary>
public sealed class CloudAccountService(ICloudAccountStore accounts, IClusterStore clusters, TimeProvider clock, CloudAccountRules rules)
{
    public async Task<RegisteredCloudAccount> CreateAsync(Caller caller, ProjectScope scope, CloudAccount account, CancellationToken ct)
    {
        caller.Demand(Permission.Read, scope.Project);
        if (!caller.IsAdmin(scope.Project))
            throw new ForbiddenException(
                $"roleArn: registering a cloud account needs project-admin or tenant-admin in project '{scope.Project}': it decides where clusters spend money");
        var valid = CloudAccountValidator.Validate(account);
        if (valid.RoleArn is null)
        {
            if (!rules.AllowsRoleLess(scope.Tenant))
                throw new ForbiddenException(
                    "roleArn: is required: this deployment does not let your tenant build in the product's own account (deployment parameter RoleLessTenants)");
            if (!caller.IsTenantAdmin)
                throw new ForbiddenException(
                    "roleArn: only a tenant-admin may register a cloud account without roleArn: it builds in the product's own account");
        }
        var externalId = valid.RoleArn is null ? null : CloudAccountRules.NewExternalId();
        var stored = valid with { ExternalId = externalId, CreatedAt = clock.GetUtcNow() };
        await accounts.CreateAsync(scope, stored, ct);
        return new RegisteredCloudAccount(stored, externalId is null ? null : rules.TrustPolicy(externalId));
    }

    public async Task<CloudAccount> GetAsync(Caller caller, ProjectScope scope, string name, CancellationToken ct)
    {
        caller.Demand(Permission.Read, scope.Project);
        var account = await accounts.GetAsync(scope, name, ct) ?? throw new NotFoundException($"cloud account '{name}' not found");
        return VisibleTo(caller, scope, account);
    }

    public async Task<Page<CloudAccount>> ListAsync(Caller caller, ProjectScope scope, string? cursor, int limit, CancellationToken ct)
    {
        caller.Demand(Permission.Read, scope.Project);
        var page = await accounts.ListAsync(scope, cursor, limit, ct);
        return page with { Items = [.. page.Items.Select(a => VisibleTo(caller, scope, a))] };
    }

    public async Task DeleteAsync(Caller caller, ProjectScope scope, string name, CancellationToken ct)
    {
        caller.Demand(Permission.Read, scope.Project);
        // Looked up first, as a force delete looks up its cluster: what does not exist is a 404 for anyone.
        if (await accounts.GetAsync(scope, name, ct) is null)
            throw new NotFoundException($"cloud account '{name}' not found");
        if (!caller.IsAdmin(scope.Project))
            throw new ForbiddenException($"removing a cloud account needs project-admin or tenant-admin in project '{scope.Project}'");
        if (await clusters.AnyLiveUsesAsync(scope, spec => spec.CloudAccount == name, ct))
            throw new ConflictException($"cloud account '{name}' is used by a cluster that is not yet Deleted; delete the cluster first");
        if (!await accounts.DeleteAsync(scope, name, ct))
            throw new NotFoundException($"cloud account '{name}' not found");
    }

    /// <summary>The external id is a shared secret with the account's owner: admins read it, nobody else.</summary>
    private static CloudAccount VisibleTo(Caller caller, ProjectScope scope, CloudAccount account) =>
        caller.IsAdmin(scope.Project) ? account : account with { ExternalId = null };
}
