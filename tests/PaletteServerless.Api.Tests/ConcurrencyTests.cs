using PaletteServerless.Testing;
using System.Diagnostics;
using PaletteServerless.Api.Tests.Support;
using Xunit.Abstractions;

namespace PaletteServerless.Api.Tests;

public class ConcurrencyTests(StoreFixture fixture, ITestOutputHelper output) : IClassFixture<StoreFixture>
{
    private readonly ApiHarness _api = new(fixture);

    [Fact]
    public async Task Fifty_parallel_creates_of_one_name_give_one_202_and_49_409s()
    {
        await _api.SeedProjectAsync("race");
        var editors = Enumerable.Range(0, 50).Select(i => new Identity(_api.Tenant, ["project-editor:race"], $"user-{i}"));
        var clock = Stopwatch.StartNew();

        var responses = await Task.WhenAll(editors.Select(editor =>
            Task.Run(() => _api.SendAsync(ApiCall.Post("/v1/projects/race/clusters").By(editor).WithJson(ApiHarness.ClusterJson("contested"))))));

        output.WriteLine($"50 parallel creates took {clock.ElapsedMilliseconds} ms");
        var statuses = responses.GroupBy(r => r.Status).ToDictionary(g => g.Key, g => g.Count());
        statuses.Should().BeEquivalentTo(new Dictionary<int, int> { [202] = 1, [409] = 49 }, string.Join("\n", responses.Select(r => r.ToString())));
        _api.Workflows.Started.Should().ContainSingle("only the winner starts a workflow");
        var winner = responses.Single(r => r.Status == 202);

        var stored = await _api.SendAsync(ApiCall.Get("/v1/projects/race/clusters/contested").By(_api.Admin));
        stored.Body!["version"]!.GetValue<long>().Should().Be(winner.Body!["version"]!.GetValue<long>());
        var events = await _api.SendAsync(ApiCall.Get("/v1/projects/race/clusters/contested/events").By(_api.Admin));
        events.Body!["items"]!.AsArray().Should().ContainSingle("only the winner records a Created event");
    }

    [Fact]
    public async Task Parallel_deletes_of_one_cluster_start_one_delete_workflow()
    {
        await _api.SeedProjectAsync("race");
        await _api.CreateClusterAsync("race", "doomed");

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            Task.Run(() => _api.SendAsync(ApiCall.Delete("/v1/projects/race/clusters/doomed").By(_api.Admin).WithQuery("confirm", "doomed")))));

        responses.Should().OnlyContain(r => r.Status == 202, string.Join("\n", responses.Select(r => r.ToString())));
        _api.Workflows.Executions.Count(e => e.StartsWith("delete-", StringComparison.Ordinal)).Should().Be(1, "racing deletes start one workflow");
    }
}
