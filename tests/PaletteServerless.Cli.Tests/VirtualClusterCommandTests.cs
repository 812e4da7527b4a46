using System.Text.Json.Nodes;

namespace PaletteServerless.Cli.Tests;

/// <summary>`psctl vclusters`: create, watch to Running, list, the kubeconfig to a 0600 file, delete to gone.</summary>
[Collection(PsctlStackCollection.Name)]
public sealed class VirtualClusterCommandTests(PsctlStack stack)
{
    private const string HostProfile = """
        name: vc-host
        version: "1.0.0"
        packs:
          - {layer: os, name: ubuntu, version: "22.04", values: ""}
          - {layer: k8s, name: kubernetes, version: 1.32.4, values: "podCIDR: 192.168.0.0/16"}
          - {layer: cni, name: calico, version: 3.30.0, values: "mtu: 1440"}
          - {layer: csi, name: aws-ebs-csi, version: 1.30.0, values: "storageClass: gp3"}
        """;

    [Fact]
    public async Task Vclusters_create_get_list_kubeconfig_and_delete()
    {
        using var user = await Samples.LoggedInUserAsync(stack, "vclusters");
        (await user.RunAsync("profiles", "create", "-f", user.File("host.yaml", HostProfile))).ExitCode.Should().Be(0);
        var spec = Samples.Cluster("cli-vhost").Replace("name: ubuntu-k8s", "name: vc-host", StringComparison.Ordinal)
            + "\nsettings:\n  virtualClusters: {enabled: true}\n";
        var created = await user.RunAsync("clusters", "create", "-f", user.File("cluster.yaml", spec), "--wait");
        created.ExitCode.Should().Be(0, created.ToString());

        var vcluster = await user.RunAsync("vclusters", "create", "cli-vhost", "dev");
        vcluster.ExitCode.Should().Be(0, vcluster.ToString());
        vcluster.Out.Should().Contain("virtual cluster dev is Pending");
        (await user.RunAsync("vclusters", "create", "cli-vhost", "Dev")).Error.Should().Contain("name");

        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        string status;
        do
        {
            var got = await user.RunAsync("vclusters", "get", "cli-vhost", "dev", "-o", "json");
            status = JsonNode.Parse(got.Out)!["status"]!.GetValue<string>();
            if (status == "Running")
                break;
            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);
        status.Should().Be("Running");

        var list = await user.RunAsync("vclusters", "list", "cli-vhost");
        list.Out.Should().Contain("NAME").And.Contain("dev").And.Contain("Running").And.Contain("vcluster-dev");

        var path = Path.Combine(user.WorkDirectory, "dev.kubeconfig");
        var kubeconfig = await user.RunAsync("vclusters", "kubeconfig", "cli-vhost", "dev", "-f", path);
        kubeconfig.ExitCode.Should().Be(0, kubeconfig.ToString());
        File.ReadAllText(path).Should().Contain("kind: Config");
        if (!OperatingSystem.IsWindows())
            File.GetUnixFileMode(path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);

        (await user.RunAsync("vclusters", "delete", "cli-vhost", "dev")).Out.Should().Contain("Deleting");
        deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        PsctlResult gone;
        do
        {
            gone = await user.RunAsync("vclusters", "get", "cli-vhost", "dev");
            if (gone.ExitCode != 0)
                break;
            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);
        gone.Error.Should().Contain("not found");

        (await user.RunAsync("clusters", "delete", "cli-vhost", "--yes", "--wait")).ExitCode.Should().Be(0);
    }
}
