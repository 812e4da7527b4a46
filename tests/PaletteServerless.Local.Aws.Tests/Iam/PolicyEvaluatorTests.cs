using System.Net;
using System.Text.Json.Nodes;
using PaletteServerless.Local.Aws.Iam;

namespace PaletteServerless.Local.Aws.Tests.Iam;

/// <summary>
/// The evaluator client asks the policy evaluator once per question: checks alike but for what no statement reads
/// (a TerminateInstances of 200 nodes differs only by instance id) are one check, in one call and across calls
/// made while it is under way; a failure reaches every caller that waited on it, and the next call asks again.
/// </summary>
public sealed class PolicyEvaluatorTests : IDisposable
{
    private const string PolicySet = "arn:aws:iam::100000000001:role/teardown";
    private const string UidTag = "aws:ResourceTag/palette.serverless/cluster-uid";

    private readonly CountingEvaluator _server = new();
    private readonly PolicyEvaluator _evaluator;

    public PolicyEvaluatorTests() => _evaluator = new PolicyEvaluator(new Uri("http://evaluator.invalid/"), _server);

    public void Dispose() => _evaluator.Dispose();

    [Fact]
    public async Task Checks_alike_in_one_call_and_in_calls_under_way_at_once_are_evaluated_once()
    {
        await RegisterAsync();
        _server.Hold();

        var first = _evaluator.EvaluateAsync(Terminate("uid-1", 0, 200), CancellationToken.None);
        var second = _evaluator.EvaluateAsync(Terminate("uid-1", 200, 200), CancellationToken.None);
        var third = _evaluator.EvaluateAsync([.. Terminate("uid-1", 400, 100), .. Terminate("uid-2", 0, 1)], CancellationToken.None);
        _server.Release();
        var answers = (await Task.WhenAll(first, second, third)).SelectMany(a => a).ToList();

        answers.Should().HaveCount(501).And.OnlyContain(a => a.Allowed);
        _server.ChecksReceived.Should().Equal([1, 1], "the first call asks once for uid-1's nodes; the third asks only for uid-2's, which no call had asked");
        _evaluator.Evaluations.Should().Be(2);

        (await _evaluator.EvaluateAsync(Terminate("uid-1", 600, 50), CancellationToken.None)).Should().OnlyContain(a => a.Allowed);
        _server.ChecksReceived.Should().HaveCount(2, "answered from the cache");
    }

    [Fact]
    public async Task A_failed_evaluation_fails_every_caller_waiting_on_it_and_the_next_call_asks_again()
    {
        await RegisterAsync();
        _server.Hold();
        _server.FailNext();

        var first = _evaluator.EvaluateAsync(Terminate("uid-1", 0, 10), CancellationToken.None);
        var second = _evaluator.EvaluateAsync(Terminate("uid-1", 10, 10), CancellationToken.None);
        _server.Release();

        await FluentActions.Awaiting(() => first).Should().ThrowAsync<InvalidOperationException>().WithMessage("*policy evaluator failed (500)*");
        await FluentActions.Awaiting(() => second).Should().ThrowAsync<InvalidOperationException>();
        (await _evaluator.EvaluateAsync(Terminate("uid-1", 20, 10), CancellationToken.None)).Should().OnlyContain(a => a.Allowed);
        _server.ChecksReceived.Should().Equal([1, 1]);
    }

    private Task RegisterAsync() => _evaluator.RegisterPolicySetAsync(PolicySet,
        [("teardown", new JsonObject
        {
            ["Version"] = "2012-10-17",
            ["Statement"] = new JsonArray(new JsonObject
            {
                ["Effect"] = "Allow", ["Action"] = "ec2:TerminateInstances", ["Resource"] = "arn:aws:ec2:*:*:instance/*",
                ["Condition"] = new JsonObject { ["StringEquals"] = new JsonObject { [UidTag] = "uid-1" } },
            }),
        })],
        sessionPolicy: null, CancellationToken.None);

    private static List<EvaluationRequest> Terminate(string uid, int from, int count) =>
        [.. Enumerable.Range(from, count).Select(i => new EvaluationRequest(PolicySet, null, "arn:aws:sts::100000000001:assumed-role/teardown/s", "100000000001",
            AuthorizationCheck.Of("ec2:TerminateInstances", $"arn:aws:ec2:eu-west-1:100000000001:instance/i-{i:x17}",
                new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal) { [UidTag] = [uid] })))];

    /// <summary>Answers every check Allowed; counts the checks of each evaluation; can hold answers back, or fail one.</summary>
    private sealed class CountingEvaluator : HttpMessageHandler
    {
        private readonly List<int> _checks = [];
        private TaskCompletionSource _gate = CompletedGate();
        private int _failures;

        public IReadOnlyList<int> ChecksReceived
        {
            get
            {
                lock (_checks)
                    return [.. _checks];
            }
        }

        public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _gate.SetResult();

        public void FailNext() => Interlocked.Increment(ref _failures);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method != HttpMethod.Post)
                return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{}") };
            var checks = JsonNode.Parse(await request.Content!.ReadAsStringAsync(cancellationToken))!["checks"]!.AsArray();
            lock (_checks)
                _checks.Add(checks.Count);
            await _gate.Task;
            if (Interlocked.Exchange(ref _failures, 0) > 0)
                return new HttpResponseMessage(HttpStatusCode.InternalServerError) { Content = new StringContent("evaluator down") };
            var results = new JsonArray([.. checks.Select(_ => (JsonNode)new JsonObject { ["decision"] = "Allowed" })]);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(new JsonObject { ["results"] = results }.ToJsonString()) };
        }

        private static TaskCompletionSource CompletedGate()
        {
            var gate = new TaskCompletionSource();
            gate.SetResult();
            return gate;
        }
    }
}
