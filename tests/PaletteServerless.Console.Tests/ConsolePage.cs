using System.Net;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace PaletteServerless.Console.Tests;

/// <summary>What the tests do in the console, as a person would: by labels, roles and visible text.</summary>
public sealed class ConsolePage(ConsoleFixture fixture, IPage page, string project)
{
    public IPage Page => page;

    public async Task SignInAsync(string role = "project-admin")
    {
        await page.GotoAsync("/");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to the local stack" })).ToBeVisibleAsync();
        await page.GetByLabel("Tenant").FillAsync("acme");
        await page.GetByLabel("Project").FillAsync(project);
        await page.GetByLabel("Role").SelectOptionAsync(role);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Clusters" })).ToBeVisibleAsync();
    }

    public Task ScreenshotAsync(string name) => fixture.ScreenshotOf(page, name);

    /// <summary>What the browser reports as refused by the page's Content-Security-Policy from now on (chromium logs each one).</summary>
    public IReadOnlyList<string> ContentSecurityPolicyViolations()
    {
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
                lock (violations)
                    violations.Add(message.Text);
        };
        return violations;
    }

    public ILocator Button(string name) => page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    /// <summary>Whether a dropdown route of the cloud account answers (another change adds them; until then the wizard takes free text).</summary>
    public async Task<bool> RouteAnswersAsync(string pathAfterRegion)
    {
        using var api = fixture.Api(project);
        var response = await api.GetAsync($"/v1/projects/{project}/cloudaccounts/main/regions/us-east-1/{pathAfterRegion}");
        return response.StatusCode != HttpStatusCode.NotFound;
    }

    /// <summary>Sets a value that is a dropdown when its route answers and a text input when it is not there.</summary>
    public async Task ChooseAsync(ILocator control, string value, bool dropdown)
    {
        // The options arrive after the step opens: the input becomes a dropdown once they are there.
        await Expect(control).ToHaveJSPropertyAsync("tagName", dropdown ? "SELECT" : "INPUT");
        if (dropdown)
            await control.SelectOptionAsync(value);
        else
            await control.FillAsync(value);
    }

    public async Task ChooseZoneAsync(ILocator pool, string zone, bool dropdown)
    {
        if (dropdown)
            await pool.GetByRole(AriaRole.Checkbox, new() { Name = zone }).CheckAsync();
        else
            await ChooseAsync(pool.GetByLabel("Availability zones"), zone, dropdown: false);
    }

    /// <summary>Walks the wizard's first five steps with a valid cluster, leaving it on Settings.</summary>
    public async Task FillWizardAsync(string name, string keyName, string controlPlaneCount = "1")
    {
        var keyPairs = await RouteAnswersAsync("keypairs");
        var zones = await RouteAnswersAsync("availabilityzones");
        await page.GetByRole(AriaRole.Link, new() { Name = "Add New Cluster" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Deploy New Cluster · AWS" })).ToBeVisibleAsync();
        // 1. Basic information
        await page.GetByLabel("Cluster name").FillAsync(name);
        await page.GetByLabel("Description").FillAsync("made in the console");
        await page.GetByLabel("Tags (key=value, one per line)").FillAsync("team=platform");
        await Expect(page.GetByLabel("Cloud account")).ToHaveValueAsync("main");
        await Button("Next").ClickAsync();
        // 2. Cluster profile
        await page.GetByLabel("Cluster profile").SelectOptionAsync(new SelectOptionValue { Label = "ubuntu-k8s 1.0.0" });
        await Button("Next").ClickAsync();
        // 3. Parameters: each pack's YAML, starting from the profile's
        var calico = page.GetByLabel("cni · calico 3.27.0");
        await Expect(calico).ToHaveValueAsync("mtu: 1440");
        await calico.FillAsync("mtu: 1400");
        await Button("Next").ClickAsync();
        // 4. Cluster configuration
        await Expect(page.GetByLabel("Region")).ToHaveValueAsync("us-east-1");
        await ChooseAsync(page.GetByLabel("SSH key pair"), keyName, keyPairs);
        await Button("Next").ClickAsync();
        // 5. Node pools
        var pools = page.Locator("fieldset.pool");
        await Expect(pools).ToHaveCountAsync(2);
        await pools.Nth(0).GetByLabel("Number of nodes").FillAsync(controlPlaneCount);
        await ChooseZoneAsync(pools.Nth(0), "us-east-1a", zones);
        await ChooseZoneAsync(pools.Nth(1), "us-east-1a", zones);
        await pools.Nth(1).GetByRole(AriaRole.Switch, new() { Name = "Taint" }).CheckAsync();
        await pools.Nth(1).GetByLabel("Key").FillAsync("dedicated");
        await pools.Nth(1).GetByLabel("Value").FillAsync("apps");
        await pools.Nth(1).GetByLabel("Effect").SelectOptionAsync("NoSchedule");
        await Button("Next").ClickAsync();
        // 6. Settings
        await page.GetByLabel("Patch schedule (cron)").FillAsync("0 3 * * SUN");
    }

    public async Task OpenSettingsMenuAsync()
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Menu)).ToBeVisibleAsync();
    }

    public ILocator Status => page.GetByTestId("status");
}
