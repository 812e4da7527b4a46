using Microsoft.Extensions.Time.Testing;
using PaletteServerless.Local.Aws.Iam;

namespace PaletteServerless.Local.Aws.Tests.Iam;

/// <summary>
/// Nodes' own calls are judged in the background (the node model runs under the store's lock): one evaluation per
/// question while it is under way, two at a time, and the node moves on as soon as its answer is in.
/// </summary>
public sealed class BackgroundEvaluationTests : IDisposable
{
    private readonly PolicyEvaluator _evaluator = new(new Uri("http://evaluator.invalid/"));
    private readonly LocalIam _iam;

    public BackgroundEvaluationTests() => _iam = new LocalIam(_evaluator, new FakeTimeProvider());

    public void Dispose() => _evaluator.Dispose();

    [Fact]
    public async Task A_question_asked_again_while_it_is_under_way_is_evaluated_once_and_answered_once()
    {
        var evaluations = 0;
        var answered = 0;
        var answer = new TaskCompletionSource();
        Task Evaluate()
        {
            Interlocked.Increment(ref evaluations);
            return answer.Task;
        }

        for (var i = 0; i < 5; i++)
            _iam.InBackground("authorize node-1 ssm:GetParameter", Evaluate, () => Interlocked.Increment(ref answered));
        await WaitUntil(() => Volatile.Read(ref evaluations) == 1);
        answer.SetResult();
        await WaitUntil(() => Volatile.Read(ref answered) == 1);

        // Once answered, the same question may be asked again (a changed policy empties the cache).
        _iam.InBackground("authorize node-1 ssm:GetParameter", () => { Interlocked.Increment(ref evaluations); return Task.CompletedTask; }, () => Interlocked.Increment(ref answered));
        await WaitUntil(() => Volatile.Read(ref answered) == 2);
        evaluations.Should().Be(2);
    }

    [Fact]
    public async Task A_failed_evaluation_is_not_answered_and_is_started_again_when_asked_again()
    {
        var answered = 0;
        var attempts = 0;
        _iam.InBackground("principal node-2", () => { Interlocked.Increment(ref attempts); return Task.FromException(new HttpRequestException("refused")); }, () => Interlocked.Increment(ref answered));
        await WaitUntil(() => Volatile.Read(ref attempts) == 1);

        // Asked again until the failed evaluation has let go of the question; the retry is held open so that
        // every later ask meets it under way, and the count of answers cannot depend on timing.
        var release = new TaskCompletionSource();
        Task Retry()
        {
            Interlocked.Increment(ref attempts);
            return release.Task;
        }
        await WaitUntil(() =>
        {
            _iam.InBackground("principal node-2", Retry, () => Interlocked.Increment(ref answered));
            return Volatile.Read(ref attempts) == 2;
        });
        Volatile.Read(ref answered).Should().Be(0, "the failed evaluation answered nothing");
        release.SetResult();
        await WaitUntil(() => Volatile.Read(ref answered) == 1);

        attempts.Should().Be(2, "a failed question is evaluated again, and once while under way");
        answered.Should().Be(1, "only the evaluation that succeeded moves the node on");
    }

    [Fact]
    public async Task Nodes_questions_are_evaluated_two_at_a_time()
    {
        var running = 0;
        var most = 0;
        var release = new TaskCompletionSource();
        var answered = 0;
        async Task Evaluate()
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            await release.Task;
            Interlocked.Decrement(ref running);
        }

        for (var i = 0; i < 6; i++)
            _iam.InBackground($"principal node-{i}", Evaluate, () => Interlocked.Increment(ref answered));
        await WaitUntil(() => Volatile.Read(ref running) == 2);
        await Task.Delay(100);
        Volatile.Read(ref running).Should().Be(2, "the others wait for a slot");
        release.SetResult();
        await WaitUntil(() => Volatile.Read(ref answered) == 6);
        most.Should().Be(2);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("the condition did not hold within 10 s");
            await Task.Delay(5);
        }
    }
}
