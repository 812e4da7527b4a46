using PaletteServerless.Aws.Clients;
using PaletteServerless.Aws.Storage;
using PaletteServerless.Aws.Tests.Clients;
using PaletteServerless.Testing;
using PaletteServerless.Aws.Workflows;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;

namespace PaletteServerless.Aws.Tests.Workflows;

/// <summary>
/// The remediation lock over the real table (dynalite) and Step Functions' wire format: one run at a time, and a
/// request that finds a run going is kept until the run ends, which then judges the nodes again instead of letting go.
/// </summary>
public sealed class RemediationLockTests(StoreFixture table) : IClassFixture<StoreFixture>, IAsyncDisposable
{
    private const string StateMachineArn = "arn:aws:states:us-east-1:123456789012:stateMachine:palette-remediate-cluster";
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly LoopbackAwsServer _states = new();
    private readonly IClusterStore _clusters = new DynamoDbStore(table.Dynamo, StoreFixture.TableName, TimeProvider.System);
    private readonly ProjectScope _scope = new("t" + Guid.NewGuid().ToString("N")[..10], "web");

    public ValueTask DisposeAsync() => _states.DisposeAsync();

    private async Task<Cluster> RunningClusterAsync()
    {
        var cluster = new Cluster
        {
            Scope = _scope,
            Uid = Guid.NewGuid().ToString("N"),
            Spec = ClusterSpecValidator.Validate(new ClusterSpec
            {
                Name = "demo", CloudAccount = "prod", Profile = new ProfileReference { Name = "ubuntu-k8s", Version = "1.0.0" },
                Cloud = new CloudSpec { Region = "us-east-1", SshKeyName = "ops" },
                NodePools =
                [
                    new NodePoolSpec { Name = "cp", Role = "control-plane", Count = 1, InstanceType = "m5.large", AvailabilityZones = ["us-east-1a"] },
                    new NodePoolSpec { Name = "workers", Role = "worker", Count = 1, InstanceType = "m5.large", AvailabilityZones = ["us-east-1a"] },
                ],
            }),
            Status = ClusterStatus.Running,
            CreatedAt = DateTimeOffset.UtcNow,
            UpdatedAt = DateTimeOffset.UtcNow,
            Version = 1,
        };
        await _clusters.CreateAsync(cluster, None);
        return cluster;
    }

    private RemediationLock Lock(StepFunctionsClient client) => new(_clusters, client, StateMachineArn);

    private async Task<Cluster> CurrentAsync(Cluster cluster) => (await _clusters.GetAsync(cluster.Scope, cluster.Name, None))!;

    [Fact]
    public async Task A_request_during_a_run_is_counted_and_the_runs_end_judges_again_once_then_lets_go()
    {
        var cluster = await RunningClusterAsync();
        using var client = new StepFunctionsClient(TestCredentials.For(_states));
        _states.Enqueue(new CannedResponse(200, """{"executionArn":"arn:run-1","startDate":1.7e9}"""));
        (await Lock(client).TryStartAsync(cluster, None)).Should().Be(RemediationStart.Started);
        var run = (await CurrentAsync(cluster)).RemediationExecutionArn!;

        _states.Enqueue(new CannedResponse(200, $$"""{"executionArn":"{{run}}","status":"RUNNING","startDate":1.7e9}"""));
        (await Lock(client).TryStartAsync(cluster, None)).Should().Be(RemediationStart.AlreadyRunning);
        (await CurrentAsync(cluster)).RemediationRequests.Should().Be(1, "the request is kept for the run");
        _states.Enqueue(new CannedResponse(200, $$"""{"executionArn":"{{run}}","status":"RUNNING","startDate":1.7e9}"""));
        var version = (await CurrentAsync(cluster)).Version;
        (await Lock(client).TryStartAsync(cluster, None)).Should().Be(RemediationStart.AlreadyRunning);
        (await CurrentAsync(cluster)).Version.Should().Be(version, "a request already noted is enough: a burst of events writes once");

        (await RemediationLock.FinishAsync(_clusters, cluster, run, mayJudgeAgain: true, None)).Should().Be(RemediationFinish.JudgeAgain);
        var judging = await CurrentAsync(cluster);
        (judging.RemediationExecutionArn, judging.RemediationRequests).Should().Be((run, 0L), "the run keeps the lock and has taken the request in");

        (await RemediationLock.FinishAsync(_clusters, cluster, run, mayJudgeAgain: true, None)).Should().Be(RemediationFinish.Released);
        (await CurrentAsync(cluster)).RemediationExecutionArn.Should().BeNull();
        _states.Requests.Select(r => r.Header("X-Amz-Target")).Should().Equal("AWSStepFunctions.StartExecution", "AWSStepFunctions.DescribeExecution", "AWSStepFunctions.DescribeExecution");
    }

    [Fact]
    public async Task A_run_past_its_bounds_lets_go_whatever_came_in_and_a_run_that_lost_the_lock_touches_nothing()
    {
        var cluster = await RunningClusterAsync();
        using var client = new StepFunctionsClient(TestCredentials.For(_states));
        _states.Enqueue(new CannedResponse(200, """{"executionArn":"arn:run-1","startDate":1.7e9}"""));
        await Lock(client).TryStartAsync(cluster, None);
        var run = (await CurrentAsync(cluster)).RemediationExecutionArn!;
        _states.Enqueue(new CannedResponse(200, $$"""{"executionArn":"{{run}}","status":"RUNNING","startDate":1.7e9}"""));
        await Lock(client).TryStartAsync(cluster, None);

        (await RemediationLock.FinishAsync(_clusters, cluster, "arn:another-run", mayJudgeAgain: true, None)).Should().Be(RemediationFinish.NotHeld);
        (await CurrentAsync(cluster)).RemediationRequests.Should().Be(1);

        (await RemediationLock.FinishAsync(_clusters, cluster, run, mayJudgeAgain: false, None)).Should().Be(RemediationFinish.Released);
        var released = await CurrentAsync(cluster);
        (released.RemediationExecutionArn, released.RemediationRequests).Should().Be((null, 0L));
    }
}
