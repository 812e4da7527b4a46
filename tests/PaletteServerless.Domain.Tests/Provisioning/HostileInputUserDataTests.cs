using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Provisioning;
using YamlDotNet.RepresentationModel;
using static PaletteServerless.Domain.Tests.Provisioning.UserDataFixture;

namespace PaletteServerless.Domain.Tests.Provisioning;

/// <summary>
/// Hostile text through every path by which a user's or a tenant's value reaches a node's user data: the
/// tenant and project (as if a token's claim got past its rule), tags, labels and taints (as much as their
/// rules let through), RBAC subjects, and pack values of the installed packs, the Kubernetes pack and the
/// network pack. Each value lands only in data files (node.env, kubeadm's configuration, the pack values,
/// the RBAC manifest) or nowhere; no command cloud-init runs, no script and no unit holds one. The scripts
/// and commands are the very same text as a plain cluster's, shellcheck finds nothing in them, cloud-init
/// finds the document valid, and sh reads node.env back as the values without running any.
/// </summary>
public sealed class HostileInputUserDataTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("hostile-user-data-");

    public void Dispose() => _directory.Delete(recursive: true);

    private static readonly Cluster Plain = UserDataFixture.Cluster;

    /// <summary>In every hostile value: what no script may ever contain.</summary>
    private const string Marker = "pwn3d";

    /// <summary>Every way out of a shell word or a YAML scalar: quotes, substitutions, separators, comments, line breaks, a bidi override, other scripts.</summary>
    private static string Hostile(string where) =>
        $"{where}-{Marker} it's \"$(touch /tmp/{Marker})\" `id` ${{HOME}} \\ ; rm -rf / # && | > /etc/passwd\nline two: '' {{}} [] &a *a <<: \u202e 山 ü";

    private static readonly Cluster HostileCluster = Plain with
    {
        Scope = new ProjectScope(Hostile("tenant"), Hostile("project")),
        Spec = ClusterSpecValidator.Validate(Plain.Spec with
        {
            Description = Hostile("description"),
            Tags = new() { ["team"] = Hostile("tag-value"), ["owner's $(id)"] = "x" },
            Profile = Plain.Spec.Profile! with
            {
                PackValues = new()
                {
                    ["calico"] = "mtu: 1400\nextra: " + YamlQuoted(Hostile("calico")) + "\n",
                    ["aws-ebs-csi"] = YamlQuoted(Hostile("ebs-key")) + ": " + YamlQuoted(Hostile("ebs-value")) + "\n",
                    ["kubernetes"] = "podCIDR: 192.168.0.0/16\nnote: " + YamlQuoted(Hostile("kubernetes")) + "\n",
                },
            },
            NodePools =
            [
                Plain.Spec.NodePools![0],
                Plain.Spec.NodePools[1] with
                {
                    // As far as Kubernetes' rules let a label or taint go: every character they allow.
                    Labels = new() { ["example.com/A_b.c-9"] = "Z_y.x-0", ["tier"] = "batch" },
                    Taints = [new TaintSpec { Key = "example.com/Dedicated_x.y", Value = "A-b_c.9", Effect = "NoExecute" }],
                },
            ],
            Settings = Plain.Spec.Settings! with
            {
                Rbac =
                [
                    new RbacBinding { Type = "ClusterRoleBinding", Role = "view", Subjects = [new RbacSubject { Kind = "Group", Name = Hostile("group") }] },
                    new RbacBinding { Type = "ClusterRoleBinding", Role = "edit", Subjects = [new RbacSubject { Kind = "User", Name = Hostile("user") }] },
                ],
            },
        }),
    };

    /// <summary>A YAML double-quoted scalar of any text (JSON's escapes are YAML's).</summary>
    private static string YamlQuoted(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    private static string UserDataOf(Cluster cluster, string node)
    {
        var plan = ClusterPlan.Build(cluster);
        var instance = node switch
        {
            "control-plane-init" => plan.Instances.Single(i => i.IsFirstControlPlane),
            "control-plane-join" => plan.Instances.First(i => i.Pool == "cp" && !i.IsFirstControlPlane),
            _ => plan.Instances.First(i => i.Pool == "workers"),
        };
        return UserData.Build(cluster, Profile, instance, "demo-cluster-api-0123.elb.us-east-1.amazonaws.com", Secrets.CaCertHash);
    }

    public static TheoryData<string> NodeKinds => Nodes;

    /// <summary>What runs: runcmd, every script written, every systemd unit, and the hostname cloud-init sets.</summary>
    private static Dictionary<string, string> Code(string userData)
    {
        var (runcmd, files) = Parse(userData);
        var stream = new YamlStream();
        stream.Load(new StringReader(userData));
        // A worker sets none: cloud-init keeps the one instance metadata gives (the private DNS name).
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var hostname = root.Children.TryGetValue(new YamlScalarNode("hostname"), out var set) ? ((YamlScalarNode)set).Value! : "";
        var code = new Dictionary<string, string> { ["runcmd"] = string.Join('\n', runcmd), ["hostname"] = hostname };
        foreach (var (path, content) in files.Where(f => f.Value.StartsWith("#!", StringComparison.Ordinal) || f.Key.StartsWith("/etc/systemd/", StringComparison.Ordinal)))
            code[path] = content;
        return code;
    }

    [Theory]
    [MemberData(nameof(NodeKinds))]
    public void Hostile_values_land_only_in_data_files_and_no_command_script_or_unit_holds_one(string node)
    {
        var userData = UserDataOf(HostileCluster, node);
        userData.Should().NotContain("tag-value").And.NotContain("owner's").And.NotContain("description-", "tags and the description never reach a node");

        foreach (var (what, text) in Code(userData))
        {
            text.Should().NotContain(Marker, $"{what} is code: no value is spliced into it");
            text.Should().NotContain("example.com/").And.NotContain("Z_y.x-0").And.NotContain("A-b_c.9", $"{what} holds no label or taint either");
        }

        var (_, files) = Parse(userData);
        var env = NodeEnvFile.Env(files[NodeEnv.Path]);
        env[NodeEnv.SecretsPath].Should().Be($"/palette-serverless/{Hostile("tenant")}/{Plain.Uid}", "the tenant reaches the node as data");
        if (node == "worker")
        {
            files[UserData.KubeadmConfigTemplatePath].Should().Contain("NoExecute").And.Contain("A-b_c.9").And.Contain("example.com/A_b.c-9=Z_y.x-0",
                "the pool's labels and taints reach its nodes in kubeadm's configuration");
        }
        if (node == "control-plane-init")
        {
            ReadScalar(files[UserData.PackValuesPath("calico")], "extra").Should().Be(Hostile("calico"), "the values reach the node as written");
            ReadScalar(files[UserData.PackValuesPath("aws-ebs-csi")], Hostile("ebs-key")).Should().Be(Hostile("ebs-value"));
            files[UserData.RbacManifestPath].Should().Contain(Marker);
            files.Keys.Should().NotContain(UserData.PackValuesPath("kubernetes"), "the Kubernetes pack's values are used when the user data is made");
        }
    }

    [Theory]
    [MemberData(nameof(NodeKinds))]
    public void The_commands_scripts_and_units_are_the_same_text_as_a_plain_cluster_s(string node)
    {
        var hostile = Code(UserDataOf(HostileCluster, node));
        var plain = Code(UserDataOf(Plain, node));
        hostile.Keys.Should().BeEquivalentTo(plain.Keys);
        foreach (var (what, text) in plain)
            hostile[what].Should().Be(text, $"{what} takes every value from data");
    }

    [Theory]
    [MemberData(nameof(NodeKinds))]
    public void Cloud_init_finds_the_hostile_cluster_s_user_data_valid_and_shellcheck_finds_nothing_in_its_code(string node)
    {
        var userData = UserDataOf(HostileCluster, node);
        var document = Write("user-data.yaml", userData);
        var schema = Tool.TryRun("cloud-init", "schema", "--config-file", document);
        schema.ExitCode.Should().Be(0, schema.StandardOutput + schema.StandardError);

        var (runcmd, files) = Parse(userData);
        // The node.env made of the hostile values, where the scripts source it from here; shellcheck -x follows it.
        var env = Write("node.env", files[NodeEnv.Path]);
        string Sourcing(string script) => script.Replace(". " + NodeEnv.Path + "\n", ". " + env + "\n", StringComparison.Ordinal);
        var scripts = new List<string> { Write("runcmd.sh", Sourcing("#!/bin/sh\n" + string.Join('\n', runcmd) + "\n")) };
        foreach (var (path, content) in files.Where(f => f.Value.StartsWith("#!", StringComparison.Ordinal)))
            scripts.Add(Write(Path.GetFileName(path), Sourcing(content)));
        foreach (var script in scripts)
        {
            var result = Tool.TryRun("shellcheck", "--format=gcc", "-x", script);
            result.ExitCode.Should().Be(0, $"{Path.GetFileName(script)}:\n{result.StandardOutput}{result.StandardError}");
        }
    }

    [Fact]
    public void Sh_reads_the_hostile_node_env_back_as_its_values_and_runs_none_of_them()
    {
        var marker = Path.Combine(_directory.FullName, Marker);
        var tenant = Hostile("tenant").Replace($"/tmp/{Marker}", marker, StringComparison.Ordinal);
        var cluster = HostileCluster with { Scope = HostileCluster.Scope with { Tenant = tenant } };
        var (_, files) = Parse(UserDataOf(cluster, "worker"));
        var env = Write("node.env", files[NodeEnv.Path]);

        Tool.Run("sh", "-c", $". '{env}' && printf '%s' \"$PALETTE_SECRETS_PATH\"").Should().Be($"/palette-serverless/{tenant}/{Plain.Uid}");
        File.Exists(marker).Should().BeFalse("a value is read, never run");
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static string ReadScalar(string yaml, string key)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return ((YamlScalarNode)((YamlMappingNode)stream.Documents[0].RootNode)[key]).Value!;
    }

    /// <summary>node.env's NAME='value' lines read as sh reads them (a quote inside a value is written '\'').</summary>
    private static class NodeEnvFile
    {
        public static Dictionary<string, string> Env(string text) => text.Split("\nPALETTE_").Skip(1)
            .Select(line => "PALETTE_" + line)
            .ToDictionary(l => l[..l.IndexOf('=', StringComparison.Ordinal)], l => Unquote(l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..].TrimEnd('\n')));

        private static string Unquote(string word) => word[1..^1].Replace("'\\''", "'", StringComparison.Ordinal);
    }
}
