using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Identity;

namespace PaletteServerless.Domain.Tests;

/// <summary>Which settings.rbac bindings a role may ask for: admins anything, editors edit or view in a namespace.</summary>
public class RbacBindingPolicyTests
{
    private static readonly Caller Editor = new("alice", "acme", ["project-editor:web"]);

    private static RbacBinding InNamespace(string role = "edit", string subject = "team-a") => new()
    {
        Type = "RoleBinding",
        Namespace = "team-a",
        Role = role,
        Subjects = [new RbacSubject { Kind = "Group", Name = subject }],
    };

    private static RbacBinding ClusterWide(string role = "cluster-admin") => new()
    {
        Type = "ClusterRoleBinding",
        Role = role,
        Subjects = [new RbacSubject { Kind = "Group", Name = "platform" }],
    };

    private static ForbiddenException Refusal(Caller caller, IReadOnlyList<RbacBinding> next, IReadOnlyList<RbacBinding>? stored = null)
    {
        var act = () => RbacBindingPolicy.Demand(caller, "web", next, stored);
        return act.Should().Throw<ForbiddenException>().Which;
    }

    private static void Allowed(Caller caller, IReadOnlyList<RbacBinding> next, IReadOnlyList<RbacBinding>? stored = null)
    {
        var act = () => RbacBindingPolicy.Demand(caller, "web", next, stored);
        act.Should().NotThrow();
    }

    [Theory]
    [InlineData("cluster-admin")]
    [InlineData("admin")]
    [InlineData("system:node")]
    [InlineData("my-custom-role")]
    public void An_editor_may_not_bind_a_role_beyond_edit_or_view_even_in_a_namespace(string role)
    {
        var refusal = Refusal(Editor, [InNamespace(role)]);

        refusal.Errors.Should().ContainSingle().Which.Field.Should().Be("settings.rbac[0].role");
        refusal.Errors[0].Message.Should().Contain(role).And.Contain("project-admin or tenant-admin");
        refusal.Message.Should().Contain("rbac");
    }

    [Fact]
    public void An_editor_binding_cluster_admin_cluster_wide_is_refused_naming_the_type_and_the_role()
    {
        Refusal(Editor, [ClusterWide()]).Errors.Select(e => e.Field).Should().Equal("settings.rbac[0].type", "settings.rbac[0].role");
        Refusal(Editor, [InNamespace(), ClusterWide("view")]).Errors.Select(e => e.Field).Should().Equal("settings.rbac[1].type");
    }

    [Fact]
    public void An_editor_may_bind_edit_or_view_in_a_namespace()
    {
        Allowed(Editor, [InNamespace("edit"), InNamespace("view")]);
    }

    [Theory]
    [InlineData("palette:viewers")]
    [InlineData("palette:cluster-admins")]
    [InlineData("palette:user:bob")]
    public void An_editor_may_not_name_the_product_s_own_users_or_groups(string subject)
    {
        Refusal(Editor, [InNamespace("view", subject)]).Errors.Should().ContainSingle().Which.Field.Should().Be("settings.rbac[0].subjects[0].name");
    }

    [Theory]
    [InlineData("tenant-admin")]
    [InlineData("project-admin:web")]
    public void Admins_may_bind_anything_to_anyone(string role)
    {
        var admin = new Caller("root", "acme", [role]);
        Allowed(admin, [ClusterWide(), InNamespace("admin", "palette:viewers")]);
    }

    [Fact]
    public void An_admin_of_another_project_is_no_admin_here()
    {
        var elsewhere = new Caller("root", "acme", ["project-admin:api", "project-editor:web"]);
        Refusal(elsewhere, [ClusterWide()]);
    }

    [Fact]
    public void A_binding_kept_from_the_stored_spec_is_not_judged_again_wherever_it_moves()
    {
        // An admin made the cluster-admin binding; the editor's change keeps it (moved to the end) and adds one of its own.
        Allowed(Editor, [InNamespace("view"), ClusterWide()], stored: [ClusterWide()]);
    }

    [Fact]
    public void A_stored_binding_changed_in_any_part_is_judged_as_new()
    {
        var stored = new[] { ClusterWide() };

        Refusal(Editor, [ClusterWide() with { Subjects = [new RbacSubject { Kind = "Group", Name = "someone-else" }] }], stored);
        Refusal(Editor, [ClusterWide() with { Subjects = [.. ClusterWide().Subjects!, new RbacSubject { Kind = "User", Name = "mallory" }] }], stored);
        Refusal(Editor, [ClusterWide("admin")], stored);
        Refusal(Editor, [InNamespace("admin")], [InNamespace("admin") with { Namespace = "team-b" }]);
    }

    [Fact]
    public void No_bindings_ask_for_nothing()
    {
        Allowed(Editor, []);
        var act = () => RbacBindingPolicy.Demand(Editor, "web", null, [ClusterWide()]);
        act.Should().NotThrow("removing bindings takes power away, never adds it");
    }
}
