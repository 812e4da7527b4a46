using PaletteServerless.Domain.Profiles;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Domain.Tests.Provisioning;

/// <summary>
/// Calico runs what its values choose: the published calico.yaml (IP-in-IP with BGP) as it is, or edited as
/// Calico documents for manifest installs. The edits run through the real sh and sed on the manifest's own
/// lines, and what comes out is what the security groups' table says Calico needs.
/// </summary>
public sealed class CalicoManifestTests : IDisposable
{
    private const string Url = "https://raw.githubusercontent.com/projectcalico/calico/v3.27.0/manifests/calico.yaml";

    // The lines of calico.yaml v3.27.0 the edits address, as the release writes them.
    private const string Manifest = """
        kind: ConfigMap
        data:
          calico_backend: "bird"
          veth_mtu: "0"
        ---
        kind: DaemonSet
        spec:
          template:
            spec:
              containers:
                - name: calico-node
                  env:
                    # Enable IPIP
                    - name: CALICO_IPV4POOL_IPIP
                      value: "Always"
                    # Enable or Disable VXLAN on the default IP pool.
                    - name: CALICO_IPV4POOL_VXLAN
                      value: "Never"
                  livenessProbe:
                    exec:
                      command:
                      - /bin/calico-node
                      - -felix-live
                      - -bird-live
                  readinessProbe:
                    exec:
                      command:
                      - /bin/calico-node
                      - -felix-ready
                      - -bird-ready

        """;

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("calico-manifest-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public void The_published_manifest_is_applied_as_it_is_for_the_default_IP_in_IP_with_BGP()
    {
        CalicoManifest.InstallCommand(Url, "mtu: 1440\n", "calico-3.27.0").Should().Be($"kubectl apply -f '{Url}' || fail calico-3.27.0");
    }

    [Fact]
    public void VXLAN_turns_IP_in_IP_off_VXLAN_on_and_BIRD_with_its_probes_out()
    {
        var applied = Applied("encapsulation: VXLAN\n");

        applied.Should().MatchRegex("name: CALICO_IPV4POOL_IPIP\n +value: \"Never\"")
            .And.MatchRegex("name: CALICO_IPV4POOL_VXLAN\n +value: \"Always\"");
        applied.Should().Contain("calico_backend: \"vxlan\"")
            .And.NotContain("-bird-live").And.NotContain("-bird-ready").And.Contain("- -felix-ready");
        PackNetworkRequirements.Cni("calico", "encapsulation: VXLAN\n").Select(t => t.Describe()).Should().Equal("udp/4789");
    }

    [Fact]
    public void VXLAN_across_subnets_keeps_BGP_and_its_probes()
    {
        var applied = Applied("encapsulation: VXLANCrossSubnet\n");

        applied.Should().Contain("value: \"CrossSubnet\"").And.Contain("calico_backend: \"bird\"").And.Contain("- -bird-ready");
        PackNetworkRequirements.Cni("calico", "encapsulation: VXLANCrossSubnet\n").Select(t => t.Describe()).Should().Equal("tcp/179", "udp/4789");
    }

    [Fact]
    public void Typha_takes_the_typha_manifest()
    {
        CalicoManifest.InstallCommand(Url, "typha: true\n", "calico-3.27.0").Should().Contain("/manifests/calico-typha.yaml");
    }

    /// <summary>The manifest after the install command's edits: curl replaced by the fragment above, kubectl by cat, run by sh.</summary>
    private string Applied(string values)
    {
        var command = CalicoManifest.InstallCommand(Url, values, "calico-3.27.0");
        command.Should().StartWith($"curl -fsSL '{Url}' | sed ").And.EndWith(" | kubectl apply -f - || fail calico-3.27.0");
        var manifest = Path.Combine(_directory.FullName, "calico.yaml");
        File.WriteAllText(manifest, Manifest);
        var original = Path.Combine(_directory.FullName, "install.sh");
        File.WriteAllText(original, "#!/bin/sh\nset -eu\nfail() { exit 1; }\n" + command + "\n");
        var shellcheck = Tool.TryRun("shellcheck", "--format=gcc", original);
        shellcheck.ExitCode.Should().Be(0, shellcheck.StandardOutput + shellcheck.StandardError);
        var script = Path.Combine(_directory.FullName, "apply.sh");
        File.WriteAllText(script, "#!/bin/sh\nset -eu\nfail() { exit 1; }\n" + command
            .Replace($"curl -fsSL '{Url}'", $"cat '{manifest}'", StringComparison.Ordinal)
            .Replace("kubectl apply -f -", "cat", StringComparison.Ordinal) + "\n");
        var result = Tool.TryRun("sh", script);
        result.ExitCode.Should().Be(0, result.StandardError);
        return result.StandardOutput;
    }
}
