using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Microsoft.Extensions.Time.Testing;
using PaletteServerless.Local.StepFunctions.Api;
using PaletteServerless.Local.StepFunctions.Store;
using PaletteServerless.Testing;

namespace PaletteServerless.Local.StepFunctions.Tests;

/// <summary>The durable store on a real dynalite: the same contract as the in-memory store, and resume across engines.</summary>
public sealed class DynamoDbExecutionStoreTests(DynaliteFixture dynalite) : IClassFixture<DynaliteFixture>
{
    private async Task<DynamoDbExecutionStore> NewStoreAsync()
    {
        var client = new AmazonDynamoDBClient(new BasicAWSCredentials("test", "test"),
            new AmazonDynamoDBConfig { ServiceURL = dynalite.Endpoint.ToString(), AuthenticationRegion = "us-east-1" });
        var store = new DynamoDbExecutionStore(client, "sfn-" + Guid.NewGuid().ToString("N")[..12]);
        await store.EnsureTableAsync(default);
        await store.EnsureTableAsync(default); // a second call finds the table
        return store;
    }

    private static ExecutionRecord Execution(string name, long version = 1, long historyCount = 1) =>
        new($"arn:aws:states:us-east-1:000000000000:execution:m:{name}", "arn:aws:states:us-east-1:000000000000:stateMachine:m", name,
            """{"at":"2016-03-14T01:59:00Z"}""", "{}", "arn:aws:iam::000000000000:role/r", ExecutionStatus.Running,
            DateTimeOffset.Parse("2030-01-01T00:00:00.123Z"), null, null, null, "2016-03-14T01:59:00Z",
            new Checkpoint("W", """{"x":1}""", DateTimeOffset.Parse("2030-01-01T00:15:00Z")), historyCount, version);

    private static HistoryEvent Event(long id, string type = "PassStateEntered") =>
        new(id, id - 1, DateTimeOffset.Parse("2030-01-01T00:00:01Z").AddSeconds(id), type, "stateEnteredEventDetails",
            new Newtonsoft.Json.Linq.JObject { ["name"] = "S", ["input"] = "{}" });

    [Fact]
    public async Task Records_and_history_round_trip_with_conditional_writes()
    {
        var store = await NewStoreAsync();
        var created = Execution("e1");
        (await store.TryCreateExecutionAsync(created, [Event(1, "ExecutionStarted")], default)).Should().BeNull();
        (await store.TryCreateExecutionAsync(created with { Input = "{}" }, [Event(1)], default))!.Input.Should().Be(created.Input, "the first one stays");

        var saved = created with { Version = 2, HistoryCount = 40 };
        await store.SaveExecutionAsync(saved, Enumerable.Range(2, 39).Select(i => Event(i)).ToList(), default);
        await FluentActions.Awaiting(() => store.SaveExecutionAsync(saved, [], default)).Should().ThrowAsync<ConcurrentUpdateException>();

        (await store.GetExecutionAsync(created.ExecutionArn, default)).Should().Be(saved);
        var history = await store.GetHistoryAsync(created.ExecutionArn, default);
        history.Select(e => e.Id).Should().Equal(Enumerable.Range(1, 40).Select(i => (long)i));
        history[0].Type.Should().Be("ExecutionStarted");
        history[5].Timestamp.Should().Be(Event(6).Timestamp);
        history[5].Details!["name"]!.ToString().Should().Be("S");

        (await store.ListExecutionsAsync(created.StateMachineArn, ExecutionStatus.Running, default)).Should().ContainSingle();
        (await store.ListExecutionsAsync(created.StateMachineArn, ExecutionStatus.Succeeded, default)).Should().BeEmpty();
    }

    [Fact]
    public async Task Nested_Parallel_checkpoints_round_trip()
    {
        var store = await NewStoreAsync();
        var created = Execution("nested");
        await store.TryCreateExecutionAsync(created, [Event(1)], default);
        var checkpoint = new Checkpoint("Both", """{"a":1}""", null,
        [
            new Checkpoint("Done", "{}", null, null, Output: """{"Error":"E","Cause":"c"}""", LastEventId: 7, Failed: true),
            new Checkpoint("Inner", "{}", null, [new Checkpoint("Wait", "{}", DateTimeOffset.Parse("2030-01-01T00:10:00Z"), LastEventId: 9)], LastEventId: 8),
        ], LastEventId: 3);
        await store.SaveExecutionAsync(created with { Checkpoint = checkpoint, Version = 2 }, [], default);

        var loaded = (await store.GetExecutionAsync(created.ExecutionArn, default))!.Checkpoint!;
        loaded.Should().BeEquivalentTo(checkpoint);
        loaded.Branches![1].Branches![0].WaitUntil.Should().Be(DateTimeOffset.Parse("2030-01-01T00:10:00Z"));
    }

