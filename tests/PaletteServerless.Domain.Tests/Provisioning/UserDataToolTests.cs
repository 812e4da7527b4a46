using PaletteServerless.Domain.Provisioning;
using YamlDotNet.RepresentationModel;
using static PaletteServerless.Domain.Tests.Provisioning.UserDataFixture;

namespace PaletteServerless.Domain.Tests.Provisioning;

/// <summary>
/// The user data of each kind of node, checked by the tools that run it: cloud-init's own schema
/// check; shellcheck on the shell cloud-init runs (runcmd, as one sh script, in order) and on every
/// script written to disk, following the node.env they source; sh itself reading node.env; and
/// Debian's containerd reading the containerd configuration. A tool missing here fails the test
/// (tests/run.sh installs them).
/// </summary>
public sealed class UserDataToolTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("user-data-");

    public void Dispose() => _directory.Delete(recursive: true);

    public static TheoryData<string> NodeKinds => Nodes;

    /// <summary>A value no cluster could have, trying every way out of a shell word it would have if it were spliced into code.</summary>
    public const string Hostile = "it's $(touch /tmp/palette-pwned) `touch /tmp/palette-pwned` ${HOME} \\\" ; rm -rf / #\nsecond line '' end";

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Theory]
    [MemberData(nameof(NodeKinds))]
    public void Cloud_init_finds_the_user_data_valid(string node)
    {
        var file = Write("user-data.yaml", UserDataOf(node));
        var result = Tool.TryRun("cloud-init", "schema", "--config-file", file);
        result.ExitCode.Should().Be(0, result.StandardOutput + result.StandardError);
        (result.StandardOutput + result.StandardError).Should().Contain("Valid cloud-config");
    }

    [Theory]
    [MemberData(nameof(NodeKinds))]
    public void Shellcheck_finds_nothing_in_the_commands_and_scripts_following_a_node_env_of_hostile_values(string node)
    {
        var document = new YamlStream();
        document.Load(new StringReader(UserDataOf(node)));
        var root = (YamlMappingNode)document.Documents[0].RootNode;
        var (_, written) = Parse(UserDataOf(node));
        // shellcheck -x follows the node.env the scripts source: every value in it is hostile, and shellcheck reads them as the data they are.
        var env = Write("node.env", NodeEnv.Render(written[NodeEnv.Path].Split('\n')
            .Where(l => l.StartsWith("PALETTE_", StringComparison.Ordinal))
            .Select(l => new KeyValuePair<string, string>(l[..l.IndexOf('=', StringComparison.Ordinal)], Hostile))));
        string Sourcing(string script) => script.Replace(". " + NodeEnv.Path + "\n", ". " + env + "\n", StringComparison.Ordinal);

        // cloud-init writes runcmd as one sh script: a list entry runs through sh -c, a string is a line as is.
        var commands = ((YamlSequenceNode)root["runcmd"]).Children.Select(c => c switch
        {
            YamlScalarNode line => line.Value!,
            YamlSequenceNode argv => string.Join(' ', argv.Children.Select(a => "'" + ((YamlScalarNode)a).Value!.Replace("'", "'\\''") + "'")),
            _ => throw new InvalidOperationException($"runcmd entry of unexpected form: {c}"),
        });
        var scripts = new List<string> { Write("runcmd.sh", Sourcing("#!/bin/sh\n" + string.Join('\n', commands) + "\n")) };
        foreach (var (path, content) in written.Where(f => f.Value.StartsWith("#!", StringComparison.Ordinal)))
            scripts.Add(Write(Path.GetFileName(path), Sourcing(content)));
        scripts.Select(Path.GetFileName).Should().Contain(["palette-secrets", "palette-phase", "palette-node-check"]);

        foreach (var script in scripts)
        {
            File.ReadAllText(script).Should().Contain(". " + env + "\n", $"{Path.GetFileName(script)} takes its values from node.env");
            var result = Tool.TryRun("shellcheck", "--format=gcc", "-x", script);
            result.ExitCode.Should().Be(0, $"{Path.GetFileName(script)}:\n{File.ReadAllText(script)}\n{result.StandardOutput}{result.StandardError}");
        }
    }

    [Fact]
    public void Sh_reads_a_node_env_of_hostile_values_back_as_the_same_values_and_runs_none_of_them()
    {
        var marker = Path.Combine(_directory.FullName, "pwned");
        var value = Hostile.Replace("/tmp/palette-pwned", marker, StringComparison.Ordinal) + "'";
        var env = Write("node.env", NodeEnv.Render([new("PALETTE_CLUSTER_NAME", value), new("PALETTE_REGION", "us-east-1")]));
        Tool.Run("sh", "-c", $". '{env}' && printf '%s|%s' \"$PALETTE_CLUSTER_NAME\" \"$PALETTE_REGION\"").Should().Be(value + "|us-east-1");
        File.Exists(marker).Should().BeFalse("a value is read, never run");
    }

    [Theory]
    [MemberData(nameof(NodeKinds))]
    public void Containerd_reads_the_configuration_as_systemd_cgroups_with_the_pause_image_of_the_minor(string node)
    {
        var (runcmd, files) = Parse(UserDataOf(node));
        var config = Write("config.toml", files[ContainerdConfig.Path]);
        // Debian's containerd parses it as the daemon does at start, and prints the configuration it would run with.
        var dump = Tool.Run("containerd", "--config", config, "config", "dump");
        dump.Should().MatchRegex(@"(?m)^\s*SystemdCgroup = true$");
        dump.Should().MatchRegex(@"(?m)^\s*sandbox_image = ""registry\.k8s\.io/pause:3\.9""$", "Kubernetes 1.30's kubeadm expects pause 3.9");
        dump.Should().Contain("runtime_type = \"io.containerd.runc.v2\"");

        var restart = runcmd.IndexOf("systemctl restart containerd");
        restart.Should().BeGreaterThan(runcmd.FindIndex(c => c.StartsWith("apt-get update", StringComparison.Ordinal)));
        restart.Should().BeLessThan(runcmd.FindIndex(c => c.StartsWith("kubeadm ", StringComparison.Ordinal)));
    }

    [Fact]
    public void Containerd_refuses_a_broken_configuration_so_that_its_reading_above_means_something()
    {
        var broken = ContainerdConfig.Render("registry.k8s.io/pause:3.10").Replace("SystemdCgroup = true", "SystemdCgroup = tru", StringComparison.Ordinal);
        Tool.TryRun("containerd", "--config", Write("config.toml", broken), "config", "dump").ExitCode.Should().NotBe(0);
        Tool.Run("containerd", "--config", Write("config.toml", ContainerdConfig.Render("registry.k8s.io/pause:3.10")), "config", "dump")
            .Should().Contain("registry.k8s.io/pause:3.10");
    }

    [Fact]
    public void Every_node_s_user_data_stays_under_EC2_s_16_KiB()
    {
        foreach (var node in new[] { "control-plane-init", "control-plane-join", "worker" })
            // EC2 counts the bytes RunInstances is sent: the gzip-compressed document (UserData.Encode).
            UserData.Compress(UserDataOf(node)).Length.Should().BeLessThanOrEqualTo(UserDataLimit.MaxBytes, node);
    }
}
