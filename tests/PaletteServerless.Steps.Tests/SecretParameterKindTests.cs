using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;
using static PaletteServerless.Steps.Tests.TestCluster;

namespace PaletteServerless.Steps.Tests;

/// <summary>The cluster's secrets as parameters: created once, never overwritten, recorded first, removed by path.</summary>
public sealed class SecretParameterKindTests
{
    private readonly FakeCloud _cloud = new();
    private readonly InMemoryInventory _inventory = new();
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly ClusterSecrets Generated = ClusterSecrets.Generate("demo", DateTimeOffset.UnixEpoch);
    private const string Path = "/palette-serverless/acme/" + Uid;

    private FakeParameterStore Store => _cloud.Parameters;

    [Fact]
    public async Task Ensure_creates_each_missing_parameter_as_a_secret_tagged_with_the_vpc_and_records_it_first()
    {
        Store.BeforeCreate = name => _inventory.Items.Should().Contain(i => i.Id == name, "the parameter is recorded before it is created");

        var secrets = await new SecretParameterKind(await ResourcesAsync(_cloud, _inventory)).EnsureAsync(() => Generated, "vpc-1", Ct);

        secrets.BootstrapToken.Should().Be(Generated.BootstrapToken);
        secrets.CaCertHash.Should().Be(Generated.CaCertHash);
        secrets.CaPrivateKeyPem.Trim().Should().Be(Generated.CaPrivateKeyPem.Trim());
        Store.Parameters.Keys.Should().BeEquivalentTo([$"{Path}/ca", $"{Path}/certificate-key", $"{Path}/join-token"]);
        Store.Parameters.Values.Should().OnlyContain(p => p.Kind == ParameterKind.Secret && p.Version == 1 && !p.MayOutgrowStandard
            && p.Tags[SecretParameters.VpcTag] == "vpc-1" && p.Tags[OwnershipTags.ClusterUid] == Uid);
        _inventory.Items.Where(i => i.Kind == ResourceKinds.SecretParameter).Should().HaveCount(3);
    }

    [Fact]
    public async Task Ensure_keeps_what_is_stored_and_adopts_a_parameter_another_run_created_first()
    {
        var first = SecretParameters.ValuesOf(ClusterSecrets.Generate("demo", DateTimeOffset.UnixEpoch));
        foreach (var (parameter, value) in first.Where(p => p.Key != SecretParameters.JoinToken))
            Store.Seed($"{Path}/{parameter}", value);
        // Another run stores the join token between this run's read and its create.
        Store.BeforeCreate = name => Store.Seed(name, first[SecretParameters.JoinToken]);

        var secrets = await new SecretParameterKind(await ResourcesAsync(_cloud, _inventory)).EnsureAsync(() => Generated, "vpc-1", Ct);

        secrets.BootstrapToken.Should().Be(first[SecretParameters.JoinToken], "the stored token wins over the one this run generated");
        secrets.CertificateKey.Should().Be(first[SecretParameters.CertificateKey]);
        Store.Calls.Where(c => c.StartsWith("create", StringComparison.Ordinal)).Should().Equal($"create {Path}/join-token");
        Store.Values.Should().BeEquivalentTo(first.ToDictionary(p => $"{Path}/{p.Key}", p => p.Value), "nothing stored is overwritten");
    }

    [Fact]
    public async Task Delete_removes_every_parameter_under_the_path_recorded_or_not_and_forgets_them()
    {
        _inventory.Add(ResourceKinds.SecretParameter, $"{Path}/ca", "ca");
        Store.Seed($"{Path}/ca", "a");
        Store.Seed($"{Path}/join-token", "b");
        Store.Seed("/palette-serverless/acme/another-cluster/ca", "c");
        var pass = new DeletePass();

        var done = await new SecretParameterKind(await ResourcesAsync(_cloud, _inventory)).DeleteAsync(pass, Ct);

        done.Should().BeTrue();
        _inventory.Items.Should().BeEmpty();
        Store.Parameters.Keys.Should().Equal("/palette-serverless/acme/another-cluster/ca");
        Store.Calls.Where(c => c.StartsWith("delete", StringComparison.Ordinal)).Should().ContainSingle();
    }

    [Fact]
    public async Task Delete_goes_in_calls_of_ten_names_and_a_recorded_name_already_gone_is_done()
    {
        var names = Enumerable.Range(0, 12).Select(i => $"{Path}/p{i:00}").ToList();
        foreach (var name in names)
            Store.Seed(name, "v");
        _inventory.Add(ResourceKinds.SecretParameter, $"{Path}/gone", "gone");

        var done = await new SecretParameterKind(await ResourcesAsync(_cloud, _inventory)).DeleteAsync(new DeletePass(), Ct);

        done.Should().BeTrue();
        Store.Parameters.Should().BeEmpty();
        _inventory.Items.Should().BeEmpty();
        Store.Calls.Where(c => c.StartsWith("delete", StringComparison.Ordinal)).Select(c => c.Split(',').Length).Should().Equal(IParameterStore.NamesPerCall, 3);
    }

    [Fact]
    public async Task A_parameter_that_cannot_be_deleted_stays_recorded_so_force_delete_reports_it()
    {
        Store.Seed($"{Path}/ca", "a");
        Store.Fail("delete", "AccessDeniedException");
        var pass = new DeletePass();

        var done = await new SecretParameterKind(await ResourcesAsync(_cloud, _inventory)).DeleteAsync(pass, Ct);

        done.Should().BeFalse();
        _inventory.Items.Should().ContainSingle(i => i.Id == $"{Path}/ca" && i.Kind == ResourceKinds.SecretParameter);
        pass.Errors.Should().ContainSingle(e => e.Contains("AccessDeniedException"));
    }

    [Fact]
    public async Task A_throttled_create_is_retried_by_the_workflow_and_a_refused_one_rolls_back()
    {
        var kind = new SecretParameterKind(await ResourcesAsync(_cloud, _inventory));
        Store.Fail("create", "ThrottlingException", transient: true);
        await FluentActions.Awaiting(() => kind.EnsureAsync(() => Generated, "vpc-1", Ct)).Should().ThrowAsync<TransientCloudException>();

        Store.Fail("create", "AccessDeniedException");
        await FluentActions.Awaiting(() => kind.EnsureAsync(() => Generated, "vpc-1", Ct)).Should().ThrowAsync<ProvisioningFailedException>().WithMessage("*AccessDeniedException*");
        _inventory.Items.Where(i => i.Kind == ResourceKinds.SecretParameter).Should().HaveCount(3, "each name was recorded before its create");
    }
}