    [Fact]
    public async Task State_machines_are_put_listed_replaced_and_deleted()
    {
        var store = await NewStoreAsync();
        StateMachineRecord Machine(string name, string definition) =>
            new($"arn:aws:states:us-east-1:000000000000:stateMachine:{name}", name, definition, "arn:aws:iam::000000000000:role/r", "STANDARD", DateTimeOffset.Parse("2030-01-01T00:00:00Z"));
        await store.PutStateMachineAsync(Machine("b", "{}"), default);
        await store.PutStateMachineAsync(Machine("a", "{}"), default);
        await store.PutStateMachineAsync(Machine("a", """{"v":2}"""), default);
        (await store.ListStateMachinesAsync(default)).Select(m => (m.Name, m.Definition)).Should().Equal(("a", """{"v":2}"""), ("b", "{}"));
        await store.DeleteStateMachineAsync(Machine("a", "").StateMachineArn, default);
        (await store.GetStateMachineAsync(Machine("a", "").StateMachineArn, default)).Should().BeNull();
        (await store.GetStateMachineAsync(Machine("b", "").StateMachineArn, default)).Should().Be(Machine("b", "{}"));
    }

    [Fact]
    public async Task Events_written_by_a_save_that_never_finished_are_ignored()
    {
        var store = await NewStoreAsync();
        var created = Execution("e2");
        await store.TryCreateExecutionAsync(created, [Event(1)], default);
        // A crash after the events but before the record: the record still says one event.
        await FluentActions.Awaiting(() => store.SaveExecutionAsync(created with { Version = 5, HistoryCount = 3 }, [Event(2), Event(3)], default))
            .Should().ThrowAsync<ConcurrentUpdateException>();
        (await store.GetHistoryAsync(created.ExecutionArn, default)).Should().HaveCount(1);
    }

    [Fact]
    public async Task An_execution_stopped_mid_Wait_resumes_on_a_new_engine_over_dynamodb()
    {
        var store = await NewStoreAsync();
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2030-01-01T00:00:00Z"));
        string executionArn;
        await using (var first = new EngineHarness(clock, store))
        {
            var api = new StepFunctionsApi(first.Engine);
            var (_, created) = await api.HandleAsync("000000000000", "us-east-1", "AWSStepFunctions.CreateStateMachine",
                """{"name":"durable","roleArn":"arn:aws:iam::000000000000:role/r","definition":"{\"StartAt\":\"W\",\"States\":{\"W\":{\"Type\":\"Wait\",\"Seconds\":60,\"Next\":\"Done\"},\"Done\":{\"Type\":\"Pass\",\"Result\":\"ok\",\"End\":true}}}"}""", default);
            created.Should().Contain("stateMachineArn");
            var (_, started) = await api.HandleAsync("000000000000", "us-east-1", "AWSStepFunctions.StartExecution",
                """{"stateMachineArn":"arn:aws:states:us-east-1:000000000000:stateMachine:durable","name":"run"}""", default);
            executionArn = (string)Newtonsoft.Json.Linq.JObject.Parse(started)["executionArn"]!;
            await WaitForAsync(async () => (await store.GetExecutionAsync(executionArn, default))!.Checkpoint?.WaitUntil is not null);
            clock.Advance(TimeSpan.FromSeconds(45));
        }

        await using var second = new EngineHarness(clock, store);
        await second.Engine.StartAsync(default);
        await Task.Delay(50);
        (await store.GetExecutionAsync(executionArn, default))!.Status.Should().Be(ExecutionStatus.Running);
        clock.Advance(TimeSpan.FromSeconds(15));
        await WaitForAsync(async () => (await store.GetExecutionAsync(executionArn, default))!.Status != ExecutionStatus.Running);
        var done = await store.GetExecutionAsync(executionArn, default);
        (done!.Status, done.Output).Should().Be((ExecutionStatus.Succeeded, "\"ok\""));
        (await store.GetHistoryAsync(executionArn, default)).Select(e => e.Type).Should().Equal(
            "ExecutionStarted", "WaitStateEntered", "WaitStateExited", "PassStateEntered", "PassStateExited", "ExecutionSucceeded");
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("condition never held");
            await Task.Delay(5);
        }
    }
}
