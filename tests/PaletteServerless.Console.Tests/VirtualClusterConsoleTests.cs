using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace PaletteServerless.Console.Tests;

/// <summary>The details page's Virtual clusters section: create one, see it reach Running, download its kubeconfig, delete it.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class VirtualClusterConsoleTests(ConsoleFixture fixture)
{
    private static readonly LocatorAssertionsToHaveTextOptions Eventually = new() { Timeout = 120_000 };

    private const string HostProfile = """
        {"name":"vc-host","version":"1.0.0","packs":[
          {"layer":"os","name":"ubuntu","version":"22.04","values":""},
          {"layer":"k8s","name":"kubernetes","version":"1.32.4","values":"podCIDR: 192.168.0.0/16"},
          {"layer":"cni","name":"calico","version":"3.30.0","values":"mtu: 1440"},
          {"layer":"csi","name":"aws-ebs-csi","version":"1.30.0","values":"storageClass: gp3"}]}
        """;

    [Fact]
    public async Task The_details_page_creates_a_virtual_cluster_shows_it_Running_downloads_its_kubeconfig_and_deletes_it()
    {
        const string project = "vclusters";
        await fixture.SeedAsync(project, "vclusters-key");
        using (var api = fixture.Api(project))
        {
            var profile = await api.PostAsync($"/v1/projects/{project}/clusterprofiles", ConsoleFixture.Json(HostProfile));
            profile.IsSuccessStatusCode.Should().BeTrue(await profile.Content.ReadAsStringAsync());
            var created = await api.PostAsync($"/v1/projects/{project}/clusters", ConsoleFixture.Json("""
                {"name":"vhost","cloudAccount":"main","profile":{"name":"vc-host","version":"1.0.0"},
                 "cloud":{"region":"us-east-1","sshKeyName":"vclusters-key"},
                 "nodePools":[
                  {"name":"cp","role":"control-plane","count":1,"instanceType":"m5.large","availabilityZones":["us-east-1a"]},
                  {"name":"workers","role":"worker","count":1,"instanceType":"m5.large","availabilityZones":["us-east-1a"]}],
                 "settings":{"virtualClusters":{"enabled":true}}}
                """));
            created.IsSuccessStatusCode.Should().BeTrue(await created.Content.ReadAsStringAsync());
        }
        var console = new ConsolePage(fixture, await fixture.NewPageAsync(), project);
        var page = console.Page;
        await console.SignInAsync();
        await page.Locator("tr[data-cluster=vhost] a").ClickAsync();
        await Expect(console.Status).ToHaveTextAsync("Running", Eventually);
        var rows = page.GetByTestId("virtual-clusters");
        await Expect(rows).ToContainTextAsync("No virtual clusters.");

        // A name that is not a DNS label is shown beside its input.
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Dev");
        await console.Button("Create virtual cluster").ClickAsync();
        await Expect(page.Locator("[data-error-for=name]")).ToContainTextAsync("lowercase");

        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("dev");
        await console.Button("Create virtual cluster").ClickAsync();
        var row = rows.Locator("tr[data-vcluster=dev]");
        await Expect(row).ToContainTextAsync("vcluster-dev");
        await Expect(row.Locator(".status")).ToHaveTextAsync("Running", Eventually);

        var download = await page.RunAndWaitForDownloadAsync(() => row.GetByRole(AriaRole.Button, new() { Name = "Download kubeconfig" }).ClickAsync());
        download.SuggestedFilename.Should().Be("vhost-dev.kubeconfig");
        var path = await download.PathAsync();
        File.ReadAllText(path!).Should().Contain("kind: Config");
        await console.ScreenshotAsync("14-details-virtual-clusters");

        await row.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(rows).ToContainTextAsync("No virtual clusters.", new() { Timeout = 120_000 });
        await fixture.DeleteClusterAsync(project, "vhost");
    }
}
