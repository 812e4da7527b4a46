using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Identity;

namespace PaletteServerless.Domain.Tests;

public class CallerTests
{
    private static Caller With(params string[] roles) => new("alice", "acme", roles);

    [Theory]
    [InlineData("tenant-admin", Permission.Read, Permission.Write, Permission.ForceDelete)]
    [InlineData("project-admin:web", Permission.Read, Permission.Write, Permission.ForceDelete)]
    [InlineData("project-editor:web", Permission.Read, Permission.Write)]
    [InlineData("project-viewer:web", Permission.Read)]
    public void Each_role_grants_its_permissions_in_its_project(string role, params Permission[] expected)
    {
        With(role).Granted("web").Should().BeEquivalentTo(expected);
    }

    [Theory]
    [InlineData("project-admin:api")]
    [InlineData("project-editor:api")]
    [InlineData("project-viewer:api")]
    [InlineData("project-admin:we")]
    [InlineData("project-admin:web-2")]
    [InlineData("project-admin")]
    [InlineData("Tenant-Admin")]
    [InlineData("project-owner:web")]
    public void Roles_of_another_project_or_unknown_roles_grant_nothing(string role)
    {
        With(role).Granted("web").Should().BeEmpty();
    }

    [Fact]
    public void Tenant_admin_may_do_everything_in_every_project_of_its_tenant()
    {
        var admin = With("tenant-admin");
        foreach (var project in new[] { "web", "api", "anything" })
        {
            admin.Invoking(c => c.Demand(Permission.ForceDelete, project)).Should().NotThrow();
        }
    }

    [Fact]
    public void Roles_add_up()
    {
        With("project-viewer:web", "project-editor:api").Granted("api").Should().BeEquivalentTo([Permission.Read, Permission.Write]);
        With("project-viewer:web", "project-admin:web").Granted("web").Should().Contain(Permission.ForceDelete);
    }

    [Fact]
    public void No_role_in_the_project_is_not_found_so_its_existence_is_not_revealed()
    {
        With("project-admin:api").Invoking(c => c.Demand(Permission.Read, "web")).Should().Throw<NotFoundException>();
        With().Invoking(c => c.Demand(Permission.Read, "web")).Should().Throw<NotFoundException>();
    }

    [Fact]
    public void A_weaker_role_is_forbidden()
    {
        With("project-viewer:web").Invoking(c => c.Demand(Permission.Write, "web")).Should().Throw<ForbiddenException>()
            .WithMessage("*project-editor, project-admin or tenant-admin*");
        With("project-editor:web").Invoking(c => c.Demand(Permission.ForceDelete, "web")).Should().Throw<ForbiddenException>()
            .WithMessage("*project-admin or tenant-admin*");
    }

    [Fact]
    public void Enough_role_passes()
    {
        With("project-viewer:web").Invoking(c => c.Demand(Permission.Read, "web")).Should().NotThrow();
        With("project-editor:web").Invoking(c => c.Demand(Permission.Write, "web")).Should().NotThrow();
        With("project-admin:web").Invoking(c => c.Demand(Permission.ForceDelete, "web")).Should().NotThrow();
    }
}
