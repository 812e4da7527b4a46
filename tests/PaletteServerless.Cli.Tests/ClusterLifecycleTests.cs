using System.Text.Json.Nodes;
using PaletteServerless.Cli.Specs;

namespace PaletteServerless.Cli.Tests;

[Collection(PsctlStackCollection.Name)]
public sealed class ClusterLifecycleTests(PsctlStack stack)
{
    private const char Escape = '\u001b';

    [Fact]
    public async Task Create_wait_describe_and_delete_wait_drive_a_cluster_from_a_yaml_spec_to_Running_and_to_Deleted()
    {
        using var user = await Samples.LoggedInUserAsync(stack, "life");
        var spec = user.File("cluster.yaml", Samples.Cluster("cli-life"));

        var dryRun = await user.RunAsync("clusters", "create", "-f", spec, "--dry-run");
        dryRun.ExitCode.Should().Be(0, dryRun.ToString());
        dryRun.Out.Should().Contain("valid").And.Contain("ec2:natgateway").And.MatchRegex(@"estimated \$[0-9.]+ per hour");
        dryRun.Out.Should().MatchRegex(@"packs: .*aws-cloud-controller-manager 1\.[0-9]+\.[0-9]+ \(every cluster\)", "every plan lists the cloud controller manager");

        var create = await user.RunAsync("clusters", "create", "-f", spec, "--wait");
        create.ExitCode.Should().Be(0, create.ToString());
        create.Out.Should().Contain("cluster cli-life accepted").And.EndWith("cluster cli-life is Running" + Environment.NewLine);
        create.Out.Should().MatchRegex(@"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ  done  VpcReady  Created  \(\d+s\)");
        create.Out.Should().Contain("done  ControlPlaneHealthy").And.Contain("done  Running  Running");
        create.Out.Should().NotContain(Escape.ToString(), "without a terminal there are no control codes");

        var describe = await user.RunAsync("clusters", "describe", "cli-life");
        describe.ExitCode.Should().Be(0, describe.ToString());
        describe.Out.Should().Contain("cluster cli-life  Running")
            .And.Contain("[x] VpcReady  True  Created")
            .And.Contain("[x] ControlPlaneHealthy")
            .And.Contain("workers  worker  2 x m5.large on-demand")
            .And.Contain("taints: dedicated=apps:NoSchedule")
            .And.Contain("nodes: 2 requested; instances: every node reported Ready, and the first control plane its packs applied")
            .And.Contain("last events")
            .And.MatchRegex(@"hourly cost: \$0\.\d+ estimated from list prices");
        describe.Out.Should().NotContain(Escape.ToString());

        var json = await user.RunAsync("clusters", "get", "cli-life", "-o", "json");
        var cluster = JsonNode.Parse(json.Out)!;
        cluster["status"]!.GetValue<string>().Should().Be("Running");
        cluster["nodePools"]![1]!["taints"]![0]!["effect"]!.GetValue<string>().Should().Be("NoSchedule");
        var yaml = await user.RunAsync("clusters", "get", "cli-life", "-o", "yaml");
        JsonNode.DeepEquals(YamlJson.ToJson(yaml.Out), cluster).Should().BeTrue("-o yaml is the same document as -o json:\n" + yaml.Out);

        var list = await user.RunAsync("clusters", "list");
        list.Out.Should().MatchRegex(@"cli-life\s+Running\s+us-east-1\s+3");
        list.Out.Split('\n').Should().OnlyContain(line => !line.EndsWith(' '), "piped tables carry no padding at line ends");

        var kubeconfig = await user.RunAsync("clusters", "kubeconfig", "cli-life");
        kubeconfig.ExitCode.Should().Be(0, kubeconfig.ToString());
        kubeconfig.Out.Should().StartWith("apiVersion: v1").And.Contain("client-certificate-data:").And.Contain(":6443");
        var kubeconfigFile = user.File("kubeconfig", "an older file, replaced");
        var written = await user.RunAsync("clusters", "kubeconfig", "cli-life", "--ttl-hours", "2", "--file", kubeconfigFile);
        written.ExitCode.Should().Be(0, written.ToString());
        written.Out.Should().MatchRegex(@"kubeconfig for \S+ \(palette:cluster-admins\), valid until \S+, written to ");
        File.ReadAllText(kubeconfigFile).Should().Contain("current-context: cli-life");
        if (!OperatingSystem.IsWindows())
            File.GetUnixFileMode(kubeconfigFile).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var tooLong = await user.RunAsync("clusters", "kubeconfig", "cli-life", "--ttl-hours", "48");
        tooLong.ExitCode.Should().Be(1, tooLong.ToString());
        tooLong.Error.Should().Contain("ttlHours: must be a whole number from 1 to 24");

        // Both issues are listed, newest last; a viewer of the project sees none of them (only its own).
        var issued = await user.RunAsync("kubeconfigs", "list", "cli-life");
        issued.ExitCode.Should().Be(0, issued.ToString());
        issued.Out.Should().MatchRegex(@"SUBJECT\s+GROUP\s+SERIAL\s+ISSUED\s+EXPIRES\s+ISSUED TO");
        var rows = issued.Out.Split('\n').Where(l => l.StartsWith("palette:user:", StringComparison.Ordinal)).ToList();
        rows.Should().HaveCount(2).And.OnlyContain(r => r.Contains("palette:cluster-admins") && !r.Contains("(expired)"));
        var issuedJson = JsonNode.Parse((await user.RunAsync("kubeconfigs", "list", "cli-life", "-o", "json")).Out)!.AsArray();
        issuedJson.Select(i => i!["serialNumber"]!.GetValue<string>()).Should().OnlyHaveUniqueItems().And.HaveCount(2);
        using (var viewer = new PsctlUser(stack.Endpoint))
        {
            (await viewer.RunAsync("login", "--local", "--tenant", "acme", "--project", "life", "--role", "project-viewer", "--subject", "someone-else")).ExitCode.Should().Be(0);
            (await viewer.RunAsync("kubeconfigs", "list", "cli-life")).Out.Should().Contain("no kubeconfigs issued");
        }

        var delete = await user.RunAsync("clusters", "delete", "cli-life", "--yes", "--wait");
        delete.ExitCode.Should().Be(0, delete.ToString());
        delete.Out.Should().Contain("cluster cli-life is Deleting").And.EndWith("cluster cli-life is Deleted" + Environment.NewLine);
        delete.Out.Should().NotContain(Escape.ToString());

        (await user.RunAsync("clusters", "list")).Out.Should().NotContain("cli-life");
        (await user.RunAsync("clusters", "list", "--deleted")).Out.Should().MatchRegex(@"cli-life\s+Deleted");
        var events = await user.RunAsync("clusters", "events", "cli-life");
        events.Out.Should().Contain("Created").And.Contain("Running").And.Contain("Deleting").And.Contain("Deleted");
        var watch = await user.RunAsync("clusters", "events", "cli-life", "--watch");
        watch.ExitCode.Should().Be(0, "a watch ends by itself once the cluster is Deleted");
        (await user.RunAsync("orphans", "list")).Out.Should().Contain("no orphans");
    }

