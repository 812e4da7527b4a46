using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Validation;

namespace PaletteServerless.Domain.Clusters;

/// <summary>
/// Who may ask for which <c>settings.rbac</c> binding. The first control plane applies them with
/// admin.conf, so without this an editor could bind <c>cluster-admin</c> and own the cluster. A binding
/// must stay within the power the caller already has in the cluster through its kubeconfig group
/// (<see cref="Provisioning.KubernetesGroups"/>): project-admin and tenant-admin hold <c>cluster-admin</c> and
/// may bind anything; a project-editor holds <c>edit</c> and may bind only <c>edit</c> or <c>view</c>, in a
/// RoleBinding (one namespace), to subjects that are not the product's own (<c>palette:</c>). Refusals are
/// 403 naming the field. The shape rules every caller obeys (no <c>system:</c> subjects) are
/// <see cref="SettingsValidator"/>'s, 400.
/// </summary>
public static class RbacBindingPolicy
{
    /// <summary>The roles a project-editor may bind: what its own group holds (edit), and less (view).</summary>
    public static readonly string[] EditorRoles = ["edit", "view"];

    /// <summary>The product's own users and groups (kubeconfig groups, <c>palette:user:</c> certificate names).</summary>
    public const string ProductPrefix = "palette:";

    /// <summary>
    /// Throws 403 naming each binding of <paramref name="next"/> the caller may not ask for. Only bindings that
    /// are new or changed compared with <paramref name="stored"/> (the cluster's spec before a day-2 change; null on
    /// create) are judged: an editor's change that keeps a binding an admin made (a scale, say) is not refused for it.
    /// A binding is kept when one of the stored bindings has the same type, namespace, role and subjects, wherever it is in the list.
    /// </summary>
    public static void Demand(Caller caller, string project, IReadOnlyList<RbacBinding>? next, IReadOnlyList<RbacBinding>? stored)
    {
        if (next is null || next.Count == 0 || IsAdmin(caller, project))
            return;
        var rules = new Rules();
        for (var i = 0; i < next.Count; i++)
        {
            var binding = next[i];
            if (binding is null || (stored ?? []).Any(s => s is not null && SameBinding(s, binding)))
                continue;
            var at = $"settings.rbac[{i}]";
            if (binding.Type != "RoleBinding")
                rules.Add($"{at}.type", "a ClusterRoleBinding grants its role in every namespace: only project-admin or tenant-admin may ask for one; a project-editor may make a RoleBinding of edit or view");
            if (binding.Role is { } role && !EditorRoles.Contains(role, StringComparer.Ordinal))
                rules.Add($"{at}.role", $"binding the ClusterRole '{role}' needs project-admin or tenant-admin: a project-editor may bind only {string.Join(" or ", EditorRoles)}, the roles its own kubeconfig holds");
            for (var j = 0; j < (binding.Subjects?.Count ?? 0); j++)
            {
                if (binding.Subjects![j]?.Name is { } name && name.StartsWith(ProductPrefix, StringComparison.Ordinal))
                    rules.Add($"{at}.subjects[{j}].name", $"'{name}' is one of the product's own users or groups: binding it would raise the power of everyone the tenant gave that role, so only project-admin or tenant-admin may");
            }
        }
        if (!rules.IsValid)
            throw new ForbiddenException($"your role in project '{project}' does not allow these settings.rbac bindings: see errors", rules.Errors);
    }

    /// <summary>Admins hold cluster-admin in the cluster already: whatever they bind is within their power.</summary>
    public static bool IsAdmin(Caller caller, string project) => caller.Granted(project).Contains(Permission.ForceDelete);

    /// <summary>Equal by value: records compare their lists by reference, so the subjects are compared one by one.</summary>
    public static bool SameBinding(RbacBinding a, RbacBinding b) =>
        a.Type == b.Type && a.Namespace == b.Namespace && a.Role == b.Role
        && (a.Subjects ?? []).SequenceEqual(b.Subjects ?? []);
}
