namespace PaletteServerless.Domain.Identity;

/// <summary>What a request may do in a project.</summary>
public enum Permission
{
    Read,
    Write,
    /// <summary>Force delete can leave resources that cost money: admins only (product doc).</summary>
    ForceDelete,
}

/// <summary>The authenticated caller, from the JWT claims API Gateway validated.</summary>
public sealed record Caller(string Subject, string Tenant, IReadOnlyList<string> Roles)
{
    public const string TenantAdmin = "tenant-admin";

    /// <summary>Throws 404 when the caller has no role in the project (so its existence is not revealed), 403 when its role is too weak.</summary>
    public void Demand(Permission permission, string project)
    {
        var granted = Granted(project);
        if (granted.Count == 0)
            throw new Errors.NotFoundException($"project '{project}' not found");
        if (!granted.Contains(permission))
            throw new Errors.ForbiddenException(
                $"your role in project '{project}' does not allow this operation ({Describe(permission)} needs {RequiredRoles(permission)})");
    }

    public bool IsTenantAdmin => Roles.Contains(TenantAdmin, StringComparer.Ordinal);

    /// <summary>project-admin of the project, or tenant-admin: who decides where money is spent and who gets what access.</summary>
    public bool IsAdmin(string project) => Granted(project).Contains(Permission.ForceDelete);

    public IReadOnlySet<Permission> Granted(string project)
    {
        var set = new HashSet<Permission>();
        foreach (var role in Roles)
        {
            if (role == TenantAdmin || role == $"project-admin:{project}")
                set.UnionWith([Permission.Read, Permission.Write, Permission.ForceDelete]);
            else if (role == $"project-editor:{project}")
                set.UnionWith([Permission.Read, Permission.Write]);
            else if (role == $"project-viewer:{project}")
                set.Add(Permission.Read);
        }
        return set;
    }

    private static string Describe(Permission permission) => permission switch
    {
        Permission.Read => "reading",
        Permission.Write => "creating or deleting",
        _ => "force delete",
    };

    private static string RequiredRoles(Permission permission) => permission switch
    {
        Permission.Read => "project-viewer, project-editor, project-admin or tenant-admin",
        Permission.Write => "project-editor, project-admin or tenant-admin",
        _ => "project-admin or tenant-admin",
    };
}

/// <summary>Where a record lives: data of one tenant or project is never visible to another.</summary>
public sealed record ProjectScope(string Tenant, string Project);