    [Fact]
    public async Task A_bad_spec_exits_1_with_the_field_path_in_yaml_as_in_json_and_creates_nothing()
    {
        using var user = await Samples.LoggedInUserAsync(stack, "bad");
        var yaml = await user.RunAsync("clusters", "create", "-f", user.File("bad.yaml", Samples.Cluster("cli-bad", effect: "NoSchedul")));
        yaml.ExitCode.Should().Be(1, yaml.ToString());
        yaml.Error.Should().Contain("error: 400").And.Contain("nodePools[1].taints[0].effect: ");
        yaml.Error.Should().NotContain("   at ", "never a stack trace");

        var asJson = YamlJson.ToJson(Samples.Cluster("cli-bad", effect: "NoSchedul"))!.ToJsonString();
        var json = await user.RunAsync("clusters", "create", "-f", user.File("bad.json", asJson));
        json.ExitCode.Should().Be(1);
        json.Error.Should().Be(yaml.Error, "a YAML spec gets the same validation and field paths as its JSON");

        var unknownField = await user.RunAsync("clusters", "create", "-f", user.File("typo.yaml", "name: cli-bad\ncloud: {regoin: us-east-1}\n"));
        unknownField.ExitCode.Should().Be(1);
        unknownField.Error.Should().Contain("cloud.regoin: ");

        (await user.RunAsync("clusters", "list", "--deleted")).Out.Should().Contain("no clusters");
    }

