using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Provisioning;
using static PaletteServerless.Domain.Tests.Provisioning.UserDataFixture;

namespace PaletteServerless.Domain.Tests.Patching;

/// <summary>What the user data does for OS patching: the security updates before the node joins (osPatchOnBoot), the patch agent on every node.</summary>
public class OsPatchUserDataTests
{
    private static string UserDataWithout(string node)
    {
        var fixture = Provisioning.UserDataFixture.Cluster;
        var cluster = fixture with { Spec = fixture.Spec with { Settings = fixture.Spec.Settings! with { OsPatchOnBoot = null } } };
        var plan = ClusterPlan.Build(cluster);
        var instance = node switch
        {
            "control-plane-init" => plan.Instances.First(i => i.IsFirstControlPlane),
            "control-plane-join" => plan.Instances.First(i => i.Role == NodePoolRoles.ControlPlane && !i.IsFirstControlPlane),
            _ => plan.Instances.First(i => i.Role == NodePoolRoles.Worker),
        };
        return UserData.Build(cluster, Profile, instance, "demo-cluster-api-0123.elb.us-east-1.amazonaws.com", Secrets.CaCertHash);
    }

    [Theory]
    [MemberData(nameof(Nodes), MemberType = typeof(Provisioning.UserDataFixture))]
    public void With_os_patch_on_boot_the_security_updates_run_before_the_secrets_are_read_and_kubeadm_and_a_failure_is_reported(string node)
    {
        var (runcmd, _) = Parse(UserDataOf(node));
        var patch = runcmd.FindIndex(l => l.Contains("unattended-upgrade", StringComparison.Ordinal));
        patch.Should().BeGreaterThan(runcmd.FindIndex(l => l.Contains("apt-get install", StringComparison.Ordinal)));
        patch.Should().BeLessThan(runcmd.IndexOf(UserData.SecretsScriptPath));
        patch.Should().BeLessThan(runcmd.FindIndex(l => l.StartsWith("kubeadm ", StringComparison.Ordinal)));
        runcmd[patch].Should().Contain($"{UserData.PhaseScriptPath} {NodePhases.Failed}");

        Parse(UserDataWithout(node)).Runcmd.Should().NotContain(l => l.Contains("unattended-upgrade", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Nodes), MemberType = typeof(Provisioning.UserDataFixture))]
    public void Every_node_runs_the_patch_agent_from_its_timer_once_it_is_a_member(string node)
    {
        var (runcmd, files) = Parse(UserDataWithout(node));
        files.Should().ContainKey(OsPatchAgent.ScriptPath).And.ContainKey(OsPatchAgent.ServicePath).And.ContainKey(OsPatchAgent.TimerPath);
        runcmd[^1].Should().Be($"systemctl enable --now {OsPatchAgent.TimerName}");
        files[OsPatchAgent.ScriptPath].Should().Contain("$PALETTE_OS_PATCH_REQUEST").And.Contain("unattended-upgrade").And.Contain("/var/run/reboot-required");
        files[UserData.PhaseScriptPath].Should().Contain("PALETTE_OS_PATCH_LEVEL_TAG", "the phase reports carry the patch level");
    }
}
