using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace PaletteServerless.Console.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class ConsoleTests(ConsoleFixture fixture)
{
    /// <summary>Provisioning at the fixture's time scale takes seconds; this bounds a wait for a status, not the test's speed.</summary>
    private static readonly LocatorAssertionsToHaveTextOptions Eventually = new() { Timeout = 120_000 };

    [Fact]
    public async Task The_wizard_creates_a_cluster_that_runs_is_scaled_with_its_plan_shown_and_is_deleted_by_its_typed_name()
    {
        const string project = "wizard";
        await fixture.SeedAsync(project, "console-key");
        var console = new ConsolePage(fixture, await fixture.NewPageAsync(), project);
        var page = console.Page;
        var violations = console.ContentSecurityPolicyViolations();
        await console.SignInAsync();
        await console.ScreenshotAsync("01-clusters-empty");

        await console.FillWizardAsync("web-demo", "console-key");
        await console.ScreenshotAsync("02-wizard-settings");
        await console.Button("Validate").ClickAsync();
        // Validate: the dry run's plan of every resource and its estimated hourly cost.
        await Expect(page.GetByTestId("estimated-cost")).ToHaveTextAsync(new Regex(@"Estimated cost: \$\d+\.\d{4}/h"));
        await Expect(page.GetByText("Preflight passed")).ToBeVisibleAsync();
        (await page.Locator("table.plan tbody tr").CountAsync()).Should().BeGreaterThan(3);
        await Expect(page.Locator("table.plan")).ToContainTextAsync("m5.large");
        await console.ScreenshotAsync("03-wizard-review");
        await console.Button("Finish Configuration").ClickAsync();

        // The details page follows the cluster to Running, condition by condition.
        await Expect(page).ToHaveURLAsync(new Regex("#/clusters/web-demo$"));
        await Expect(console.Status).ToHaveTextAsync("Running", Eventually);
        var conditions = page.Locator("[data-condition]");
        (await conditions.CountAsync()).Should().BeGreaterThan(1);
        foreach (var condition in await conditions.AllAsync())
            await Expect(condition).ToContainTextAsync("True");
        await Expect(page.GetByTestId("hourly-cost")).ToHaveTextAsync(new Regex(@"^\$\d+\.\d{4}/h$"));
        await Expect(page.GetByTestId("node-pools")).ToContainTextAsync("dedicated=apps:NoSchedule");
        (await page.GetByTestId("events").Locator("tr").CountAsync()).Should().BeGreaterThan(0);
        await console.ScreenshotAsync("04-details-running");

        var download = await page.RunAndWaitForDownloadAsync(() => console.Button("Download kubeconfig").ClickAsync());
        download.SuggestedFilename.Should().Be("web-demo.kubeconfig");
        var kubeconfig = await File.ReadAllTextAsync((await download.PathAsync())!);
        kubeconfig.Should().Contain("kind: Config").And.Contain("client-certificate-data").And.Contain("web-demo");
        // The issue is listed on the page: who, in which group, until when.
        var issued = page.GetByTestId("kubeconfigs").Locator("tr[data-serial]");
        await Expect(issued).ToHaveCountAsync(1);
        await Expect(issued).ToContainTextAsync("palette:user:console-user");
        await Expect(issued).ToContainTextAsync("palette:cluster-admins");

        // Scale: the update plan first (a dry run), then apply.
        await console.OpenSettingsMenuAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Scale node pools" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("workers (worker) nodes").FillAsync("2");
        await console.Button("Review plan").ClickAsync();
        var plan = dialog.GetByTestId("change-plan");
        await Expect(plan).ToContainTextAsync("ScaleOut");
        await Expect(plan).ToContainTextAsync("1 added");
        await Expect(plan.Locator(".cost")).ToHaveTextAsync(new Regex(@"\$\d+\.\d{4}/h → \$\d+\.\d{4}/h"));
        await console.ScreenshotAsync("05-scale-plan");
        await console.Button("Apply").ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
        await Expect(page.Locator("tr[data-pool=workers] td").Nth(2)).ToHaveTextAsync("2");
        await Expect(console.Status).ToHaveTextAsync("Running", Eventually);
        await Expect(page.Locator("dl.summary")).ToContainTextAsync("2 of 2 applied");

        // Add a pool: a bad value is shown beside its input in the dialog, and nothing is applied.
        await console.OpenSettingsMenuAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Add node pool" }).ClickAsync();
        await dialog.GetByLabel("Number of nodes").FillAsync("0");
        await console.Button("Review plan").ClickAsync();
        await Expect(dialog.Locator("[data-error-for='count']")).ToContainTextAsync("500");
        await Expect(dialog.GetByLabel("Number of nodes")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(console.Button("Apply")).ToBeDisabledAsync();
        await console.Button("Cancel").ClickAsync();
        await Expect(page.Locator("tr[data-pool]")).ToHaveCountAsync(2);

        // Delete: OK only once the name is typed again; then Deleting, force delete waiting on its countdown, Deleted.
        await console.OpenSettingsMenuAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Delete Cluster", Exact = true }).ClickAsync();
        await Expect(console.Button("OK")).ToBeDisabledAsync();
        await dialog.GetByLabel("Cluster name").FillAsync("web-dem");
        await Expect(console.Button("OK")).ToBeDisabledAsync();
        await dialog.GetByLabel("Cluster name").FillAsync("web-demo");
        await console.ScreenshotAsync("06-delete-confirm");
        await console.Button("OK").ClickAsync();
        await Expect(console.Status).ToHaveTextAsync("Deleted", Eventually);
        await Expect(page.GetByTestId("node-pools")).ToContainTextAsync("workers");

        await page.GetByRole(AriaRole.Link, new() { Name = "← Clusters" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Clusters" })).ToBeVisibleAsync();
        await Expect(page.GetByText("No clusters yet.")).ToBeVisibleAsync();
        await page.GetByLabel("Deleted (show clusters deleted in the last 72 hours)").CheckAsync();
        await Expect(page.Locator("tr[data-cluster=web-demo]")).ToContainTextAsync("Deleted");
        await console.ScreenshotAsync("07-clusters-deleted-filter");
        violations.Should().BeEmpty("every page of the walk runs under the Content-Security-Policy");
    }

    [Fact]
    public async Task Force_delete_is_disabled_with_a_live_countdown_while_a_delete_runs_and_opens_when_its_time_comes()
    {
        const string project = "stuck";
        await fixture.SeedAsync(project, "stuck-key");
        await CreateThroughTheApiAsync(project, "stuck", "stuck-key");
        var console = new ConsolePage(fixture, await fixture.NewPageAsync(), project);
        var page = console.Page;
        await console.SignInAsync();
        await page.Locator("tr[data-cluster=stuck] a").ClickAsync();
        await Expect(console.Status).ToHaveTextAsync("Running", Eventually);
        // Someone else's load balancer in the cluster's VPC: the delete waits on it, so the cluster stays Deleting.
        await fixture.BlockDeleteAsync(project, "stuck");

        // At the stack's time scale the delete's 15 minutes pass in under two seconds of real time, too short a
        // window to look at reliably: while the page shows the countdown, the API's answers say 12:34 are left.
        var clusterPath = new Regex(@"/v1/projects/stuck/clusters/stuck\?includeDeleted=true$");
        await page.RouteAsync(clusterPath, async route =>
        {
            var response = await route.FetchAsync();
            var cluster = System.Text.Json.Nodes.JsonNode.Parse(await response.TextAsync())!;
            if ((string?)cluster["status"] == "Deleting")
                cluster["forceDeleteSecondsLeft"] = 754;
            await route.FulfillAsync(new() { Response = response, Body = cluster.ToJsonString() });
        });
        await console.OpenSettingsMenuAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Delete Cluster", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByLabel("Cluster name").FillAsync("stuck");
        await console.Button("OK").ClickAsync();
        await Expect(console.Status).ToHaveTextAsync("Deleting");
        await console.OpenSettingsMenuAsync();
        var forceDelete = page.GetByRole(AriaRole.Menuitem, new() { Name = "Force Delete Cluster" });
        var countdown = page.GetByTestId("force-delete-countdown");
        await Expect(forceDelete).ToBeDisabledAsync();
        await Expect(countdown).ToHaveTextAsync(new Regex(@"^available in 1[0-2]:\d\d$"));
        await console.ScreenshotAsync("08-force-delete-countdown");
        await page.UnrouteAsync(clusterPath);

        // The delete's 15-minute timer (scaled) opens force delete; the countdown follows it.
        await Expect(countdown).ToHaveTextAsync("available now", new() { Timeout = 120_000 });
        await Expect(forceDelete).ToBeEnabledAsync();
        await forceDelete.ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Force Delete", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Dialog)).ToContainTextAsync("Left behind:");
        await console.ScreenshotAsync("09-force-delete-report");
        await console.Button("Close").ClickAsync();
        await Expect(console.Status).ToHaveTextAsync("Deleted", Eventually);
    }

    [Fact]
    public async Task A_bad_field_is_shown_beside_its_input_and_nothing_typed_is_lost()
    {
        const string project = "mistakes";
        await fixture.SeedAsync(project, "mistakes-key");
        var console = new ConsolePage(fixture, await fixture.NewPageAsync(), project);
        var page = console.Page;
        await console.SignInAsync();
        await console.FillWizardAsync("Bad_Name", "mistakes-key", controlPlaneCount: "2");
        await console.Button("Validate").ClickAsync();

        // The API's 400 names each field; the wizard opens the first step with one and marks the input.
        var name = page.GetByLabel("Cluster name");
        await Expect(name).ToBeVisibleAsync();
        await Expect(name).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.Locator("[data-error-for='name']")).ToContainTextAsync("lowercase");
        await Expect(name).ToHaveValueAsync("Bad_Name");
        await Expect(page.GetByLabel("Description")).ToHaveValueAsync("made in the console");
        await console.ScreenshotAsync("10-field-error");

        await console.Button("Next").ClickAsync();
        await console.Button("Next").ClickAsync();
        await console.Button("Next").ClickAsync();
        await console.Button("Next").ClickAsync();
        await Expect(page.Locator("[data-error-for='nodePools[0].count']")).ToContainTextAsync("1, 3 or 5");
        await Expect(page.Locator("fieldset.pool").Nth(1).GetByLabel("Key")).ToHaveValueAsync("dedicated");

        // Fixed, it validates.
        await page.Locator("fieldset.pool").Nth(0).GetByLabel("Number of nodes").FillAsync("1");
        await console.Button("Back").ClickAsync();
        await console.Button("Back").ClickAsync();
        await console.Button("Back").ClickAsync();
        await console.Button("Back").ClickAsync();
        await name.FillAsync("good-name");
        for (var step = 0; step < 5; step++)
            await console.Button("Next").ClickAsync();
        await console.Button("Validate").ClickAsync();
        await Expect(page.GetByTestId("estimated-cost")).ToBeVisibleAsync();
        await Expect(page.Locator("[aria-invalid=true]")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_viewer_sees_no_create_or_delete_buttons_and_the_pages_fit_a_phone()
    {
        const string project = "lookers";
        await fixture.SeedAsync(project, "lookers-key");
        await CreateThroughTheApiAsync(project, "seen", "lookers-key");
        var console = new ConsolePage(fixture, await fixture.NewPageAsync(390, 844), project);
        var page = console.Page;
        await console.SignInAsync("project-viewer");
        await Expect(page.Locator("tr[data-cluster=seen]")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Add New Cluster" })).ToHaveCountAsync(0);
        await console.ScreenshotAsync("11-viewer-clusters-phone");

        await page.Locator("tr[data-cluster=seen] a").ClickAsync();
        await Expect(console.Status).ToHaveTextAsync("Running", Eventually);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Settings" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Menuitem)).ToHaveCountAsync(0);
        var overflow = await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth");
        overflow.Should().BeFalse("the page fits a phone's width (wide tables scroll inside their own box)");
        await console.ScreenshotAsync("12-viewer-details-phone");
    }

    [Fact]
    public async Task A_running_clusters_details_page_lists_each_pools_nodes_with_their_ids()
    {
        const string project = "nodelist";
        await fixture.SeedAsync(project, "nodelist-key");
        await CreateThroughTheApiAsync(project, "listed", "nodelist-key");
        var console = new ConsolePage(fixture, await fixture.NewPageAsync(), project);
        var page = console.Page;
        await console.SignInAsync("project-viewer");
        await page.Locator("tr[data-cluster=listed] a").ClickAsync();
        await Expect(console.Status).ToHaveTextAsync("Running", Eventually);

        var ids = await fixture.RunningInstanceIdsAsync(project, "listed");
        ids.Should().HaveCount(2);
        var nodes = page.GetByTestId("nodes");
        // The page's polling brings the nodes as EC2 has them now: every one running, each under its pool.
        await Expect(nodes.Locator("tr[data-node]")).ToHaveCountAsync(2, new() { Timeout = 30_000 });
        foreach (var id in ids)
        {
            var row = nodes.Locator($"tr[data-node='{id}']");
            await Expect(row).ToContainTextAsync(id);
            await Expect(row).ToContainTextAsync("running", new() { Timeout = 30_000 });
            await Expect(row).ToContainTextAsync("us-east-1a");
            await Expect(row).ToContainTextAsync("m5.large");
        }
        await Expect(nodes.Locator("[data-node-pool=cp] tr[data-node]")).ToHaveCountAsync(1);
        await Expect(nodes.Locator("[data-node-pool=workers] tr[data-node]")).ToHaveCountAsync(1);
        await Expect(nodes.Locator("[data-node-pool=cp] tr[data-node]")).ToContainTextAsync(new Regex("PacksApplied|Ready"));
        await Expect(page.GetByTestId("nodes-warning")).ToHaveCountAsync(0);
        // The pools table is unchanged: one row per pool.
        await Expect(page.Locator("tr[data-pool]")).ToHaveCountAsync(2);
        await console.ScreenshotAsync("13-details-nodes");
    }

    private async Task CreateThroughTheApiAsync(string project, string name, string keyName)
    {
        using var api = fixture.Api(project);
        var created = await api.PostAsync($"/v1/projects/{project}/clusters", ConsoleFixture.Json(ClusterJson(name, keyName)));
        created.IsSuccessStatusCode.Should().BeTrue(await created.Content.ReadAsStringAsync());
    }

    private static string ClusterJson(string name, string keyName) => $$"""
        {"name":"{{name}}","cloudAccount":"main","profile":{"name":"ubuntu-k8s","version":"1.0.0"},
         "cloud":{"region":"us-east-1","sshKeyName":"{{keyName}}"},
         "nodePools":[
          {"name":"cp","role":"control-plane","count":1,"instanceType":"m5.large","availabilityZones":["us-east-1a"]},
          {"name":"workers","role":"worker","count":1,"instanceType":"m5.large","availabilityZones":["us-east-1a"]}]}
        """;
}
