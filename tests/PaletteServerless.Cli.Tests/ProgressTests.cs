using System.Text.Json.Nodes;
using PaletteServerless.Cli.Watch;

namespace PaletteServerless.Cli.Tests;

public sealed class ProgressTests
{
    private static readonly DateTimeOffset Created = DateTimeOffset.Parse("2026-01-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private static JsonNode Cluster(string status, params (string Type, string Status, string Reason, int Seconds)[] conditions) => new JsonObject
    {
        ["name"] = "c",
        ["status"] = status,
        ["statusReason"] = "why",
        ["createdAt"] = Created.ToString("o"),
        ["updatedAt"] = Created.AddSeconds(100).ToString("o"),
        ["conditions"] = new JsonArray(conditions.Select(c => (JsonNode)new JsonObject
        {
            ["type"] = c.Type,
            ["status"] = c.Status,
            ["reason"] = c.Reason,
            ["message"] = c.Type + " message",
            ["lastTransitionTime"] = Created.AddSeconds(c.Seconds).ToString("o"),
        }).ToArray()),
    };

    [Fact]
    public void Each_condition_is_a_row_done_when_True_with_the_time_since_the_cluster_was_created()
    {
        var rows = Progress.Rows(Cluster("Provisioning", ("VpcReady", "True", "Created", 12), ("NatGatewaysReady", "False", "Pending", 20)), Goal.Running, Created.AddSeconds(90));
        rows.Should().Equal(
            new ProgressRow("VpcReady", RowState.Done, "Created", "VpcReady message", TimeSpan.FromSeconds(12)),
            new ProgressRow("NatGatewaysReady", RowState.Waiting, "Pending", "NatGatewaysReady message", TimeSpan.FromSeconds(90)),
            new ProgressRow("Running", RowState.Waiting, "Provisioning", "why", TimeSpan.FromSeconds(90)));
    }

    [Fact]
    public void A_failed_cluster_marks_what_never_finished_as_failed()
    {
        var rows = Progress.Rows(Cluster("Failed", ("VpcReady", "True", "Created", 12), ("NatGatewaysReady", "False", "Failed", 20)), Goal.Running, Created.AddSeconds(500));
        rows.Select(r => r.State).Should().Equal(RowState.Done, RowState.Failed, RowState.Failed);
        rows[^1].Elapsed.Should().Be(TimeSpan.FromSeconds(100), "the end is when the status last changed");
    }

    [Fact]
    public void A_delete_is_one_row_timed_from_its_Deleting_event_until_deletedAt()
    {
        var deleting = Cluster("Deleting");
        deleting["statusReason"] = "deleting: 3 resource(s) left";
        Progress.Rows(deleting, Goal.Deleted, Created.AddSeconds(130), deleteStartedAt: Created.AddSeconds(100)).Should().Equal(
            new ProgressRow("Deleted", RowState.Waiting, "Deleting", "deleting: 3 resource(s) left", TimeSpan.FromSeconds(30)));

        var deleted = Cluster("Deleted");
        deleted["deletedAt"] = Created.AddSeconds(145).ToString("o");
        Progress.Rows(deleted, Goal.Deleted, Created.AddSeconds(900), deleteStartedAt: Created.AddSeconds(100)).Single()
            .Should().Be(new ProgressRow("Deleted", RowState.Done, "Deleted", "why", TimeSpan.FromSeconds(45)));
    }

    [Theory]
    [InlineData("Pending", "Running", false, false)]
    [InlineData("Provisioning", "Running", false, false)]
    [InlineData("Running", "Running", true, true)]
    [InlineData("Failed", "Running", true, false)]
    [InlineData("Deleting", "Running", true, false)]
    [InlineData("Deleting", "Deleted", false, false)]
    [InlineData("Deleted", "Deleted", true, true)]
    public void Only_the_awaited_end_state_counts_as_reached(string status, string goal, bool over, bool reached) =>
        Progress.Outcome(Cluster(status), Enum.Parse<Goal>(goal)).Should().Be((over, reached));

    [Fact]
    public void A_cluster_that_is_gone_counts_as_Deleted() =>
        Progress.Outcome(null, Goal.Deleted).Should().Be((true, true));
}
