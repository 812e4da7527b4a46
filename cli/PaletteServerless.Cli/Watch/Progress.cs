using System.Text.Json.Nodes;
using PaletteServerless.Cli.Output;

namespace PaletteServerless.Cli.Watch;

/// <summary>The end state a wait is for.</summary>
public enum Goal
{
    Running,
    Deleted,
}

public enum RowState
{
    Waiting,
    Done,
    Failed,
}

/// <summary>One line of the progress display: a condition (or the cluster's status) with its reason and elapsed time.</summary>
public sealed record ProgressRow(string Title, RowState State, string Reason, string Message, TimeSpan Elapsed);

/// <summary>
/// What a cluster's JSON says about the progress towards a goal, as display rows. Pure: the live
/// display and the plain lines both render these.
/// </summary>
public static class Progress
{
    /// <summary>
    /// The rows for a goal at a time. A create's times count from the cluster's createdAt; a
    /// delete's from <paramref name="deleteStartedAt"/> (its Deleting event), as the cluster view has no such field.
    /// </summary>
    public static IReadOnlyList<ProgressRow> Rows(JsonNode cluster, Goal goal, DateTimeOffset now, DateTimeOffset? deleteStartedAt = null)
    {
        var status = cluster.Text("status");
        var reason = cluster.Text("statusReason");
        if (goal == Goal.Deleted)
        {
            var started = deleteStartedAt ?? now;
            var ended = status == "Deleted" ? cluster.Time("deletedAt") ?? cluster.Time("updatedAt") ?? now : now;
            return [new ProgressRow("Deleted", status == "Deleted" ? RowState.Done : RowState.Waiting, status, reason, ended - started)];
        }
        var created = cluster.Time("createdAt") ?? now;
        var failed = status == "Failed";
        var rows = cluster.Items("conditions").Select(c =>
        {
            var done = c.Text("status") == "True";
            var state = done ? RowState.Done : failed ? RowState.Failed : RowState.Waiting;
            var elapsed = (done ? c.Time("lastTransitionTime") ?? now : now) - created;
            return new ProgressRow(c.Text("type"), state, c.Text("reason"), c.Text("message"), elapsed);
        }).ToList();
        var end = status is "Running" or "Failed" ? cluster.Time("updatedAt") ?? now : now;
        rows.Add(new ProgressRow("Running", status == "Running" ? RowState.Done : failed ? RowState.Failed : RowState.Waiting, status, reason, end - created));
        return rows;
    }

    /// <summary>Whether the wait is over, and whether it ended where it was meant to.</summary>
    public static (bool Over, bool Reached) Outcome(JsonNode? cluster, Goal goal)
    {
        var status = cluster?.Text("status");
        return goal switch
        {
            Goal.Running => status switch
            {
                "Running" => (true, true),
                // Updating goes on to Running; a failed update also ends Running, with Updated=False.
                "Failed" or "Deleting" or "Deleted" => (true, false),
                _ => (false, false),
            },
            _ => status switch
            {
                null or "Deleted" => (true, true),
                _ => (false, false),
            },
        };
    }

    public static string Mark(RowState state) => state switch
    {
        RowState.Done => "done",
        RowState.Failed => "FAIL",
        _ => "wait",
    };
}
