using System.Globalization;
using System.Text.RegularExpressions;
using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.EventBridge;

/// <summary>
/// A rule's <c>rate(value unit)</c> schedule (EventBridge User Guide, "Creating a rule that runs on
/// a schedule"): a positive whole number of minutes, hours or days, the unit singular for 1 and
/// plural otherwise. The local EventBridge does not model <c>cron(...)</c> schedules and refuses them.
/// </summary>
public static partial class ScheduleExpression
{
    [GeneratedRegex(@"^rate\((?<value>[1-9][0-9]*) (?<unit>minute|minutes|hour|hours|day|days)\)$")]
    private static partial Regex RatePattern();

    /// <summary>The modelled period of <paramref name="expression"/>, or AWS's ValidationException.</summary>
    public static TimeSpan Period(string expression)
    {
        if (expression.StartsWith("cron(", StringComparison.Ordinal))
            throw new AwsErrorException("ValidationException", "Parameter ScheduleExpression is not valid: the local EventBridge fires rate(...) schedules only, not cron(...).");
        var match = RatePattern().Match(expression);
        if (!match.Success || !int.TryParse(match.Groups["value"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            throw new AwsErrorException("ValidationException", "Parameter ScheduleExpression is not valid.");
        var unit = match.Groups["unit"].Value;
        if ((value == 1) != !unit.EndsWith('s'))
            throw new AwsErrorException("ValidationException", "Parameter ScheduleExpression is not valid.");
        return unit.TrimEnd('s') switch
        {
            "minute" => TimeSpan.FromMinutes(value),
            "hour" => TimeSpan.FromHours(value),
            _ => TimeSpan.FromDays(value),
        };
    }
}
