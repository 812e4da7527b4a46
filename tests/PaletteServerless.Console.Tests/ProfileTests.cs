using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using PaletteServerless.Local;
using static Microsoft.Playwright.Assertions;

namespace PaletteServerless.Console.Tests;

/// <summary>The Profiles page (every version, add one) and a cluster's Update profile action, which shows the upgrade's plan first.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ProfileTests(ConsoleFixture fixture)
{
    private static readonly LocatorAssertionsToHaveTextOptions Eventually = new() { Timeout = 120_000 };

    [Fact]
    public async Task The_profiles_page_adds_a_version_and_update_profile_shows_the_Kubernetes_upgrade_plan_before_apply()
    {
        const string project = "profiles";
        await fixture.SeedAsync(project, "profiles-key");
        using (var api = fixture.Api(project))
        {
            var cluster = Walkthrough.SampleCluster.Replace("demo-cluster", "upgradable", StringComparison.Ordinal).Replace("demo-key", "profiles-key", StringComparison.Ordinal);
            (await api.PostAsync($"/v1/projects/{project}/clusters", ConsoleFixture.Json(cluster))).StatusCode.Should().Be(HttpStatusCode.Accepted);
        }
        var console = new ConsolePage(fixture, await fixture.NewPageAsync(), project);
        var page = console.Page;
        await console.SignInAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Profiles" }).ClickAsync();
        await Expect(page.Locator("tr[data-profile='ubuntu-k8s@1.0.0']")).ToContainTextAsync("1.30.4");
        var next = Walkthrough.SampleProfile.Replace("\"version\":\"1.0.0\"", "\"version\":\"1.1.0\"", StringComparison.Ordinal)
            .Replace("\"version\":\"1.30.4\"", "\"version\":\"1.31.2\"", StringComparison.Ordinal);
        await page.GetByLabel(new Regex("^Profile \\(JSON\\)")).FillAsync(next);
        await console.Button("Add version").ClickAsync();
        await Expect(page.Locator("tr[data-profile='ubuntu-k8s@1.1.0']")).ToContainTextAsync("1.31.2");
        // The same version again is refused, and said so.
        await console.Button("Add version").ClickAsync();
        await Expect(page.Locator("form p.error")).ToContainTextAsync("1.1.0");
        await console.ScreenshotAsync("profiles-versions");

        await page.GotoAsync(page.Url.Replace("#/profiles", "#/clusters/upgradable", StringComparison.Ordinal));
        await Expect(console.Status).ToHaveTextAsync("Running", Eventually);
        await console.OpenSettingsMenuAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Update profile" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Version of profile ubuntu-k8s").SelectOptionAsync("1.1.0");
        await console.Button("Review plan").ClickAsync();
        var plan = dialog.GetByTestId("change-plan");
        await Expect(plan.GetByTestId("upgrade")).ToContainTextAsync("Kubernetes 1.30.4 → 1.31.2: control-plane pool cp first");
        await Expect(plan).ToContainTextAsync("1 replaced");
        await Expect(console.Button("Apply")).ToBeEnabledAsync();
        await console.ScreenshotAsync("update-profile-plan");
        await console.Button("Cancel").ClickAsync();
        await fixture.DeleteClusterAsync(project, "upgradable");
    }
}
