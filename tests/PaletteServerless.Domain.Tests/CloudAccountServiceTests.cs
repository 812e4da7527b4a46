using System.Collections.Concurrent;
using NSubstitute;
using PaletteServerless.Domain;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;

namespace PaletteServerless.Domain.Tests;

/// <summary>Who may register which cloud account, and who reads its external id back.</summary>
public class CloudAccountServiceTests
{
    private const string ProductAccount = "999988887777";
    private const string RoleArn = "arn:aws:iam::111122223333:role/palette-serverless/PaletteServerlessClusterBuilder";
    private static readonly ProjectScope Scope = new("acme", "web");

    private readonly MemoryAccounts _store = new();

    private CloudAccountService Service(params string[] roleLessTenants) =>
        new(_store, Substitute.For<IClusterStore>(), TimeProvider.System, new CloudAccountRules(ProductAccount, roleLessTenants));

    private static Caller As(params string[] roles) => new("alice", Scope.Tenant, roles);

    [Fact]
    public async Task Registering_a_role_generates_an_external_id_of_256_bits_per_registration_with_its_trust_policy()
    {
        var first = await Service().CreateAsync(As("project-admin:web"), Scope, new CloudAccount { Name = "one", RoleArn = RoleArn }, default);
        var second = await Service().CreateAsync(As("tenant-admin"), Scope, new CloudAccount { Name = "two", RoleArn = RoleArn }, default);

        first.Account.ExternalId.Should().MatchRegex("^[A-Za-z0-9_-]{43}$");
        second.Account.ExternalId.Should().NotBe(first.Account.ExternalId);
        var trust = first.TrustPolicy!.ToJsonString();
        trust.Should().Contain(first.Account.ExternalId).And.Contain($"arn:aws:iam::{ProductAccount}:root")
            .And.Contain($"arn:aws:iam::{ProductAccount}:role/palette-serverless-functions/*").And.Contain("sts:TagSession");
        _store.Accounts[("web", "one")].ExternalId.Should().Be(first.Account.ExternalId, "it is stored for the sessions to send");
    }

    [Fact]
    public async Task Only_admins_read_the_external_id_back()
    {
        await Service().CreateAsync(As("project-admin:web"), Scope, new CloudAccount { Name = "prod", RoleArn = RoleArn }, default);

        (await Service().GetAsync(As("project-admin:web"), Scope, "prod", default)).ExternalId.Should().NotBeNull();
        (await Service().GetAsync(As("tenant-admin"), Scope, "prod", default)).ExternalId.Should().NotBeNull();
        (await Service().GetAsync(As("project-editor:web"), Scope, "prod", default)).ExternalId.Should().BeNull();
        (await Service().GetAsync(As("project-viewer:web"), Scope, "prod", default)).ExternalId.Should().BeNull();
        (await Service().ListAsync(As("project-viewer:web"), Scope, null, 10, default)).Items.Should().OnlyContain(a => a.ExternalId == null);
    }

    [Fact]
    public async Task An_editor_registers_nothing()
    {
        var refused = await FluentActions.Awaiting(() => Service("*").CreateAsync(As("project-editor:web"), Scope, new CloudAccount { Name = "x", RoleArn = RoleArn }, default))
            .Should().ThrowAsync<ForbiddenException>();
        refused.Which.Message.Should().StartWith("roleArn:").And.Contain("project-admin or tenant-admin");
        await FluentActions.Awaiting(() => Service("*").CreateAsync(As("project-editor:web"), Scope, new CloudAccount { Name = "y" }, default))
            .Should().ThrowAsync<ForbiddenException>();
        _store.Accounts.Should().BeEmpty();
    }

    [Fact]
    public async Task An_account_without_a_role_needs_the_deployers_leave_and_a_tenant_admin()
    {
        var notAllowed = await FluentActions.Awaiting(() => Service().CreateAsync(As("tenant-admin"), Scope, new CloudAccount { Name = "self" }, default))
            .Should().ThrowAsync<ForbiddenException>();
        notAllowed.Which.Message.Should().StartWith("roleArn:").And.Contain("RoleLessTenants");
        await FluentActions.Awaiting(() => Service("other-tenant").CreateAsync(As("tenant-admin"), Scope, new CloudAccount { Name = "self" }, default))
            .Should().ThrowAsync<ForbiddenException>();
        var projectAdmin = await FluentActions.Awaiting(() => Service("acme").CreateAsync(As("project-admin:web"), Scope, new CloudAccount { Name = "self" }, default))
            .Should().ThrowAsync<ForbiddenException>();
        projectAdmin.Which.Message.Should().Contain("only a tenant-admin");
        _store.Accounts.Should().BeEmpty();

        var made = await Service("acme").CreateAsync(As("tenant-admin"), Scope, new CloudAccount { Name = "self" }, default);
        made.Account.ExternalId.Should().BeNull();
        made.TrustPolicy.Should().BeNull();
        (await Service("*").CreateAsync(As("tenant-admin"), Scope, new CloudAccount { Name = "any" }, default)).Account.RoleArn.Should().BeNull();
    }

    [Fact]
    public void The_deployment_parameter_lists_tenants_separated_by_commas()
    {
        CloudAccountRules.ParseTenants("").Should().BeEmpty();
        CloudAccountRules.ParseTenants(null).Should().BeEmpty();
        CloudAccountRules.ParseTenants(" acme , beta,").Should().Equal("acme", "beta");
        new CloudAccountRules(ProductAccount, ["acme"]).ProductAccountRoleArn
            .Should().Be($"arn:aws:iam::{ProductAccount}:role/palette-serverless/PaletteServerlessClusterBuilder");
    }

    private sealed class MemoryAccounts : ICloudAccountStore
    {
        public ConcurrentDictionary<(string Project, string Name), CloudAccount> Accounts { get; } = new();

        public Task<CloudAccount?> GetAsync(ProjectScope scope, string name, CancellationToken ct) =>
            Task.FromResult(Accounts.TryGetValue((scope.Project, name), out var account) ? account : null);

        public Task CreateAsync(ProjectScope scope, CloudAccount account, CancellationToken ct)
        {
            Accounts[(scope.Project, account.Name!)] = account;
            return Task.CompletedTask;
        }

        public Task<Page<CloudAccount>> ListAsync(ProjectScope scope, string? cursor, int limit, CancellationToken ct) =>
            Task.FromResult(new Page<CloudAccount>([.. Accounts.Where(a => a.Key.Project == scope.Project).Select(a => a.Value)], null));

        public Task<bool> DeleteAsync(ProjectScope scope, string name, CancellationToken ct) => Task.FromResult(Accounts.TryRemove((scope.Project, name), out _));
    }
}
