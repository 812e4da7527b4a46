using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Domain.Tests;

public class CronScheduleTests
{
    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);

    [Theory]
    [InlineData("*/5 * * * *", "2026-12-07T08:03:20Z", "2026-12-07T08:05:00Z")]
    [InlineData("*/5 * * * *", "2026-12-07T08:05:00Z", "2026-12-07T08:10:00Z")]
    [InlineData("0 3 * * SUN", "2026-12-07T08:00:00Z", "2026-12-13T03:00:00Z")]
    [InlineData("0 3 * * 7", "2026-12-07T08:00:00Z", "2026-12-13T03:00:00Z")]
    [InlineData("30 23 31 12 *", "2026-12-31T23:30:00Z", "2027-12-31T23:30:00Z")]
    [InlineData("0 0 29 2 *", "2026-03-01T00:00:00Z", "2028-02-29T00:00:00Z")]
    [InlineData("0 12 * * MON-FRI", "2026-12-11T12:00:00Z", "2026-12-14T12:00:00Z")]
    [InlineData("15/20 * * * *", "2026-12-07T08:56:00Z", "2026-12-07T09:15:00Z")]
    [InlineData("0 1-5/2 * * *", "2026-12-07T01:00:00Z", "2026-12-07T03:00:00Z")]
    [InlineData("0 0 * JAN,jul *", "2026-12-07T00:00:00Z", "2027-01-01T00:00:00Z")]
    public void Next_is_the_first_occurrence_strictly_after(string expression, string after, string expected)
    {
        CronSchedule.Parse(expression).Next(At(after)).Should().Be(At(expected));
    }

    [Fact]
    public void Day_of_month_and_day_of_week_both_restricted_match_either()
    {
        // The 1st of the month or any Monday (cron's rule): after Thu 2026-12-03, Monday the 7th comes before the 1st.
        var schedule = CronSchedule.Parse("0 0 1 * MON");
        schedule.Next(At("2026-12-03T00:00:00Z")).Should().Be(At("2026-12-07T00:00:00Z"));
        schedule.Next(At("2026-12-28T00:00:00Z")).Should().Be(At("2027-01-01T00:00:00Z"));
    }

    [Fact]
    public void An_expression_that_never_occurs_has_no_next()
    {
        CronSchedule.Parse("0 0 30 2 *").Next(At("2026-01-01T00:00:00Z")).Should().BeNull();
        CronSchedule.Parse("0 0 31 4 *").Previous(At("2026-01-01T00:00:00Z")).Should().BeNull();
    }

    [Theory]
    [InlineData("*/5 * * * *", "2026-12-07T08:07:59Z", "2026-12-07T08:05:00Z")]
    [InlineData("*/5 * * * *", "2026-12-07T08:05:00Z", "2026-12-07T08:05:00Z")]
    [InlineData("0 3 * * SUN", "2026-12-07T08:00:00Z", "2026-12-06T03:00:00Z")]
    [InlineData("0 0 1 1 *", "2026-12-07T08:00:00Z", "2026-01-01T00:00:00Z")]
    public void Previous_is_the_last_occurrence_at_or_before(string expression, string at, string expected)
    {
        CronSchedule.Parse(expression).Previous(At(at)).Should().Be(At(expected));
    }

    [Fact]
    public void Due_since_the_last_run_is_the_latest_occurrence_since_it()
    {
        var every5 = CronSchedule.Parse("*/5 * * * *");
        // The run at 08:05 was for 08:05: nothing is due until 08:10.
        every5.DueSince(At("2026-12-07T08:05:00Z"), At("2026-12-07T08:09:59Z")).Should().BeNull();
        every5.DueSince(At("2026-12-07T08:05:00Z"), At("2026-12-07T08:10:00Z")).Should().Be(At("2026-12-07T08:10:00Z"));
        // Occurrences missed while nothing checked are one run, for the latest of them.
        every5.DueSince(At("2026-12-07T08:05:00Z"), At("2026-12-07T09:42:00Z")).Should().Be(At("2026-12-07T09:40:00Z"));
        // A weekly schedule set on Monday is not due before Sunday.
        var weekly = CronSchedule.Parse("0 3 * * SUN");
        weekly.DueSince(At("2026-12-07T08:00:00Z"), At("2026-12-12T23:59:00Z")).Should().BeNull();
        weekly.DueSince(At("2026-12-07T08:00:00Z"), At("2026-12-13T03:00:30Z")).Should().Be(At("2026-12-13T03:00:00Z"));
    }

    [Fact]
    public void Every_occurrence_matches_and_what_lies_between_does_not()
    {
        var schedule = CronSchedule.Parse("10,40 */6 * * MON-FRI");
        var t = At("2026-12-04T00:00:00Z");
        for (var i = 0; i < 20; i++)
        {
            var next = schedule.Next(t)!.Value;
            schedule.Matches(next).Should().BeTrue();
            for (var m = t.AddMinutes(1); m < next; m = m.AddMinutes(1))
                schedule.Matches(m).Should().BeFalse($"{m:O} lies between {t:O} and the next occurrence {next:O}");
            t = next;
        }
    }

    [Theory]
    [InlineData("weekly")]
    [InlineData("60 * * * *")]
    public void What_validation_refuses_does_not_parse(string expression)
    {
        FluentActions.Invoking(() => CronSchedule.Parse(expression)).Should().Throw<FormatException>();
    }
}