    [Fact]
    public async Task Ctrl_C_stops_the_waiting_not_the_create_and_clusters_wait_resumes_it()
    {
        using var user = await Samples.LoggedInUserAsync(stack, "interrupt");
        var spec = user.File("cluster.yaml", Samples.Cluster("cli-interrupt"));

        var interrupted = await user.RunAsync(["clusters", "create", "-f", spec, "--wait"], terminal: false,
            onOutput: (text, ctrlC) =>
            {
                if (text.Contains("accepted", StringComparison.Ordinal))
                    ctrlC.Cancel();
            });
        interrupted.ExitCode.Should().Be(130, interrupted.ToString());
        interrupted.Error.Should().Contain("stopped waiting").And.Contain("psctl clusters wait cli-interrupt");

        var resumed = await user.RunAsync(["clusters", "wait", "cli-interrupt"], terminal: true);
        resumed.ExitCode.Should().Be(0, resumed.ToString());
        resumed.Out.Should().Contain(Escape.ToString(), "on a terminal the progress is a live display")
            .And.Contain("ControlPlaneHealthy").And.Contain("cluster cli-interrupt is Running");

        var typedWrong = await user.RunAsync(["clusters", "delete", "cli-interrupt"], terminal: false, stdin: "cli-interrup\n");
        typedWrong.ExitCode.Should().Be(2);
        typedWrong.Error.Should().Contain("nothing deleted");
        var noAnswer = await user.RunAsync("clusters", "delete", "cli-interrupt");
        noAnswer.ExitCode.Should().Be(2);
        noAnswer.Error.Should().Contain("--yes");
        (await user.RunAsync("clusters", "get", "cli-interrupt")).Out.Should().MatchRegex(@"cli-interrupt\s+Running");

        var typedRight = await user.RunAsync(["clusters", "delete", "cli-interrupt", "--wait"], terminal: false, stdin: "cli-interrupt\n");
        typedRight.ExitCode.Should().Be(0, typedRight.ToString());
        typedRight.Out.Should().Contain("cluster cli-interrupt is Deleted");
    }

    [Fact]
    public async Task A_create_that_fails_its_preflight_ends_the_wait_with_exit_1_the_reason_and_the_last_events()
    {
        using var user = await Samples.LoggedInUserAsync(stack, "failing");
        var spec = Samples.Cluster("cli-failing").Replace($"sshKeyName: {PsctlStack.KeyName}", "sshKeyName: no-such-key", StringComparison.Ordinal);

        var create = await user.RunAsync("clusters", "create", "-f", user.File("cluster.yaml", spec), "--wait");

        create.ExitCode.Should().Be(1, create.ToString());
        create.Out.Should().MatchRegex(@"FAIL  Running  Failed  \(\d+s\)  preflight failed: .*no-such-key");
        create.Error.Should().Contain("cluster cli-failing is Failed, not Running: preflight failed")
            .And.Contain("last events:").And.MatchRegex(@"Warning  Failed  preflight failed");
    }

    [Fact]
    public async Task Waiting_for_Running_on_a_cluster_that_is_being_deleted_exits_1_with_the_reason_and_the_last_events()
    {
        using var user = await Samples.LoggedInUserAsync(stack, "gone");
        (await user.RunAsync("clusters", "create", "-f", user.File("cluster.yaml", Samples.Cluster("cli-gone")))).ExitCode.Should().Be(0);
        (await user.RunAsync("clusters", "delete", "cli-gone", "--yes")).ExitCode.Should().Be(0);

        var wait = await user.RunAsync("clusters", "wait", "cli-gone", "--for", "running");
        wait.ExitCode.Should().Be(1, wait.ToString());
        wait.Error.Should().MatchRegex("cluster cli-gone is (Deleting|Deleted), not Running").And.Contain("last events:").And.Contain("Deleting");
    }
}
