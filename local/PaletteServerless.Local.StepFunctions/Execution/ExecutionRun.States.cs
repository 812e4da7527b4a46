using Newtonsoft.Json.Linq;
using PaletteServerless.Local.StepFunctions.Language;

namespace PaletteServerless.Local.StepFunctions.Execution;

// Pass, Choice and Wait, and the Retry loop shared by Task, Parallel and Map.
internal sealed partial class ExecutionRun
{
    private JToken RunPass(PassState pass, JToken input, DateTimeOffset entered)
    {
        var effective = ApplyInputPath(pass, input, entered);
        var result = pass.Result?.DeepClone() ?? EffectiveParameters(pass, effective, entered, 0);
        return FinishResult(pass, input, result, entered, 0);
    }

    private JToken RunChoice(ChoiceState choice, JToken input, DateTimeOffset entered, out string? next)
    {
        var effective = ApplyInputPath(choice, input, entered);
        var context = ContextObject(choice, entered, 0);
        next = choice.Choices.FirstOrDefault(rule => rule.Matches(effective, context))?.Next ?? choice.Default
            ?? throw new StatesException(StatesErrors.NoChoiceMatched, $"No Matches! at state '{choice.Name}'");
        return ApplyOutputPath(choice, effective, entered);
    }

    private async Task<JToken> RunWaitAsync(WaitState wait, JToken input, CancellationToken ct, DateTimeOffset entered,
        Position? durable, DateTimeOffset? resumeWaitUntil)
    {
        var effective = ApplyInputPath(wait, input, entered);
        var until = resumeWaitUntil ?? WaitEnd(wait, effective, entered);
        if (durable is not null && resumeWaitUntil is null)
        {
            Move(durable, p => p.WaitUntil = until);
            await SaveAsync().ConfigureAwait(false);
        }
        var remaining = until - Now;
        if (remaining > TimeSpan.Zero)
            await Task.Delay(remaining, _engine.Time, ct).ConfigureAwait(false);
        return ApplyOutputPath(wait, effective, entered);
    }

    private DateTimeOffset WaitEnd(WaitState wait, JToken effective, DateTimeOffset entered)
    {
        var context = ContextObject(wait, entered, 0);
        if (wait.Seconds is { } seconds)
            return entered + _engine.Scaled(seconds);
        if (wait.SecondsPath is { } secondsPath)
        {
            var value = JsonPaths.SelectRequired(effective, context, secondsPath, StatesErrors.Runtime, "SecondsPath");
            if (value.Type != JTokenType.Integer || (long)value < 0)
                throw new StatesException(StatesErrors.Runtime, $"The SecondsPath parameter does not reference a valid non-negative integer: {JsonText.Print(value)}");
            return entered + _engine.Scaled((long)value);
        }
        var text = wait.Timestamp;
        if (wait.TimestampPath is { } timestampPath)
        {
            var value = JsonPaths.SelectRequired(effective, context, timestampPath, StatesErrors.Runtime, "TimestampPath");
            text = value.Type == JTokenType.String ? (string)value! : null;
        }
        if (text is null || !ComparisonRule.TryParseTimestamp(text, out var timestamp))
            throw new StatesException(StatesErrors.Runtime, $"The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {text}");
        // A time scale shortens the wait that remains, as it does for Seconds.
        var left = timestamp - entered;
        return left <= TimeSpan.Zero ? entered : entered + _engine.Scaled(left.TotalSeconds);
    }

    private async Task<JToken> WithRetryAsync(State state, JToken input, Flow flow, CancellationToken ct, DateTimeOffset entered,
        Func<int, CancellationToken, Task<JToken>> attempt)
    {
        var retriers = ((IRecoverableState)state).Retry;
        var attemptsPerRetrier = new int[retriers.Count];
        var retryCount = 0;
        while (true)
        {
            try
            {
                return await attempt(retryCount, ct).ConfigureAwait(false);
            }
            catch (StatesException ex)
            {
                var index = -1;
                for (var i = 0; i < retriers.Count; i++)
                {
                    if (StatesErrors.Matches(retriers[i].ErrorEquals, ex.Error))
                    {
                        index = i;
                        break;
                    }
                }
                if (index < 0 || attemptsPerRetrier[index] >= retriers[index].MaxAttempts)
                    throw;
                // The retry is due a fixed time after the failure, however long this thread takes to get here.
                var due = (ex.RecordedAt ?? Now) + _engine.Scaled(retriers[index].DelaySeconds(attemptsPerRetrier[index], _engine.Random()));
                attemptsPerRetrier[index]++;
                retryCount++;
                var remaining = due - Now;
                if (remaining > TimeSpan.Zero)
                    await Task.Delay(remaining, _engine.Time, ct).ConfigureAwait(false);
            }
        }
    }
}
