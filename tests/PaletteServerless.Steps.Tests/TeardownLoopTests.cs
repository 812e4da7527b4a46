using PaletteServerless.Aws.Cloud;
using PaletteServerless.Steps.Deletion;

namespace PaletteServerless.Steps.Tests;

/// <summary>
/// The teardown loop's decisions between passes: when it is done, when it gives up, how long it waits,
/// and, in a delete, when the 15-minute force-delete timer it carries runs out.
/// </summary>
public sealed class TeardownLoopTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static TeardownResult Pass(int remaining, double? expectedSeconds = null) =>
        new(remaining == 0, remaining, remaining == 0 ? [] : ["instance i-1"], [], [], expectedSeconds is { } s ? Start.AddSeconds(s) : null);

    /// <summary>Runs a delete's loop as the workflow would, with a clock that advances only by the Waits (a time-scaled engine's view).</summary>
    private static List<StepResult> RunDelete(Func<int, TeardownResult> pass, int maxPasses = 500)
    {
        var results = new List<StepResult>();
        StepResult? previous = null;
        var waited = 0;
        for (var i = 0; i < maxPasses; i++)
        {
            // The stored ForceDeleteAvailableAt is far off on this clock: only the Waits count.
            var timer = ForceDeleteTimer.After(previous, Start.AddHours(1), Start.AddSeconds(waited / 100.0));
            var result = TeardownStep.Loop(pass(i), previous, timer, Start);
            results.Add(result);
            if (result.Done == true || result.GaveUp == true)
                break;
            waited += result.WaitSeconds!.Value;
            previous = result;
        }
        return results;
    }

    [Fact]
    public void A_stuck_delete_opens_force_delete_once_after_exactly_15_minutes_of_waits_and_then_gives_up()
    {
        var results = RunDelete(_ => Pass(3));

        results.Count(r => r.ForceDeleteDue == true).Should().Be(1);
        var due = results.FindIndex(r => r.ForceDeleteDue == true);
        results.Take(due).Sum(r => r.WaitSeconds!.Value).Should().Be(900, "force delete opens after 15 minutes, not before and not a Wait later");
        results.Take(due).Should().OnlyContain(r => r.GaveUp == false, "a delete does not stop before force delete has opened");
        results[^1].GaveUp.Should().BeTrue();
        results[^1].StalledPasses.Should().BeGreaterThanOrEqualTo(TeardownStep.StalledPassLimit);
        results[due].GaveUp.Should().BeFalse("the Choice opens force delete first, the pass after gives up");
    }

    [Fact]
    public void A_stalled_delete_waits_out_the_timer_in_one_Wait()
    {
        var results = RunDelete(_ => Pass(3));

        var stalledOut = results.First(r => r.StalledPasses == TeardownStep.StalledPassLimit);
        stalledOut.WaitSeconds.Should().Be(stalledOut.SecondsUntilForceDelete).And.BeGreaterThan(0);
        results.Count.Should().BeLessThan(TeardownStep.StalledPassLimit + 5);
    }

    [Fact]
    public void A_delete_that_moves_keeps_going_after_force_delete_opened_until_it_is_done()
    {
        // One resource goes every 200 s, each pass asking for a minute: done after the timer ran out.
        var results = RunDelete(i => Pass(Math.Max(0, 20 - i / 3), 60));

        results[^1].Done.Should().BeTrue();
        results.Count(r => r.ForceDeleteDue == true).Should().Be(1);
        results.Should().OnlyContain(r => r.GaveUp == false);
    }

    [Fact]
    public void A_delete_done_before_15_minutes_never_opens_force_delete()
    {
        var results = RunDelete(i => Pass(Math.Max(0, 3 - i), 30));

        results[^1].Done.Should().BeTrue();
        results.Should().OnlyContain(r => r.ForceDeleteDue == false);
        results[^1].WaitSeconds.Should().Be(0);
    }

    [Fact]
    public void The_stored_time_opens_force_delete_when_the_passes_themselves_took_the_time()
    {
        var first = TeardownStep.Loop(Pass(3), null, ForceDeleteTimer.After(null, Start.AddMinutes(15), Start.AddMinutes(1)), Start);
        first.SecondsUntilForceDelete.Should().Be(840);

        var timer = ForceDeleteTimer.After(first, Start.AddMinutes(15), Start.AddMinutes(15).AddSeconds(1));

        timer.Should().Be(new ForceDeleteTimer(0, Due: true));
        ForceDeleteTimer.After(TeardownStep.Loop(Pass(3), first, timer, Start), Start.AddMinutes(15), Start.AddMinutes(16)).Due.Should().BeFalse("due once");
    }

    [Fact]
    public void A_later_delete_execution_of_a_cluster_deleting_for_over_15_minutes_opens_force_delete_on_its_first_pass()
    {
        ForceDeleteTimer.After(null, Start, Start.AddMinutes(20)).Should().Be(new ForceDeleteTimer(0, Due: true));
    }

    [Fact]
    public void A_rollback_gives_up_after_the_stalled_pass_limit_and_carries_no_timer()
    {
        StepResult? previous = null;
        var passes = 0;
        StepResult result;
        do
        {
            result = TeardownStep.Loop(Pass(2), previous, null, Start);
            previous = result;
            passes++;
        }
        while (result.GaveUp == false && passes < 100);

        result.GaveUp.Should().BeTrue();
        passes.Should().Be(TeardownStep.StalledPassLimit + 1);
        result.ForceDeleteDue.Should().BeFalse();
        result.SecondsUntilForceDelete.Should().BeNull();
    }
}
