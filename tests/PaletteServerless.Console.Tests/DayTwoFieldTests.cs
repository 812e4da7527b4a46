using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace PaletteServerless.Console.Tests;

/// <summary>
/// Every field the API takes can be set in the console after create too: description, tags, worker pool updates and
/// settings (Edit cluster), a pool's labels, rolling update and health check (Edit node pool), and removing a pool;
/// each change shows its plan first, and the details page shows what was set.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class DayTwoFieldTests(ConsoleFixture fixture)
{
    private static readonly LocatorAssertionsToHaveTextOptions Eventually = new() { Timeout = 120_000 };

    [Fact]
    public async Task Edit_cluster_edit_node_pool_and_remove_node_pool_change_the_fields_the_details_page_shows()
    {
        const string project = "dayfields";
        await fixture.SeedAsync(project, "fields-key");
        using (var api = fixture.Api(project))
        {
            var created = await api.PostAsync($"/v1/projects/{project}/clusters", ConsoleFixture.Json("""
                {"name":"fields","cloudAccount":"main","profile":{"name":"ubuntu-k8s","version":"1.0.0"},
                 "cloud":{"region":"us-east-1","sshKeyName":"fields-key","apiLoadBalancer":"internal"},
                 "tags":{"team":"web","stage":"test"},
                 "nodePools":[
                  {"name":"cp","role":"control-plane","count":1,"instanceType":"m5.large","availabilityZones":["us-east-1a"]},
                  {"name":"workers","role":"worker","count":1,"instanceType":"m5.large","availabilityZones":["us-east-1a"]},
                  {"name":"extra","role":"worker","count":1,"instanceType":"m5.large","availabilityZones":["us-east-1a"]}]}
                """));
            created.IsSuccessStatusCode.Should().BeTrue(await created.Content.ReadAsStringAsync());
        }
        var console = new ConsolePage(fixture, await fixture.NewPageAsync(), project);
        var page = console.Page;
        var violations = console.ContentSecurityPolicyViolations();
        await console.SignInAsync();
        await page.Locator("tr[data-cluster=fields] a").ClickAsync();
        await Expect(console.Status).ToHaveTextAsync("Running", Eventually);
        await Expect(page.Locator("dl.summary")).ToContainTextAsync("internal");
        await Expect(page.GetByTestId("description")).ToHaveTextAsync("—");

        // Edit cluster: description, tags (one removed, one added) and a setting; the plan first, then Apply.
        var dialog = page.GetByRole(AriaRole.Dialog);
        await console.OpenSettingsMenuAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Edit cluster" }).ClickAsync();
        await Expect(dialog.GetByLabel("Tags (key=value, one per line)")).ToHaveValueAsync("team=web\nstage=test");
        await dialog.GetByLabel("Description").FillAsync("the web team's cluster");
        await dialog.GetByLabel("Tags (key=value, one per line)").FillAsync("team=web\nowner=ana");
        await dialog.GetByLabel("Patch schedule (cron)").FillAsync("0 3 * * SUN");
        await dialog.GetByLabel("Apply OS security updates on boot, before a node joins").CheckAsync();
        await console.Button("Review plan").ClickAsync();
        await Expect(dialog.GetByTestId("change-plan")).ToBeVisibleAsync();
        await console.ScreenshotAsync("20-edit-cluster-plan");
        await console.Button("Apply").ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
        await Expect(page.GetByTestId("description")).ToHaveTextAsync("the web team's cluster");
        await Expect(page.GetByTestId("tags")).ToHaveTextAsync(new Regex("^(team=web, owner=ana|owner=ana, team=web)$"));
        await Expect(page.GetByTestId("settings")).ToContainTextAsync("0 3 * * SUN");
        await Expect(page.GetByTestId("settings")).ToContainTextAsync("OS patch on boot");
        await Expect(console.Status).ToHaveTextAsync("Running", Eventually);

        // A bad setting is shown beside its input, and nothing is applied.
        await console.OpenSettingsMenuAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Edit cluster" }).ClickAsync();
        await dialog.GetByLabel("Patch schedule (cron)").FillAsync("every sunday");
        await console.Button("Review plan").ClickAsync();
        await Expect(dialog.Locator("[data-error-for='settings.patchSchedule']")).Not.ToBeEmptyAsync();
        await Expect(console.Button("Apply")).ToBeDisabledAsync();
        await console.Button("Cancel").ClickAsync();

        // Edit node pool: labels, the rolling update and the health check.
        await console.OpenSettingsMenuAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Edit node pool" }).ClickAsync();
        await dialog.GetByLabel("Pool", new() { Exact = true }).SelectOptionAsync("workers");
        await dialog.GetByLabel("Node labels (one per line, e.g. tier=apps)").FillAsync("tier=web");
        await dialog.GetByLabel("Max surge (count or %)").FillAsync("2");
        await dialog.GetByLabel("Max unavailable (count or %)").FillAsync("0");
        await dialog.GetByLabel("Max unhealthy (count or %)").FillAsync("40%");
        await dialog.GetByLabel("Node startup timeout (minutes)").FillAsync("20");
        await console.Button("Review plan").ClickAsync();
        await Expect(dialog.GetByTestId("change-plan")).ToContainTextAsync("workers");
        await console.Button("Apply").ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
        var workers = page.Locator("tr[data-pool=workers]");
        await Expect(workers).ToContainTextAsync("tier=web");
        await Expect(workers).ToContainTextAsync("surge 2, unavailable 0");
        await Expect(workers).ToContainTextAsync("max unhealthy 40%, startup 20 min");
        await Expect(console.Status).ToHaveTextAsync("Running", Eventually);

        // Remove node pool: its plan, then the pool goes.
        await console.OpenSettingsMenuAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Remove node pool" }).ClickAsync();
        await dialog.GetByLabel("Worker pool").SelectOptionAsync("extra");
        await console.Button("Review plan").ClickAsync();
        await Expect(dialog.GetByTestId("change-plan")).ToContainTextAsync("extra");
        await console.ScreenshotAsync("21-remove-pool-plan");
        await console.Button("Apply").ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
        await Expect(page.Locator("tr[data-pool]")).ToHaveCountAsync(2);
        await Expect(console.Status).ToHaveTextAsync("Running", Eventually);
        await console.ScreenshotAsync("22-details-after-day-two");
        violations.Should().BeEmpty("the route file is a JSON module the Content-Security-Policy allows");
        await fixture.DeleteClusterAsync(project, "fields");
    }

    [Fact]
    public async Task The_wizard_sets_the_API_load_balancers_scheme_and_its_review_shows_it()
    {
        const string project = "lbscheme";
        await fixture.SeedAsync(project, "scheme-key");
        var console = new ConsolePage(fixture, await fixture.NewPageAsync(), project);
        var page = console.Page;
        await console.SignInAsync();
        await console.FillWizardAsync("internal-api", "scheme-key");
        // Back to Cluster configuration (the steps keep what was typed), choose internal, on to Validate.
        await console.Button("Back").ClickAsync();
        await console.Button("Back").ClickAsync();
        await page.GetByLabel("Kubernetes API load balancer").SelectOptionAsync("internal");
        await console.Button("Next").ClickAsync();
        await console.Button("Next").ClickAsync();
        await console.Button("Validate").ClickAsync();

        await Expect(page.GetByText("Preflight passed")).ToBeVisibleAsync();
        await Expect(page.Locator("dl.summary")).ToContainTextAsync("API load balancerinternal");
    }
}
