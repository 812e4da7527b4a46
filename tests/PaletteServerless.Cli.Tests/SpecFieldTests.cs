using System.Text.Json.Nodes;

namespace PaletteServerless.Cli.Tests;

/// <summary>Every field the API takes can be set with psctl, and describe shows what was set.</summary>
[Collection(PsctlStackCollection.Name)]
public sealed class SpecFieldTests(PsctlStack stack)
{
    private static string Cluster(string name) => $$"""
        name: {{name}}
        description: made by the psctl tests
        tags: {team: cli, stage: test}
        cloudAccount: main
        profile: {name: ubuntu-k8s, version: "1.0.0"}
        updateWorkerPoolsInParallel: true
        cloud:
          region: us-east-1
          sshKeyName: {{PsctlStack.KeyName}}
          apiLoadBalancer: internal
        nodePools:
          - {name: cp, role: control-plane, count: 1, instanceType: m5.large, availabilityZones: [us-east-1a]}
          - name: workers
            role: worker
            count: 1
            instanceType: m5.large
            availabilityZones: [us-east-1a]
            labels: {tier: apps}
            updateStrategy: {maxSurge: 2, maxUnavailable: "50%"}
            healthCheck: {enabled: true, maxUnhealthy: 1, nodeStartupTimeoutMinutes: 15}
        settings:
          patchSchedule: "0 3 * * SUN"
          osPatchOnBoot: true
          backup: {enabled: true, schedule: "0 2 * * *", retentionDays: 7}
          rbac:
            - {type: RoleBinding, namespace: apps, role: edit, subjects: [{kind: Group, name: ops}]}
        """;

    [Fact]
    public async Task Describe_shows_description_tags_settings_and_pool_policies_and_update_flags_change_description_and_tags()
    {
        using var user = await Samples.LoggedInUserAsync(stack, "specfields");
        var created = await user.RunAsync("clusters", "create", "-f", user.File("cluster.yaml", Cluster("cli-fields")), "--wait");
        created.ExitCode.Should().Be(0, created.Error);

        var describe = await user.RunAsync("clusters", "describe", "cli-fields");
        describe.ExitCode.Should().Be(0, describe.Error);
        describe.Out.Should().Contain("description: made by the psctl tests")
            .And.MatchRegex("tags: .*team=cli").And.MatchRegex("tags: .*stage=test")
            .And.Contain("api load balancer: internal")
            .And.Contain("worker pools update: in parallel")
            .And.Contain("patch schedule: 0 3 * * SUN")
            .And.Contain("os patch on boot: on")
            .And.Contain("last os patch")
            .And.Contain("backup: on, 0 2 * * *, kept 7 days, to a bucket of the cluster")
            .And.Contain("rbac: RoleBinding edit in apps to Group ops")
            .And.Contain("labels: tier=apps")
            .And.Contain("update: maxSurge 2, maxUnavailable 50%")
            .And.Contain("health check: maxUnhealthy 1, node startup timeout 15 min");

        // Description and tags without a patch file: the plan, then the change.
        var updated = await user.RunAsync("clusters", "update", "cli-fields", "--description", "changed by psctl", "--tag", "owner=me", "--remove-tag", "stage", "--yes", "--wait");
        updated.ExitCode.Should().Be(0, updated.ToString());
        updated.Out.Should().Contain("estimated cost");
        var cluster = JsonNode.Parse((await user.RunAsync("clusters", "get", "cli-fields", "-o", "json")).Out)!;
        cluster["description"]!.GetValue<string>().Should().Be("changed by psctl");
        cluster["tags"]!.AsObject().Select(t => $"{t.Key}={t.Value}").Should().BeEquivalentTo(["team=cli", "owner=me"]);

        // A flag on top of a patch file: the file's settings and the flag's description go together.
        var patch = user.File("settings.yaml", "settings: {patchSchedule: \"0 4 * * MON\", backup: null}\n");
        var both = await user.RunAsync("clusters", "update", "cli-fields", "-f", patch, "--description", "", "--yes");
        both.ExitCode.Should().Be(0, both.ToString());
        var after = await user.RunAsync("clusters", "describe", "cli-fields");
        after.Out.Should().Contain("patch schedule: 0 4 * * MON").And.NotContain("backup:").And.Contain("description: (none)");

        var nothing = await user.RunAsync("clusters", "update", "cli-fields", "--yes");
        nothing.ExitCode.Should().Be(2);
        nothing.Error.Should().Contain("--description");
        var badTag = await user.RunAsync("clusters", "update", "cli-fields", "--tag", "novalue", "--yes");
        badTag.ExitCode.Should().Be(2);
        badTag.Error.Should().Contain("KEY=VALUE");

        (await user.RunAsync("clusters", "delete", "cli-fields", "--yes")).ExitCode.Should().Be(0);
    }
}
