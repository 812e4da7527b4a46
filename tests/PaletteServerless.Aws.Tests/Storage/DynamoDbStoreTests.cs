using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using PaletteServerless.Aws.Storage;
using PaletteServerless.Domain;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Profiles;
using PaletteServerless.Testing;

namespace PaletteServerless.Aws.Tests.Storage;

/// <summary>A clock the test sets by hand.</summary>
internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

public class DynamoDbStoreTests(StoreFixture table) : IClassFixture<StoreFixture>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 1, 0, 0, TimeSpan.Zero);

    private readonly ManualClock _clock = new(Start);
    private readonly ProjectScope _scope = new("t" + Guid.NewGuid().ToString("N")[..10], "web");
    private DynamoDbStore Store => new(table.Dynamo, StoreFixture.TableName, _clock);
    private IClusterStore Clusters => Store;
    private ICloudAccountStore Accounts => Store;
    private IProfileStore Profiles => Store;

    private Cluster NewCluster(string name, ProjectScope? scope = null, string status = ClusterStatus.Pending) => new()
    {
        Scope = scope ?? _scope,
        Uid = Guid.NewGuid().ToString("N"),
        Spec = ClusterSpecValidator.Validate(new ClusterSpec
        {
            Name = name,
            Tags = new() { ["team"] = "platform" },
            CloudAccount = "prod",
            Profile = new ProfileReference { Name = "ubuntu-k8s", Version = "1.0.0", PackValues = new() { ["cilium"] = "a: 1" } },
            Cloud = new CloudSpec { Region = "us-east-1", SshKeyName = "ops" },
            NodePools =
            [
                new NodePoolSpec { Name = "cp", Role = "control-plane", Count = 1, InstanceType = "m5.large", AvailabilityZones = ["us-east-1a"] },
                new NodePoolSpec
                {
                    Name = "workers", Role = "worker", Count = 3, InstanceType = "m5.large", AvailabilityZones = ["us-east-1a"],
                    CapacityType = "spot", MaxSpotPrice = 0.125m, Taints = [new TaintSpec { Key = "gpu", Effect = "NoSchedule" }],
                },
            ],
        }),
        Status = status,
        CreatedAt = _clock.Now,
        UpdatedAt = _clock.Now,
        Version = 1,
    };

    private async Task<Cluster> MarkDeletedAsync(Cluster cluster) =>
        await Clusters.UpdateAsync(cluster with { Status = ClusterStatus.Deleted, DeletedAt = _clock.Now }, cluster.Version, None);

    private async Task<List<string>> AllNamesAsync(Func<string?, Task<(IEnumerable<string> Names, string? Next)>> page)
    {
        var names = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var (items, next) = await page(cursor);
            names.AddRange(items);
            cursor = next;
            pages++;
        }
        while (cursor is not null && pages < 50);
        return names;
    }

    // ---- conditional writes ----

    [Fact]
    public async Task A_cluster_round_trips_with_every_field()
    {
        var cluster = NewCluster("demo") with
        {
            StatusReason = "why",
            Conditions = [new ClusterCondition { Type = "VpcReady", Status = "True", Reason = "Created", LastTransitionTime = Start }],
            ProvisionExecutionArn = "arn:aws:states:us-east-1:123456789012:execution:provision:x",
        };
        await Clusters.CreateAsync(cluster, None);

        var read = await Clusters.GetAsync(_scope, "demo", None);

        read.Should().BeEquivalentTo(cluster);
    }

    [Fact]
    public async Task Creating_a_live_name_twice_is_a_conflict()
    {
        await Clusters.CreateAsync(NewCluster("demo"), None);

        var again = () => Clusters.CreateAsync(NewCluster("demo"), None);

        await again.Should().ThrowAsync<ConflictException>().WithMessage("*demo*already exists*");
    }

    [Fact]
    public async Task A_deleted_clusters_name_may_be_taken_again()
    {
        var old = NewCluster("reused");
        await Clusters.CreateAsync(old, None);
        await MarkDeletedAsync(old);

        var fresh = NewCluster("reused");
        await Clusters.CreateAsync(fresh, None);

        (await Clusters.GetAsync(_scope, "reused", None))!.Uid.Should().Be(fresh.Uid);
    }

    [Fact]
    public async Task Update_checks_the_version_and_bumps_it()
    {
        var cluster = NewCluster("versioned");
        await Clusters.CreateAsync(cluster, None);

        var updated = await Clusters.UpdateAsync(cluster with { Status = ClusterStatus.Provisioning }, 1, None);
        var stale = () => Clusters.UpdateAsync(cluster with { Status = ClusterStatus.Failed }, 1, None);

        updated.Version.Should().Be(2);
        await stale.Should().ThrowAsync<ConflictException>().WithMessage("*stale*");
        var stored = await Clusters.GetAsync(_scope, "versioned", None);
        stored!.Status.Should().Be(ClusterStatus.Provisioning);
        stored.Version.Should().Be(2);
    }

    [Fact]
    public async Task Concurrent_writers_of_one_version_never_lose_an_update_silently()
    {
        var cluster = NewCluster("contested");
        await Clusters.CreateAsync(cluster, None);

        var attempts = Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            try
            {
                await Clusters.UpdateAsync(cluster with { StatusReason = $"writer {i}" }, 1, None);
                return true;
            }
            catch (ConflictException)
            {
                return false;
            }
        }));
        var results = await Task.WhenAll(attempts);

        results.Count(won => won).Should().Be(1);
        (await Clusters.GetAsync(_scope, "contested", None))!.Version.Should().Be(2);
    }

    [Fact]
    public async Task Update_of_a_missing_cluster_is_a_conflict()
    {
        var ghost = () => Clusters.UpdateAsync(NewCluster("ghost"), 1, None);
        await ghost.Should().ThrowAsync<ConflictException>();
    }

    // ---- lists, cursors, deleted ----

    [Fact]
    public async Task Lists_page_with_cursors_in_name_order()
    {
        var names = Enumerable.Range(0, 7).Select(i => $"cluster-{i}").ToList();
        foreach (var name in names.AsEnumerable().Reverse())
            await Clusters.CreateAsync(NewCluster(name), None);

        var pages = new List<int>();
        var listed = await AllNamesAsync(async cursor =>
        {
            var page = await Clusters.ListAsync(_scope, includeDeleted: false, cursor, 3, None);
            pages.Add(page.Items.Count);
            return (page.Items.Select(c => c.Name), page.NextCursor);
        });

        listed.Should().Equal(names);
        pages.Take(2).Should().Equal(3, 3);
        pages.Should().OnlyContain(count => count <= 3);
    }

    [Fact]
    public async Task Deleted_clusters_are_hidden_unless_asked_for_and_expire_after_72_hours()
    {
        await Clusters.CreateAsync(NewCluster("alive"), None);
        var doomed = NewCluster("doomed");
        await Clusters.CreateAsync(doomed, None);
        _clock.Now = Start.AddMinutes(30);
        await MarkDeletedAsync(doomed);

        (await Clusters.ListAsync(_scope, false, null, 10, None)).Items.Select(c => c.Name).Should().Equal("alive");
        (await Clusters.ListAsync(_scope, true, null, 10, None)).Items.Select(c => c.Name).Should().Equal("alive", "doomed");
        (await Clusters.GetAsync(_scope, "doomed", None))!.Status.Should().Be(ClusterStatus.Deleted);

        var item = await RawItemAsync("CLUSTER#doomed");
        item[TableSchema.TimeToLiveAttribute].N.Should().Be((Start.AddMinutes(30) + TimeSpan.FromHours(72)).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        (await RawItemAsync("CLUSTER#alive")).Should().NotContainKey(TableSchema.TimeToLiveAttribute, "a live cluster never expires");
    }

    [Fact]
    public async Task A_page_is_filled_past_deleted_clusters()
    {
        for (var i = 0; i < 6; i++)
        {
            var cluster = NewCluster($"a-dead-{i}");
            await Clusters.CreateAsync(cluster, None);
            await MarkDeletedAsync(cluster);
        }
        await Clusters.CreateAsync(NewCluster("b-live-1"), None);
        await Clusters.CreateAsync(NewCluster("b-live-2"), None);

        var page = await Clusters.ListAsync(_scope, false, null, 2, None);

        page.Items.Select(c => c.Name).Should().Equal("b-live-1", "b-live-2");
    }

    [Theory]
    [InlineData("%%%")]
    [InlineData("QUNDT1VOVCNwcm9k")]
    [InlineData("")]
    public async Task A_cursor_the_list_did_not_return_is_refused(string cursor)
    {
        var list = () => Clusters.ListAsync(_scope, false, cursor, 10, None);
        if (cursor.Length == 0)
        {
            // No cursor means the first page.
            await list.Should().NotThrowAsync();
            return;
        }
        (await list.Should().ThrowAsync<ValidationFailedException>()).Which.Errors.Should().ContainSingle().Which.Field.Should().Be("cursor");
    }

    [Fact]
    public async Task An_accounts_cursor_is_not_a_clusters_cursor()
    {
        for (var i = 0; i < 3; i++)
            await Accounts.CreateAsync(_scope, new CloudAccount { Name = $"acct-{i}" }, None);
        var accountsPage = await Accounts.ListAsync(_scope, null, 1, None);
        accountsPage.NextCursor.Should().NotBeNull();

        var misuse = () => Clusters.ListAsync(_scope, false, accountsPage.NextCursor, 10, None);

        await misuse.Should().ThrowAsync<ValidationFailedException>();
    }

    // ---- isolation ----

    [Fact]
    public async Task Another_projects_or_tenants_records_are_invisible()
    {
        var otherProject = _scope with { Project = "api" };
        var otherTenant = _scope with { Tenant = "x" + _scope.Tenant };
        await Clusters.CreateAsync(NewCluster("mine"), None);
        await Accounts.CreateAsync(_scope, new CloudAccount { Name = "prod" }, None);
        await Profiles.CreateAsync(_scope, new ClusterProfile { Name = "ubuntu-k8s", Version = "1.0.0", Packs = [] }, None);

        foreach (var scope in new[] { otherProject, otherTenant })
        {
            (await Clusters.GetAsync(scope, "mine", None)).Should().BeNull();
            (await Clusters.ListAsync(scope, true, null, 10, None)).Items.Should().BeEmpty();
            (await Accounts.GetAsync(scope, "prod", None)).Should().BeNull();
            (await Accounts.ListAsync(scope, null, 10, None)).Items.Should().BeEmpty();
            (await Profiles.GetAsync(scope, "ubuntu-k8s", "1.0.0", None)).Should().BeNull();
            (await Profiles.VersionsAsync(scope, "ubuntu-k8s", None)).Should().BeEmpty();
            (await Profiles.ListAsync(scope, null, 10, None)).Items.Should().BeEmpty();
            (await Accounts.DeleteAsync(scope, "prod", None)).Should().BeFalse();
            (await Clusters.AnyLiveUsesAsync(scope, _ => true, None)).Should().BeFalse();
        }

        // The same names are free there, and taking them changes nothing here.
        await Clusters.CreateAsync(NewCluster("mine", otherTenant), None);
        (await Clusters.ListAsync(_scope, true, null, 10, None)).Items.Should().ContainSingle();
    }

    [Fact]
    public async Task A_cursor_carries_no_partition_so_it_cannot_reach_another_project()
    {
        var otherProject = _scope with { Project = "api" };
        foreach (var name in new[] { "aaa-1", "aaa-2", "aaa-3" })
            await Clusters.CreateAsync(NewCluster(name), None);
        await Clusters.CreateAsync(NewCluster("bbb-1", otherProject), None);
        var mine = await Clusters.ListAsync(_scope, false, null, 1, None);

        var there = await Clusters.ListAsync(otherProject, false, mine.NextCursor, 10, None);

        there.Items.Select(c => c.Name).Should().Equal("bbb-1");
    }

    // ---- events ----

    [Fact]
    public async Task Events_list_oldest_first_per_cluster_life_and_expire_after_30_days()
    {
        var cluster = NewCluster("evented");
        await Clusters.CreateAsync(cluster, None);
        var late = new ClusterEvent { Id = "2", At = Start.AddSeconds(2), Type = "Normal", Reason = "Second", Message = "m" };
        var early = new ClusterEvent { Id = "1", At = Start.AddSeconds(1), Type = "Normal", Reason = "First", Message = "m" };
        var sameTick = new ClusterEvent { Id = "3", At = Start.AddSeconds(2), Type = "Warning", Reason = "Third", Message = "m" };
        await Clusters.AddEventAsync(cluster, late, None);
        await Clusters.AddEventAsync(cluster, early, None);
        await Clusters.AddEventAsync(cluster, sameTick, None);

        var events = await AllNamesAsync(async cursor =>
        {
            var page = await Clusters.ListEventsAsync(cluster, cursor, 2, None);
            return (page.Items.Select(e => e.Reason), page.NextCursor);
        });

        events.Should().Equal("First", "Second", "Third");

        // A new cluster of the same name (another uid) starts with no events.
        await MarkDeletedAsync((await Clusters.GetAsync(_scope, "evented", None))!);
        var reborn = NewCluster("evented");
        await Clusters.CreateAsync(reborn, None);
        (await Clusters.ListEventsAsync(reborn, null, 10, None)).Items.Should().BeEmpty();

        var scan = await table.Dynamo.QueryAsync(new QueryRequest
        {
            TableName = StoreFixture.TableName,
            KeyConditionExpression = "pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues = new()
            {
                [":pk"] = new AttributeValue(TableSchema.ProjectPartition(_scope.Tenant, _scope.Project)),
                [":prefix"] = new AttributeValue($"EVENT#{cluster.Uid}#"),
            },
        });
        scan.Items.Should().HaveCount(3).And.OnlyContain(i => i.ContainsKey(TableSchema.TimeToLiveAttribute));
        long.Parse(scan.Items[0][TableSchema.TimeToLiveAttribute].N, System.Globalization.CultureInfo.InvariantCulture)
            .Should().Be(early.At.AddDays(30).ToUnixTimeSeconds());
    }

    [Fact]
    public async Task Kubeconfig_records_list_oldest_first_per_cluster_life_filter_by_who_and_expire_30_days_after_their_certificate()
    {
        IKubeconfigRecords records = Store;
        var cluster = NewCluster("issued");
        await Clusters.CreateAsync(cluster, None);
        KubeconfigRecord Issue(string to, int minute, string serial) => new()
        {
            Subject = "palette:user:" + to, Group = "palette:viewers", SerialNumber = serial,
            IssuedAt = Start.AddMinutes(minute), ExpiresAt = Start.AddMinutes(minute).AddHours(12), IssuedBy = to,
        };
        await records.AddAsync(cluster, Issue("bob", 2, "0B"), None);
        await records.AddAsync(cluster, Issue("alice", 1, "0A"), None);
        await records.AddAsync(cluster, Issue("alice", 3, "0C"), None);

        var all = await AllNamesAsync(async cursor =>
        {
            var page = await records.ListAsync(cluster, null, cursor, 2, None);
            return (page.Items.Select(r => r.SerialNumber), page.NextCursor);
        });
        var alices = await records.ListAsync(cluster, "alice", null, 10, None);

        all.Should().Equal("0A", "0B", "0C");
        alices.Items.Select(r => r.SerialNumber).Should().Equal("0A", "0C");
        alices.Items[0].Should().Be(Issue("alice", 1, "0A"));

        await MarkDeletedAsync((await Clusters.GetAsync(_scope, "issued", None))!);
        var reborn = NewCluster("issued");
        await Clusters.CreateAsync(reborn, None);
        (await records.ListAsync(reborn, null, null, 10, None)).Items.Should().BeEmpty("a new cluster of the same name has issued nothing");

        var items = await table.Dynamo.QueryAsync(new QueryRequest
        {
            TableName = StoreFixture.TableName,
            KeyConditionExpression = "pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues = new()
            {
                [":pk"] = new AttributeValue(TableSchema.ProjectPartition(_scope.Tenant, _scope.Project)),
                [":prefix"] = new AttributeValue($"KUBECONFIG#{cluster.Uid}#"),
            },
        });
        long.Parse(items.Items[0][TableSchema.TimeToLiveAttribute].N, System.Globalization.CultureInfo.InvariantCulture)
            .Should().Be(Start.AddMinutes(1).AddHours(12).AddDays(30).ToUnixTimeSeconds());
    }

    // ---- accounts and profiles ----

    [Fact]
    public async Task Accounts_and_profiles_are_created_once_and_deleted_once()
    {
        var account = new CloudAccount { Name = "prod", RoleArn = "arn:aws:iam::123456789012:role/r", ExternalId = "ext-1", CreatedAt = Start };
        var profile = new ClusterProfile
        {
            Name = "ubuntu-k8s",
            Version = "1.0.0",
            Packs = [new Pack { Layer = "os", Name = "ubuntu", Version = "22.04", Values = "a: 1" }],
            CreatedAt = Start,
        };
        await Accounts.CreateAsync(_scope, account, None);
        await Profiles.CreateAsync(_scope, profile, None);

        (await Accounts.GetAsync(_scope, "prod", None)).Should().BeEquivalentTo(account);
        (await Profiles.GetAsync(_scope, "ubuntu-k8s", "1.0.0", None)).Should().BeEquivalentTo(profile);
        await FluentActions.Awaiting(() => Accounts.CreateAsync(_scope, account, None)).Should().ThrowAsync<ConflictException>();
        await FluentActions.Awaiting(() => Profiles.CreateAsync(_scope, profile, None)).Should().ThrowAsync<ConflictException>();


        (await Accounts.DeleteAsync(_scope, "prod", None)).Should().BeTrue();
        (await Accounts.DeleteAsync(_scope, "prod", None)).Should().BeFalse();
        (await Profiles.DeleteAsync(_scope, "ubuntu-k8s", "1.0.0", None)).Should().BeTrue();
        (await Profiles.DeleteAsync(_scope, "ubuntu-k8s", "1.0.0", None)).Should().BeFalse();
        (await Profiles.VersionsAsync(_scope, "ubuntu-k8s", None)).Should().BeEmpty();
        (await Accounts.GetAsync(_scope, "prod", None)).Should().BeNull();
    }

    [Fact]
    public async Task Only_live_clusters_count_as_users_of_an_account()
    {
        var cluster = NewCluster("user");
        await Clusters.CreateAsync(cluster, None);

        (await Clusters.AnyLiveUsesAsync(_scope, spec => spec.CloudAccount == "prod", None)).Should().BeTrue();
        (await Clusters.AnyLiveUsesAsync(_scope, spec => spec.CloudAccount == "other", None)).Should().BeFalse();

        await MarkDeletedAsync(cluster);
        (await Clusters.AnyLiveUsesAsync(_scope, spec => spec.CloudAccount == "prod", None)).Should().BeFalse();
    }

    [Fact]
    public async Task Table_schema_is_the_one_key_schema_and_creating_it_again_is_harmless()
    {
        await TableSchema.EnsureCreatedAsync(table.Dynamo, StoreFixture.TableName, None);

        var description = (await table.Dynamo.DescribeTableAsync(StoreFixture.TableName)).Table;
        description.KeySchema.Select(k => (k.AttributeName, k.KeyType.Value)).Should().Equal(("pk", "HASH"), ("sk", "RANGE"));
        TableSchema.ProjectPartition("acme", "web").Should().Be("TENANT#acme#PROJECT#web");
    }

    private async Task<Dictionary<string, AttributeValue>> RawItemAsync(string sortKey) =>
        (await table.Dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = StoreFixture.TableName,
            Key = new()
            {
                [TableSchema.PartitionKey] = new AttributeValue(TableSchema.ProjectPartition(_scope.Tenant, _scope.Project)),
                [TableSchema.SortKey] = new AttributeValue(sortKey),
            },
        })).Item;
}
