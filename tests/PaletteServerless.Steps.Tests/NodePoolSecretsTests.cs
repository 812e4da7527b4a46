using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using PaletteServerless.Aws.Clients;
using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Workflows;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Steps.Deletion;
using PaletteServerless.Steps.Provisioning;
using static PaletteServerless.Steps.Tests.TestCluster;

namespace PaletteServerless.Steps.Tests;

/// <summary>
/// The node-pool step stores the cluster's secrets while another branch of the create may fail and
/// its rollback list the parameters: whoever comes second must see the other.
/// </summary>
public sealed class NodePoolSecretsTests
{
    private readonly FakeCloud _cloud = new();
    private readonly InMemoryInventory _inventory = new();
    private readonly IClusterStore _clusters = Substitute.For<IClusterStore>();
    private readonly StepRuntime _runtime;

    public NodePoolSecretsTests()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 1, 0, 0, TimeSpan.Zero));
        _runtime = TestRuntime.Create(_clusters, _inventory, Substitute.For<ICloudSessionOpener>(), clock);
    }

    private async Task<Func<Task<ClusterSecrets>>> StoreSecretsWhileTheClusterIsAsync(Cluster now)
    {
        _clusters.GetAsync(Arg.Any<ProjectScope>(), "demo", Arg.Any<CancellationToken>()).Returns(now);
        var cluster = Create() with { Spec = Create().Spec with { Cloud = Create().Spec.Cloud! with { Placement = null } } };
        var resources = await ResourcesAsync(_cloud, _inventory, cluster);
        await resources.RecordAsync(new Domain.Provisioning.InventoryItem { Kind = ResourceKinds.Vpc, Id = "vpc-1", Role = "common", Name = "vpc-1", RecordedAt = DateTimeOffset.UnixEpoch }, CancellationToken.None);
        return () => NodeSecrets.EnsureAsync(ClusterPlan.Build(cluster), resources, _runtime, CancellationToken.None);
    }

    [Fact]
    public async Task While_the_create_goes_on_the_secrets_stay_stored()
    {
        var store = await StoreSecretsWhileTheClusterIsAsync(Create());

        var secrets = await store();

        secrets.BootstrapToken.Should().NotBeNullOrEmpty();
        _cloud.Parameters.Values.Should().HaveCount(SecretParameters.All.Count);
    }

    [Fact]
    public async Task A_rollback_that_began_while_they_were_stored_gets_them_removed_by_the_step_that_stored_them()
    {
        var rollingBack = Create() with
        {
            Conditions = [new ClusterCondition { Type = TeardownStep.RollingBackCondition, Status = "False", Reason = "CreateFailed", Message = "m", LastTransitionTime = DateTimeOffset.UnixEpoch }],
        };
        var store = await StoreSecretsWhileTheClusterIsAsync(rollingBack);

        await store.Should().ThrowAsync<ClusterStateChangedException>().WithMessage("*rolling back*");

        _cloud.Parameters.Values.Should().BeEmpty("the rollback may have listed the path before they existed");
        _inventory.Items.Should().NotContain(i => i.Kind == ResourceKinds.SecretParameter);
    }

    [Theory]
    [InlineData(ClusterStatus.Deleting)]
    [InlineData(ClusterStatus.Failed)]
    public async Task A_delete_or_a_finished_rollback_gets_them_removed_too(string status)
    {
        var store = await StoreSecretsWhileTheClusterIsAsync(Create() with { Status = status });

        await store.Should().ThrowAsync<ClusterStateChangedException>();

        _cloud.Parameters.Values.Should().BeEmpty();
    }

    private void StoreEarlier()
    {
        foreach (var (parameter, value) in SecretParameters.ValuesOf(ClusterSecrets.Generate("demo", DateTimeOffset.UnixEpoch)))
            _cloud.Parameters.Seed($"{SecretParameters.PathOf(Create())}/{parameter}", value);
    }

    [Fact]
    public async Task A_node_launch_reads_them_without_looking_at_the_cluster_and_never_makes_them()
    {
        StoreEarlier();
        var resources = await ResourcesAsync(_cloud, _inventory);

        var secrets = await NodeSecrets.ReadAsync(resources, CancellationToken.None);

        secrets.BootstrapToken.Should().NotBeNullOrEmpty();
        await _clusters.DidNotReceive().GetAsync(Arg.Any<ProjectScope>(), Arg.Any<string>(), Arg.Any<CancellationToken>());

        _cloud.Parameters.Remove(SecretParameters.NameOf(Create(), SecretParameters.JoinToken));
        await FluentActions.Awaiting(() => NodeSecrets.ReadAsync(resources, CancellationToken.None)).Should()
            .ThrowAsync<ProvisioningFailedException>().WithMessage("*join-token*missing*");
        _cloud.Parameters.Calls.Should().NotContain(c => c.StartsWith("create", StringComparison.Ordinal) || c.StartsWith("write", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_network_step_looks_even_when_a_crashed_attempt_of_its_own_stored_them()
    {
        StoreEarlier();
        var store = await StoreSecretsWhileTheClusterIsAsync(Create() with { Status = ClusterStatus.Deleting });

        await store.Should().ThrowAsync<ClusterStateChangedException>();

        _cloud.Parameters.Values.Should().BeEmpty("the delete may have listed the path before the crashed attempt stored them");
    }
}
