using Newtonsoft.Json.Linq;
using PaletteServerless.Local.StepFunctions.Language;
using PaletteServerless.Local.StepFunctions.Resources;

namespace PaletteServerless.Local.StepFunctions.Execution;

// Task states: calling a resource with timeouts and heartbeats, and recording its events.
internal sealed partial class ExecutionRun
{
    private async Task<JToken> RunTaskAsync(TaskState task, JToken input, Flow flow, CancellationToken ct, DateTimeOffset entered, int retryCount)
    {
        var effective = ApplyInputPath(task, input, entered);
        var parameters = EffectiveParameters(task, effective, entered, retryCount);
        var context = ContextObject(task, entered, retryCount);
        var timeoutSeconds = task.TimeoutSeconds ?? OptionalSeconds(task.TimeoutSecondsPath, effective, context);
        var heartbeatSeconds = task.HeartbeatSeconds ?? OptionalSeconds(task.HeartbeatSecondsPath, effective, context);

        var isLambdaArn = task.Resource.StartsWith("arn:aws:lambda:", StringComparison.Ordinal);
        var (resourceType, resourceName) = DescribeResource(task.Resource);
        var parametersText = JsonText.Print(parameters);
        // The timeout runs from the start the history records, however long the call takes to get under way.
        var startedAt = Now;
        if (isLambdaArn)
        {
            var scheduled = new JObject { ["resource"] = task.Resource, ["input"] = parametersText, ["inputDetails"] = DataDetails() };
            if (timeoutSeconds is { } t)
                scheduled["timeoutInSeconds"] = t;
            Record(flow, "LambdaFunctionScheduled", "lambdaFunctionScheduledEventDetails", scheduled);
            Record(flow, "LambdaFunctionStarted");
        }
        else
        {
            var scheduled = new JObject
            {
                ["resourceType"] = resourceType,
                ["resource"] = resourceName,
                ["region"] = _region,
                ["parameters"] = parametersText,
            };
            if (timeoutSeconds is { } t)
                scheduled["timeoutInSeconds"] = t;
            if (heartbeatSeconds is { } h)
                scheduled["heartbeatInSeconds"] = h;
            Record(flow, "TaskScheduled", "taskScheduledEventDetails", scheduled);
            Record(flow, "TaskStarted", "taskStartedEventDetails", new JObject { ["resourceType"] = resourceType, ["resource"] = resourceName });
        }

        JToken result;
        try
        {
            var resource = _engine.Resources.Find(task.Resource)
                ?? throw new StatesException(StatesErrors.Runtime, $"No local implementation serves the resource '{task.Resource}'.");
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var started = StartInvocation(resource, new TaskRequest(task.Resource, parameters, _region, _accountId, Now, _record.RoleArn), attempt.Token);
            // In-process handlers cannot be interrupted, so a stop or shutdown stops waiting for them instead;
            // whatever the abandoned call ends with is observed here and dropped.
            _ = started.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            var invocation = started.WaitAsync(ct);
            // Local resources never send heartbeats, so a heartbeat shorter than the timeout is the effective limit.
            var (limit, limitError) = heartbeatSeconds is { } hb && (timeoutSeconds is not { } to || hb < to)
                ? ((int?)hb, StatesErrors.HeartbeatTimeout)
                : (timeoutSeconds, StatesErrors.Timeout);
            if (limit is { } seconds)
            {
                var left = startedAt + _engine.Scaled(seconds) - Now;
                var expiry = Task.Delay(left > TimeSpan.Zero ? left : TimeSpan.Zero, _engine.Time, attempt.Token);
                if (await Task.WhenAny(invocation, expiry).ConfigureAwait(false) != invocation)
                {
                    ct.ThrowIfCancellationRequested();
                    await attempt.CancelAsync().ConfigureAwait(false);
                    var timedOutAt = Now;
                    var details = new JObject { ["error"] = limitError, ["cause"] = "" };
                    if (isLambdaArn)
                        Record(flow, "LambdaFunctionTimedOut", "lambdaFunctionTimedOutEventDetails", details);
                    else
                        Record(flow, "TaskTimedOut", "taskTimedOutEventDetails", new JObject { ["resourceType"] = resourceType, ["resource"] = resourceName, ["error"] = limitError, ["cause"] = "" });
                    throw new StatesException(limitError, "") { RecordedAt = timedOutAt };
                }
            }
            try
            {
                result = await invocation.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not StatesException && !ct.IsCancellationRequested)
            {
                // A resource that fails outside the error contract still fails only its task, catchably.
                throw new StatesException(StatesErrors.TaskFailed, $"{ex.GetType().Name}: {ex.Message}");
            }
            finally
            {
                // Releases the timeout timer, which would otherwise live until it fires.
                await attempt.CancelAsync().ConfigureAwait(false);
            }
        }
        catch (StatesException ex) when (ex.Error is not (StatesErrors.Timeout or StatesErrors.HeartbeatTimeout) && ex is not HistoryLimitException)
        {
            ex.RecordedAt = Now;
            if (isLambdaArn)
                Record(flow, "LambdaFunctionFailed", "lambdaFunctionFailedEventDetails", ErrorDetails(ex.Error, ex.Cause));
            else
                Record(flow, "TaskFailed", "taskFailedEventDetails", new JObject { ["resourceType"] = resourceType, ["resource"] = resourceName, ["error"] = ex.Error, ["cause"] = ex.Cause });
            throw;
        }

        var resultText = JsonText.Print(result);
        if (isLambdaArn)
            Record(flow, "LambdaFunctionSucceeded", "lambdaFunctionSucceededEventDetails", new JObject { ["output"] = resultText, ["outputDetails"] = DataDetails() });
        else
            Record(flow, "TaskSucceeded", "taskSucceededEventDetails", new JObject { ["resourceType"] = resourceType, ["resource"] = resourceName, ["output"] = resultText, ["outputDetails"] = DataDetails() });
        CheckPayloadSize(resultText, task.Name);
        return FinishResult(task, input, result, entered, retryCount);
    }

    /// <summary>The resource's task, with an exception thrown before its first await turned into a faulted task.</summary>
    private static Task<JToken> StartInvocation(ITaskResource resource, TaskRequest request, CancellationToken ct)
    {
        try
        {
            return resource.InvokeAsync(request, ct);
        }
        catch (Exception ex)
        {
            return Task.FromException<JToken>(ex);
        }
    }

    private static int? OptionalSeconds(string? path, JToken effective, JToken context)
    {
        if (path is null)
            return null;
        var value = JsonPaths.SelectRequired(effective, context, path, StatesErrors.Runtime, "TimeoutSecondsPath/HeartbeatSecondsPath");
        if (value.Type != JTokenType.Integer || (long)value <= 0)
            throw new StatesException(StatesErrors.Runtime, $"The path '{path}' does not reference a positive integer.");
        return (int)value;
    }

    /// <summary>"arn:aws:states:::dynamodb:putItem" -> ("dynamodb", "putItem"); a Lambda ARN -> ("lambda", the ARN).</summary>
    private static (string Type, string Name) DescribeResource(string resource)
    {
        if (resource.StartsWith("arn:aws:states:::", StringComparison.Ordinal))
        {
            var parts = resource["arn:aws:states:::".Length..].Split(':');
            return (parts[0], string.Join(':', parts.Skip(1)));
        }
        var segments = resource.Split(':');
        return (segments.Length > 2 ? segments[2] : resource, resource);
    }
}
