using System.Net;
using System.Text.Json.Nodes;

namespace PaletteServerless.EndToEnd.Tests;

/// <summary>
/// Security scans over the local stack (issue 26, item 3): a cluster with settings.securityScans (and backups) on reaches
/// Running; an on-demand scan answers 202 and ends ScanCompleted, and a viewer lists it with pass, fail and warn counts
/// and each failed check's id and title, derived from the configuration the nodes really boot with (kubeadm's
/// defaults: no audit log, profiling on).
/// </summary>
[Collection(LocalStackCollection.Name)]
public sealed class ScanTests(LocalStackFixture stack)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task An_on_demand_scan_ends_ScanCompleted_with_counts_and_the_failed_checks_of_each_node_role()
    {
        var scenario = await Scenario.StartAsync(stack, "scans");
        var spec = JsonNode.Parse(Scenario.Cluster("audited"))!.AsObject();
        spec["settings"] = JsonNode.Parse("""{"securityScans":{"enabled":true,"schedule":"0 4 * * SAT"},"backup":{"enabled":true,"schedule":"0 3 * * *","retentionDays":7}}""");
        await scenario.CreateAsync(spec.ToJsonString());
        await scenario.WaitForStatusAsync("audited", "Running", Timeout);

        using var viewer = stack.Api("scans", "project-viewer");
        (await ItemsAsync(viewer)).Should().BeEmpty();
        (await viewer.PostAsync("/v1/projects/scans/clusters/audited/scans", null)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var started = await scenario.Api.PostAsync("/v1/projects/scans/clusters/audited/scans", null);
        var operation = JsonNode.Parse(await started.Content.ReadAsStringAsync())!.AsObject();
        started.StatusCode.Should().Be(HttpStatusCode.Accepted, operation.ToJsonString());
        var name = operation["name"]!.GetValue<string>();

        var deadline = DateTime.UtcNow + Timeout;
        JsonObject? completed = null;
        while (completed is null && DateTime.UtcNow < deadline)
        {
            var events = await scenario.EventsAsync("audited");
            events.Should().NotContain(e => e!["reason"]!.GetValue<string>() == "ScanFailed", events.ToJsonString());
            completed = events.FirstOrDefault(e => e!["reason"]!.GetValue<string>() == "ScanCompleted") as JsonObject;
            await Task.Delay(200);
        }
        completed.Should().NotBeNull("the scan ends ScanCompleted");
        completed!["message"]!.GetValue<string>().Should().Contain(name).And.Contain("pass ").And.Contain("fail ").And.Contain("warn ");

        var scan = (await ItemsAsync(viewer)).Single();
        scan["name"]!.GetValue<string>().Should().Be(name);
        scan["phase"]!.GetValue<string>().Should().Be("Completed");
        scan["nodeRoles"]!.AsArray().Select(r => r!.GetValue<string>()).Should().BeEquivalentTo(["controlplane", "worker"]);
        scan["pass"]!.GetValue<int>().Should().BePositive();
        scan["warn"]!.GetValue<int>().Should().BePositive();
        scan["fail"]!.GetValue<int>().Should().BePositive();
        var failed = scan["failed"]!.AsArray().Select(f => f!.AsObject()).ToList();
        failed.Should().HaveCount(scan["fail"]!.GetValue<int>());
        // kubeadm's API server has no audit log and serves profiling unless told otherwise: what the nodes boot with.
        failed.Should().Contain(f => f["id"]!.GetValue<string>() == "1.2.16" && f["title"]!.GetValue<string>().Contains("--audit-log-path") && f["nodeRole"]!.GetValue<string>() == "controlplane");
        failed.Should().Contain(f => f["id"]!.GetValue<string>() == "1.2.15" && f["title"]!.GetValue<string>().Contains("--profiling"));
        failed.Should().NotContain(f => f["id"]!.GetValue<string>() == "4.2.1", "kubeadm turns the kubelet's anonymous auth off");
        scan["location"]!.GetValue<string>().Should().StartWith("s3://psbackup-vpc-").And.EndWith($"/scans/{name}");

        (await scenario.DeleteAsync("audited")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await scenario.WaitForStatusAsync("audited", "Deleted", Timeout);
    }

    [Fact]
    public async Task A_cluster_with_every_setting_on_reaches_Running_and_its_scan_and_backup_schedules_run_with_no_request()
    {
        var scenario = await Scenario.StartAsync(stack, "scheduled-scans");
        var spec = JsonNode.Parse(Scenario.Cluster("watched"))!.AsObject();
        // Every setting of the settings page on (issue 26's first Done-when line), the schedules every 5 minutes.
        spec["settings"] = JsonNode.Parse("""
            {"patchSchedule":"*/5 * * * *","osPatchOnBoot":true,
             "securityScans":{"enabled":true,"schedule":"*/5 * * * *"},
             "backup":{"enabled":true,"schedule":"*/5 * * * *","retentionDays":1},
             "rbac":[{"type":"RoleBinding","namespace":"apps","role":"view","subjects":[{"kind":"User","name":"auditor"}]}],
             "virtualClusters":{"enabled":true}}
            """);
        await scenario.CreateAsync(spec.ToJsonString());
        await scenario.WaitForStatusAsync("watched", "Running", Timeout);

        // The scan schedule's rule fires every modelled minute; within 60 modelled minutes an occurrence has come.
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(600) / LocalStackFixture.TimeScale;
        JsonObject? completed = null, backedUp = null;
        while ((completed is null || backedUp is null) && DateTime.UtcNow < deadline)
        {
            var events = await scenario.EventsAsync("watched");
            events.Should().NotContain(e => e!["reason"]!.GetValue<string>() == "ScanFailed" || e!["reason"]!.GetValue<string>() == "BackupFailed", events.ToJsonString());
            completed = events.FirstOrDefault(e => e!["reason"]!.GetValue<string>() == "ScanCompleted") as JsonObject;
            backedUp = events.FirstOrDefault(e => e!["reason"]!.GetValue<string>() == "BackupCompleted") as JsonObject;
            await Task.Delay(200);
        }
        completed.Should().NotBeNull("a scan runs on the schedule, with no POST");
        completed!["message"]!.GetValue<string>().Should().MatchRegex("watched-scheduled-scan-[0-9]{10}[0-5][05]");
        backedUp.Should().NotBeNull("a backup runs on the schedule, with no POST");
        backedUp!["message"]!.GetValue<string>().Should().MatchRegex("watched-[0-9]{10}[0-5][05]00");

        using var viewer = stack.Api("scheduled-scans", "project-viewer");
        var listed = await viewer.GetAsync("/v1/projects/scheduled-scans/clusters/watched/scans");
        var body = await listed.Content.ReadAsStringAsync();
        listed.StatusCode.Should().Be(HttpStatusCode.OK, body);
        var scans = JsonNode.Parse(body)!["items"]!.AsArray().Select(i => i!.AsObject()).ToList();
        scans.Should().Contain(i => i["name"]!.GetValue<string>().StartsWith("watched-scheduled-scan-", StringComparison.Ordinal) && i["phase"]!.GetValue<string>() == "Completed");

        (await scenario.DeleteAsync("watched")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await scenario.WaitForStatusAsync("watched", "Deleted", Timeout);
    }

    private static async Task<List<JsonObject>> ItemsAsync(HttpClient api)
    {
        var response = await api.GetAsync("/v1/projects/scans/clusters/audited/scans");
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, body);
        return [.. JsonNode.Parse(body)!["items"]!.AsArray().Select(i => i!.AsObject())];
    }
}
