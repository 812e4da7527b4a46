using System.Globalization;

namespace PaletteServerless.Domain.Clusters;

/// <summary>
/// A five-field cron expression (minute hour day-of-month month day-of-week) evaluated as Kubernetes CronJobs and
/// Vixie cron read it, in UTC: <c>*</c>, values, names (JAN-DEC, SUN-SAT, 7 is Sunday too), ranges <c>a-b</c>, lists
/// <c>a,b</c> and steps (<c>*/n</c>, <c>a-b/n</c>, <c>a/n</c> from a to the field's end). When both day-of-month and
/// day-of-week are restricted, a day matches either (cron's rule). What is a valid expression is <see cref="Cron"/>'s.
/// </summary>
public sealed class CronSchedule
{
    /// <summary>How far ahead (and back) an occurrence is looked for: an expression such as "0 0 30 2 *" never occurs.</summary>
    public static readonly TimeSpan SearchLimit = TimeSpan.FromDays(366 * 5);

    private readonly bool[] _minutes = new bool[60];
    private readonly bool[] _hours = new bool[24];
    private readonly bool[] _days = new bool[32];
    private readonly bool[] _months = new bool[13];
    private readonly bool[] _weekdays = new bool[7];
    private readonly bool _anyDay;
    private readonly bool _anyWeekday;

    public string Expression { get; }

    private CronSchedule(string expression)
    {
        Expression = expression;
        var parts = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 5)
            throw new FormatException($"'{expression}' is not a cron expression of five fields");
        Fill(_minutes, parts[0], 0, 59, null);
        Fill(_hours, parts[1], 0, 23, null);
        Fill(_days, parts[2], 1, 31, null);
        Fill(_months, parts[3], 1, 12, MonthNames);
        var weekdays = new bool[8];
        Fill(weekdays, parts[4], 0, 7, DayNames);
        for (var d = 0; d < 7; d++)
            _weekdays[d] = weekdays[d] || (d == 0 && weekdays[7]);
        _anyDay = parts[2].StartsWith('*');
        _anyWeekday = parts[4].StartsWith('*');
    }

    private static readonly string[] MonthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] DayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    /// <exception cref="FormatException">Not an expression <see cref="Cron.Validate"/> accepts.</exception>
    public static CronSchedule Parse(string expression)
    {
        var rules = new Validation.Rules();
        Cron.Validate(rules, "schedule", expression);
        if (rules.Errors.Count > 0)
            throw new FormatException($"'{expression}': {rules.Errors[0].Message}");
        return new CronSchedule(expression);
    }

    /// <summary>Whether the minute of <paramref name="at"/> (UTC) is an occurrence.</summary>
    public bool Matches(DateTimeOffset at)
    {
        var t = at.ToUniversalTime();
        return _minutes[t.Minute] && _hours[t.Hour] && _months[t.Month] && DayMatches(t);
    }

    /// <summary>The first occurrence strictly after <paramref name="after"/> (whole minutes, UTC), or null when none comes within <see cref="SearchLimit"/>.</summary>
    public DateTimeOffset? Next(DateTimeOffset after)
    {
        var t = Minute(after.ToUniversalTime()).AddMinutes(1);
        var limit = t + SearchLimit;
        while (t <= limit)
        {
            if (!_months[t.Month])
                t = new DateTimeOffset(t.Year, t.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
            else if (!DayMatches(t))
                t = new DateTimeOffset(t.Year, t.Month, t.Day, 0, 0, 0, TimeSpan.Zero).AddDays(1);
            else if (!_hours[t.Hour])
                t = new DateTimeOffset(t.Year, t.Month, t.Day, t.Hour, 0, 0, TimeSpan.Zero).AddHours(1);
            else if (!_minutes[t.Minute])
                t = t.AddMinutes(1);
            else
                return t;
        }
        return null;
    }

    /// <summary>The last occurrence at or before <paramref name="at"/> (its minute counts), or null when none within <see cref="SearchLimit"/>.</summary>
    public DateTimeOffset? Previous(DateTimeOffset at)
    {
        var t = Minute(at.ToUniversalTime());
        var limit = t - SearchLimit;
        while (t >= limit)
        {
            if (!_months[t.Month])
                t = new DateTimeOffset(t.Year, t.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(-1);
            else if (!DayMatches(t))
                t = new DateTimeOffset(t.Year, t.Month, t.Day, 0, 0, 0, TimeSpan.Zero).AddMinutes(-1);
            else if (!_hours[t.Hour])
                t = new DateTimeOffset(t.Year, t.Month, t.Day, t.Hour, 0, 0, TimeSpan.Zero).AddMinutes(-1);
            else if (!_minutes[t.Minute])
                t = t.AddMinutes(-1);
            else
                return t;
        }
        return null;
    }

    /// <summary>
    /// The occurrence a scheduled check at <paramref name="now"/> is due to run for, given the last run (or, before any,
    /// when the schedule began): the latest occurrence after <paramref name="since"/> and at or before now, or null when
    /// none has come since. Occurrences missed while nothing checked collapse into the latest one (one run, not many).
    /// </summary>
    public DateTimeOffset? DueSince(DateTimeOffset since, DateTimeOffset now) =>
        Previous(now) is { } latest && latest > since ? latest : null;

    private bool DayMatches(DateTimeOffset t)
    {
        var day = _days[t.Day];
        var weekday = _weekdays[(int)t.DayOfWeek];
        // Cron: both restricted, either matches; one restricted, that one decides.
        return _anyDay && _anyWeekday ? true : _anyDay ? weekday : _anyWeekday ? day : day || weekday;
    }

    private static DateTimeOffset Minute(DateTimeOffset t) => new(t.Year, t.Month, t.Day, t.Hour, t.Minute, 0, TimeSpan.Zero);

    private static void Fill(bool[] allowed, string field, int min, int max, string[]? names)
    {
        foreach (var item in field.Split(','))
        {
            var stepParts = item.Split('/');
            var step = stepParts.Length == 2 ? int.Parse(stepParts[1], CultureInfo.InvariantCulture) : 1;
            int from, to;
            if (stepParts[0] == "*")
                (from, to) = (min, max);
            else
            {
                var bounds = stepParts[0].Split('-');
                from = Value(bounds[0], min, names);
                // "a/n" runs from a to the field's end, as cron reads it.
                to = bounds.Length == 2 ? Value(bounds[1], min, names) : stepParts.Length == 2 ? max : from;
            }
            for (var v = from; v <= to; v += step)
                allowed[v] = true;
        }
    }

    private static int Value(string text, int min, string[]? names) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : Array.IndexOf(names!, text.ToUpperInvariant()) + min;
}
