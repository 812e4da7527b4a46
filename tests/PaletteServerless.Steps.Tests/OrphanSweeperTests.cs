using NSubstitute;
using PaletteServerless.Aws.Cloud;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;
using static PaletteServerless.Steps.Tests.TestCluster;

namespace PaletteServerless.Steps.Tests;

/// <summary>The orphan sweep through the injected opener: what carries the project's tags but belongs to no live cluster.</summary>
public sealed class OrphanSweeperTests
{
    private readonly FakeCloud _cloud = new();
    private readonly ICloudSessionOpener _sessions = Substitute.For<ICloudSessionOpener>();
    private static readonly ProjectScope Scope = new("acme", "demo");

    public OrphanSweeperTests()
    {
        _sessions.OpenAsync(Arg.Any<CloudAccount>(), "us-east-1", Arg.Any<SessionScope>(), Arg.Any<CancellationToken>()).Returns(_cloud);
        Tagged("arn:aws:ec2:us-east-1:111122223333:vpc/vpc-live", "uid-live", "alive");
        Tagged("arn:aws:ec2:us-east-1:111122223333:vpc/vpc-dead", "uid-dead", "gone");
        _cloud.TaggedResources.Add("arn:aws:ec2:us-east-1:111122223333:vpc/vpc-other-project", new Dictionary<string, string>
        {
            [OwnershipTags.Tenant] = "acme", [OwnershipTags.Project] = "other", [OwnershipTags.ClusterUid] = "uid-other", [OwnershipTags.ClusterName] = "theirs",
        });
    }

    private void Tagged(string arn, string uid, string name) => _cloud.TaggedResources.Add(arn, new Dictionary<string, string>
    {
        [OwnershipTags.Tenant] = "acme", [OwnershipTags.Project] = "demo", [OwnershipTags.ClusterUid] = uid, [OwnershipTags.ClusterName] = name,
    });

    [Fact]
    public async Task Finding_reports_only_what_belongs_to_no_live_cluster_and_removes_nothing()
    {
        var report = await new OrphanSweeper(_sessions, new InMemoryInventory(), TimeProvider.System)
            .FindAsync(Scope, [new CloudAccount { Name = "main" }], ["us-east-1"], new HashSet<string> { "uid-live" }, CancellationToken.None);

        var orphan = report.Leftovers.Should().ContainSingle().Which;
        orphan.Id.Should().Be("vpc-dead");
        orphan.ClusterUid.Should().Be("uid-dead");
        orphan.Account.Should().Be("111122223333");
        _cloud.Network.Calls.Should().NotContain(c => c.StartsWith("DeleteVpc", StringComparison.Ordinal));
        await _sessions.Received(1).OpenAsync(Arg.Is<CloudAccount>(a => a.RoleArn == null), "us-east-1", Arg.Is<SessionScope>(s => s.SessionName == "palette-orphan-sweep" && s.ClusterUid == null && s.Function == "Api"), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Removing_deletes_the_orphan_and_reports_nothing_left()
    {
        _cloud.Network.Seed(new("vpc", "vpc-dead"));
        _cloud.Network.Seed(new("vpc", "vpc-live"));

        var sweeper = new OrphanSweeper(_sessions, new InMemoryInventory(), TimeProvider.System);
        var groups = await sweeper.FindGroupsAsync(Scope, [new CloudAccount { Name = "main" }], ["us-east-1"], new HashSet<string> { "uid-live" }, CancellationToken.None);
        groups.Should().Equal(new OrphanGroup(null, "us-east-1", "uid-dead", "gone"));

        var leftovers = await sweeper.RemoveGroupAsync(Scope, new CloudAccount { Name = "(product account)" }, groups.Single(), CancellationToken.None);

        leftovers.Should().BeEmpty();
        _cloud.Network.Calls.Should().ContainSingle(c => c.StartsWith("DeleteVpc", StringComparison.Ordinal)).Which.Should().Be("DeleteVpc vpc-dead");
        _cloud.Network.Find("vpc-dead").Should().BeNull();
        _cloud.Network.Find("vpc-live").Should().NotBeNull();
    }
}
