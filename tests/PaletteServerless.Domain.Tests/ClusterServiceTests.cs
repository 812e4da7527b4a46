using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Profiles;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Domain.Tests;

/// <summary>The service's races and time rules, on in-memory stores that can play a concurrent writer.</summary>
public class ClusterServiceTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 1, 0, 0, TimeSpan.Zero);
    private static readonly ProjectScope Scope = new("acme", "web");
    private static readonly Caller Editor = new("alice", "acme", ["project-editor:web"]);

    private readonly MemoryClusterStore _clusters = new();
    private readonly MemoryReferences _references = new();
    private readonly CountingWorkflows _workflows = new();
    private readonly ManualClock _clock = new(Start);

    private ClusterService Service => new(_clusters, _references, _references, _workflows, new UnusedForceDeleter(), new NoProblems(), _clock);

    [Fact]
    public async Task Create_records_the_execution_even_when_the_workflow_wrote_status_first()
    {
        // The provisioning workflow may already move the cluster on before the API stores the execution ARN.
        _workflows.OnProvision = cluster => _clusters.Put(cluster with { Status = ClusterStatus.Provisioning, Version = cluster.Version + 1 });

        var created = await Service.CreateAsync(Editor, Scope, Specs.Valid(), None);

        created.ProvisionExecutionArn.Should().Be($"provision-{created.Uid}");
        created.Status.Should().Be(ClusterStatus.Provisioning, "the workflow's update is kept, not overwritten");
        created.Version.Should().Be(3);
        created.Generation.Should().Be(1, "a new cluster's spec is generation 1; status writes do not move it");
        created.ObservedGeneration.Should().Be(0, "no workflow has brought the cloud to it yet");
    }

    [Fact]
    public async Task A_delete_that_loses_the_race_to_another_delete_is_the_same_no_op()
    {
        var created = await Service.CreateAsync(Editor, Scope, Specs.Valid(), None);
        // Between this delete's read and its write, another delete moves the cluster to Deleting.
        _clusters.BeforeNextUpdate = () => _clusters.Put(created with { Status = ClusterStatus.Deleting, Version = created.Version + 1 });

        var result = await Service.DeleteAsync(Editor, Scope, "demo", "demo", None);

        result.Status.Should().Be(ClusterStatus.Deleting);
        _workflows.Deletions.Should().BeLessThanOrEqualTo(1, "at most a repeat of the other delete's start, which its execution name makes the same execution");
    }

    [Fact]
    public async Task A_delete_of_a_cluster_left_Deleting_without_its_workflow_starts_the_workflow()
    {
        var created = await Service.CreateAsync(Editor, Scope, Specs.Valid(), None);
        // An earlier delete stored Deleting, then could not start the workflow (503) and stored no execution.
        _clusters.Put(created with { Status = ClusterStatus.Deleting, DeleteExecutionArn = null, Version = created.Version + 1 });

        var result = await Service.DeleteAsync(Editor, Scope, "demo", "demo", None);

        result.Status.Should().Be(ClusterStatus.Deleting);
        _workflows.Deletions.Should().Be(1);
    }

    [Fact]
    public async Task A_delete_of_a_cluster_whose_delete_workflow_runs_starts_nothing()
    {
        var created = await Service.CreateAsync(Editor, Scope, Specs.Valid(), None);
        _clusters.Put(created with { Status = ClusterStatus.Deleting, DeleteExecutionArn = "delete-" + created.Uid, Version = created.Version + 1 });

        await Service.DeleteAsync(Editor, Scope, "demo", "demo", None);

        _workflows.Deletions.Should().Be(0);
    }

    [Fact]
    public async Task A_delete_that_loses_the_race_to_a_workflow_write_reads_again_and_deletes()
    {
        var created = await Service.CreateAsync(Editor, Scope, Specs.Valid(), None);
        _clusters.BeforeNextUpdate = () => _clusters.Put(created with { Status = ClusterStatus.Running, Version = created.Version + 1 });

        var result = await Service.DeleteAsync(Editor, Scope, "demo", "demo", None);

        result.Status.Should().Be(ClusterStatus.Deleting);
        result.Version.Should().Be(created.Version + 3, "the workflow's write, the delete, the execution ARN");
        _workflows.Deletions.Should().Be(1);
    }

    [Fact]
    public async Task A_delete_with_an_expected_version_that_loses_the_race_is_a_conflict()
    {
        var created = await Service.CreateAsync(Editor, Scope, Specs.Valid(), None);
        _clusters.BeforeNextUpdate = () => _clusters.Put(created with { Status = ClusterStatus.Running, Version = created.Version + 1 });

        var delete = () => Service.DeleteAsync(Editor, Scope, "demo", "demo", created.Version, None);

        await delete.Should().ThrowAsync<ConflictException>();
        _workflows.Deletions.Should().Be(0);
    }

    [Fact]
    public async Task Delete_sets_the_force_delete_time_15_minutes_on()
    {
        await Service.CreateAsync(Editor, Scope, Specs.Valid(), None);
        _clock.Now = Start.AddMinutes(3);

        var deleting = await Service.DeleteAsync(Editor, Scope, "demo", "demo", None);

        deleting.DeletingSince.Should().Be(Start.AddMinutes(3));
        deleting.ForceDeleteAvailableAt.Should().Be(Start.AddMinutes(18));
        deleting.DeleteExecutionArn.Should().Be($"delete-{deleting.Uid}");
    }

    [Fact]
    public async Task Stale_expected_version_is_a_conflict_and_nothing_changes()
    {
        var created = await Service.CreateAsync(Editor, Scope, Specs.Valid(), None);

        var delete = () => Service.DeleteAsync(Editor, Scope, "demo", "demo", created.Version - 1, None);

        await delete.Should().ThrowAsync<ConflictException>().WithMessage("*stale*");
        (await _clusters.GetAsync(Scope, "demo", None))!.Status.Should().Be(ClusterStatus.Pending);
        _workflows.Deletions.Should().Be(0);
    }

    [Fact]
    public void Force_delete_wait_counts_down_from_15_minutes_in_deleting_only()
    {
        var deleting = new Cluster
        {
            Scope = Scope, Uid = "u", Spec = Specs.Valid(), Status = ClusterStatus.Deleting,
            DeletingSince = Start, ForceDeleteAvailableAt = Start + ClusterService.ForceDeleteDelay,
        };

        ClusterService.ForceDeleteWaitLeft(deleting, Start).Should().Be(TimeSpan.FromMinutes(15));
        ClusterService.ForceDeleteWaitLeft(deleting, Start.AddMinutes(14).AddSeconds(59)).Should().Be(TimeSpan.FromSeconds(1));
        ClusterService.ForceDeleteWaitLeft(deleting, Start.AddMinutes(15)).Should().Be(TimeSpan.Zero);
        ClusterService.ForceDeleteWaitLeft(deleting, Start.AddHours(5)).Should().Be(TimeSpan.Zero);
        foreach (var status in ClusterStatus.All.Where(s => s != ClusterStatus.Deleting))
            FluentActions.Invoking(() => ClusterService.ForceDeleteWaitLeft(deleting with { Status = status }, Start.AddHours(1)))
                .Should().Throw<ConflictException>(status);
    }

    [Theory]
    [InlineData("Pending", "Provisioning", true)]
    [InlineData("Pending", "Deleting", true)]
    [InlineData("Provisioning", "Running", true)]
    [InlineData("Provisioning", "Failed", true)]
    [InlineData("Running", "Deleting", true)]
    [InlineData("Failed", "Deleting", true)]
    [InlineData("Deleting", "Deleted", true)]
    [InlineData("Running", "Pending", false)]
    [InlineData("Deleted", "Pending", false)]
    [InlineData("Deleting", "Running", false)]
    [InlineData("Failed", "Running", false)]
    public void Status_moves_follow_the_life_cycle(string from, string to, bool allowed)
    {
        ClusterStatus.CanMove(from, to).Should().Be(allowed);
    }

    // ---- fakes ----

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary>Clusters in memory with the store's version rule; <see cref="BeforeNextUpdate"/> plays a concurrent writer.</summary>
    private sealed class MemoryClusterStore : IClusterStore
    {
        private readonly Dictionary<string, Cluster> _items = [];

        public Action? BeforeNextUpdate { get; set; }

        public void Put(Cluster cluster) => _items[cluster.Name] = cluster;

        public Task<Cluster?> GetAsync(ProjectScope scope, string name, CancellationToken ct) => Task.FromResult(_items.GetValueOrDefault(name));

        public Task CreateAsync(Cluster cluster, CancellationToken ct)
        {
            if (_items.TryGetValue(cluster.Name, out var existing) && existing.Status != ClusterStatus.Deleted)
                throw new ConflictException("exists");
            Put(cluster);
            return Task.CompletedTask;
        }

        public Task<Cluster> UpdateAsync(Cluster cluster, long expectedVersion, CancellationToken ct)
        {
            var before = BeforeNextUpdate;
            BeforeNextUpdate = null;
            before?.Invoke();
            if (!_items.TryGetValue(cluster.Name, out var current) || current.Version != expectedVersion)
                throw new ConflictException("stale");
            var updated = cluster with { Version = expectedVersion + 1 };
            Put(updated);
            return Task.FromResult(updated);
        }

        public Task<Page<Cluster>> ListAsync(ProjectScope scope, bool includeDeleted, string? cursor, int limit, CancellationToken ct) =>
            Task.FromResult(new Page<Cluster>([.. _items.Values], null));

        public Task<bool> AnyLiveUsesAsync(ProjectScope scope, Func<ClusterSpec, bool> uses, CancellationToken ct) =>
            Task.FromResult(_items.Values.Any(c => ClusterStatus.IsLive(c.Status) && uses(c.Spec)));

        public Task AddEventAsync(Cluster cluster, ClusterEvent clusterEvent, CancellationToken ct) => Task.CompletedTask;

        public Task<Page<ClusterEvent>> ListEventsAsync(Cluster cluster, string? cursor, int limit, CancellationToken ct) =>
            Task.FromResult(new Page<ClusterEvent>([], null));
    }

    /// <summary>The account and profile that <see cref="Specs.Valid"/> refers to.</summary>
    private sealed class MemoryReferences : ICloudAccountStore, IProfileStore
    {
        private static readonly ClusterProfile Profile = new()
        {
            Name = "ubuntu-k8s",
            Version = "1.0.0",
            Packs = [new Pack { Layer = "os", Name = "ubuntu", Version = "22.04" }],
        };

        Task<CloudAccount?> ICloudAccountStore.GetAsync(ProjectScope scope, string name, CancellationToken ct) =>
            Task.FromResult<CloudAccount?>(name == "prod-account" ? new CloudAccount { Name = name } : null);

        Task ICloudAccountStore.CreateAsync(ProjectScope scope, CloudAccount account, CancellationToken ct) => Task.CompletedTask;

        Task<Page<CloudAccount>> ICloudAccountStore.ListAsync(ProjectScope scope, string? cursor, int limit, CancellationToken ct) =>
            Task.FromResult(new Page<CloudAccount>([], null));

        Task<bool> ICloudAccountStore.DeleteAsync(ProjectScope scope, string name, CancellationToken ct) => Task.FromResult(false);

        Task<ClusterProfile?> IProfileStore.GetAsync(ProjectScope scope, string name, string version, CancellationToken ct) =>
            Task.FromResult<ClusterProfile?>(name == Profile.Name && version == Profile.Version ? Profile : null);

        Task<IReadOnlyList<ClusterProfile>> IProfileStore.VersionsAsync(ProjectScope scope, string name, CancellationToken ct) =>
            Task.FromResult<IReadOnlyList<ClusterProfile>>(name == Profile.Name ? [Profile] : []);

        Task IProfileStore.CreateAsync(ProjectScope scope, ClusterProfile profile, CancellationToken ct) => Task.CompletedTask;

        Task<Page<ClusterProfile>> IProfileStore.ListAsync(ProjectScope scope, string? cursor, int limit, CancellationToken ct) =>
            Task.FromResult(new Page<ClusterProfile>([], null));

        Task<bool> IProfileStore.DeleteAsync(ProjectScope scope, string name, string version, CancellationToken ct) => Task.FromResult(false);
    }

    private sealed class CountingWorkflows : IWorkflowStarter
    {
        public Action<Cluster>? OnProvision { get; set; }
        public int Deletions { get; private set; }

        public Task<string> StartProvisioningAsync(Cluster cluster, CancellationToken ct)
        {
            OnProvision?.Invoke(cluster);
            return Task.FromResult($"provision-{cluster.Uid}");
        }

        public Task<string> StartDeletionAsync(Cluster cluster, CancellationToken ct)
        {
            Deletions++;
            return Task.FromResult($"delete-{cluster.Uid}");
        }

        public Task<string> StartUpdateAsync(Cluster cluster, CancellationToken ct) => Task.FromResult($"update-{cluster.Uid}-{cluster.UpdateRuns}");
    }

    private sealed class UnusedForceDeleter : IForceDeleter
    {
        public Task<string> StartAsync(Cluster cluster, Caller caller, CancellationToken ct) =>
            throw new InvalidOperationException("force delete is not part of these tests");
    }

    private sealed class NoProblems : IPreflight
    {
        public Task<IReadOnlyList<string>> CheckAsync(Cluster cluster, CloudAccount account, CancellationToken ct) =>
            Task.FromResult<IReadOnlyList<string>>([]);
    }
}
