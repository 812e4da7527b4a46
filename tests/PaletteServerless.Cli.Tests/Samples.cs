namespace PaletteServerless.Cli.Tests;

/// <summary>The README's walk-through specs, written as YAML files as a psctl user would.</summary>
public static class Samples
{
    public const string CloudAccount = "name: main\n";

    public const string Profile = """
        name: ubuntu-k8s
        version: "1.0.0"
        packs:
          - {layer: os, name: ubuntu, version: "22.04", values: ""}
          - layer: k8s
            name: kubernetes
            version: 1.30.4
            values: |
              podCIDR: 192.168.0.0/16
          - {layer: cni, name: calico, version: 3.27.0, values: "mtu: 1440"}
          - {layer: csi, name: aws-ebs-csi, version: 1.30.0, values: "storageClass: gp3"}
        """;

    public static string Cluster(string name, string effect = "NoSchedule") => $"""
        name: {name}
        tags: {"{"}team: cli{"}"}
        cloudAccount: main
        profile: {"{"}name: ubuntu-k8s, version: "1.0.0", packValues: {"{"}calico: "mtu: 1400"{"}"}{"}"}
        cloud:
          region: us-east-1
          sshKeyName: {PsctlStack.KeyName}
        nodePools:
          - name: cp
            role: control-plane
            count: 1
            instanceType: m5.large
            availabilityZones: [us-east-1a]
          - name: workers
            role: worker
            count: 2
            instanceType: m5.large
            availabilityZones: [us-east-1a]
            labels: {"{"}tier: apps{"}"}
            taints:
              - {"{"}key: dedicated, value: apps, effect: {effect}{"}"}
        """;

    /// <summary>A project with a token, a cloud account and a profile, all made with psctl.</summary>
    public static async Task<PsctlUser> LoggedInUserAsync(PsctlStack stack, string project)
    {
        var user = new PsctlUser(stack.Endpoint);
        // An account without a role builds in the product's own account: a tenant-admin registers it.
        (await user.RunAsync("login", "--local", "--tenant", "acme", "--project", project, "--role", "tenant-admin")).ExitCode.Should().Be(0);
        var account = await user.RunAsync("cloudaccounts", "create", "-f", user.File("account.yaml", CloudAccount));
        account.ExitCode.Should().Be(0, account.ToString());
        (await user.RunAsync("login", "--local", "--tenant", "acme", "--project", project, "--role", "project-admin")).ExitCode.Should().Be(0);
        var profile = await user.RunAsync("profiles", "create", "-f", user.File("profile.yaml", Profile));
        profile.ExitCode.Should().Be(0, profile.ToString());
        return user;
    }
}
