using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Profiles;
using PaletteServerless.Domain.Provisioning;
using YamlDotNet.RepresentationModel;

namespace PaletteServerless.Domain.Tests.Provisioning;

/// <summary>
/// The user data of each kind of node, checked by the tools that run it: cloud-init's own schema
/// check, and shellcheck on the shell cloud-init runs (runcmd, as one sh script, in order) and on
/// every script written to disk.
/// </summary>
public sealed class UserDataToolTests : IDisposable
{
    private static readonly Cluster Cluster = new()
    {
        Scope = new ProjectScope("acme", "demo"),
        Uid = "0123456789abcdef0123456789abcdef",
        Status = ClusterStatus.Provisioning,
        Spec = ClusterSpecValidator.Validate(new ClusterSpec
        {
            Name = "demo-cluster",
            CloudAccount = "main",
            Profile = new ProfileReference { Name = "ubuntu-k8s", Version = "1.0.0", PackValues = new() { ["calico"] = "mtu: 1400" } },
            Cloud = new CloudSpec { Region = "us-east-1", SshKeyName = "key", VpcCidr = "10.0.0.0/16" },
            NodePools =
            [
                new NodePoolSpec { Name = "cp", Role = "control-plane", Count = 3, InstanceType = "m5.large", AvailabilityZones = ["us-east-1a"] },
                new NodePoolSpec
                {
                    Name = "workers", Role = "worker", Count = 2, InstanceType = "t3.large", AvailabilityZones = ["us-east-1a"],
                    Taints = [new TaintSpec { Key = "dedicated", Value = "batch", Effect = "NoSchedule" }],
                    Labels = new() { ["tier"] = "batch" },
                },
            ],
            Settings = new ClusterSettings
            {
                Rbac =
                [
                    new RbacBinding { Type = "ClusterRoleBinding", Role = "view", Subjects = [new RbacSubject { Kind = "Group", Name = "auditors" }] },
                    new RbacBinding
                    {
                        Type = "RoleBinding", Namespace = "team-a", Role = "edit",
                        Subjects = [new RbacSubject { Kind = "User", Name = "bob@example.com" }, new RbacSubject { Kind = "ServiceAccount", Name = "ci", Namespace = "tools" }],
                    },
                ],
            },
        }),
    };

    private static readonly ClusterProfile Profile = ClusterProfileValidator.Validate(new ClusterProfile
    {
        Name = "ubuntu-k8s",
        Version = "1.0.0",
        Packs =
        [
            new Pack { Layer = "os", Name = "ubuntu", Version = "22.04", Values = "" },
            new Pack { Layer = "k8s", Name = "kubernetes", Version = "1.30.4", Values = "podCIDR: 192.168.0.0/16" },
            new Pack { Layer = "cni", Name = "calico", Version = "3.27.0", Values = "mtu: 1440" },
            new Pack { Layer = "csi", Name = "aws-ebs-csi", Version = "1.30.0", Values = "storageClass: gp3" },
        ],
    });

    private static readonly ClusterSecrets Secrets = ClusterSecrets.Generate("demo-cluster", DateTimeOffset.UtcNow);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("user-data-");

    public void Dispose() => _directory.Delete(recursive: true);

    public static TheoryData<string> Nodes => ["control-plane-init", "control-plane-join", "worker"];

    private static string UserDataOf(string node)
    {
        var plan = ClusterPlan.Build(Cluster);
        var instance = node switch
        {
            "control-plane-init" => plan.Instances.Single(i => i.IsFirstControlPlane),
            "control-plane-join" => plan.Instances.First(i => i.Pool == "cp" && !i.IsFirstControlPlane),
            _ => plan.Instances.First(i => i.Pool == "workers"),
        };
        return UserData.Build(Cluster, Profile, instance, "demo-cluster-api-0123.elb.us-east-1.amazonaws.com", Secrets.CaCertHash);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Theory]
    [MemberData(nameof(Nodes))]
    public void Cloud_init_finds_the_user_data_valid(string node)
    {
        var file = Write("user-data.yaml", UserDataOf(node));
        var result = Tool.TryRun("cloud-init", "schema", "--config-file", file);
        result.ExitCode.Should().Be(0, result.StandardOutput + result.StandardError);
        (result.StandardOutput + result.StandardError).Should().Contain("Valid cloud-config");
    }

    [Theory]
    [MemberData(nameof(Nodes))]
    public void Shellcheck_finds_nothing_in_the_commands_and_scripts(string node)
    {
        var document = new YamlStream();
        document.Load(new StringReader(UserDataOf(node)));
        var root = (YamlMappingNode)document.Documents[0].RootNode;

        // cloud-init writes runcmd as one sh script: a list entry runs through sh -c, a string is a line as is.
        var commands = ((YamlSequenceNode)root["runcmd"]).Children.Select(c => c switch
        {
            YamlScalarNode line => line.Value!,
            YamlSequenceNode argv => string.Join(' ', argv.Children.Select(a => "'" + ((YamlScalarNode)a).Value!.Replace("'", "'\\''") + "'")),
            _ => throw new InvalidOperationException($"runcmd entry of unexpected form: {c}"),
        });
        var scripts = new List<string> { Write("runcmd.sh", "#!/bin/sh\n" + string.Join('\n', commands) + "\n") };
        foreach (var file in ((YamlSequenceNode)root["write_files"]).Children.Cast<YamlMappingNode>())
        {
            var content = ((YamlScalarNode)file["content"]).Value!;
            if (content.StartsWith("#!", StringComparison.Ordinal))
                scripts.Add(Write(Path.GetFileName(((YamlScalarNode)file["path"]).Value!), content));
        }

        foreach (var script in scripts)
        {
            var result = Tool.TryRun("shellcheck", "--format=gcc", script);
            result.ExitCode.Should().Be(0, $"{Path.GetFileName(script)}:\n{File.ReadAllText(script)}\n{result.StandardOutput}{result.StandardError}");
        }
    }

    [Fact]
    public void The_first_control_plane_installs_the_network_storage_and_addon_packs_after_kubeadm_init_each_failing_by_name()
    {
        var document = new YamlStream();
        document.Load(new StringReader(UserDataOf("control-plane-init")));
        var root = (YamlMappingNode)document.Documents[0].RootNode;
        var runcmd = ((YamlSequenceNode)root["runcmd"]).Children.Select(c => ((YamlScalarNode)c).Value!).ToList();
        var script = ((YamlSequenceNode)root["write_files"]).Children.Cast<YamlMappingNode>()
            .Single(f => ((YamlScalarNode)f["path"]).Value == UserData.PacksScriptPath);
        var lines = ((YamlScalarNode)script["content"]).Value!.Split('\n');

        runcmd.IndexOf(UserData.PacksScriptPath).Should().BeGreaterThan(runcmd.FindIndex(c => c.StartsWith("kubeadm init", StringComparison.Ordinal)));
        runcmd[0].Should().Be("set -e", "a failed step must end the script before a later phase is reported");
        lines.Should().Contain("set -eu");
        var calico = Array.FindIndex(lines, l => l.StartsWith("kubectl apply -f 'https://raw.githubusercontent.com/projectcalico/calico/v3.27.0/manifests/calico.yaml' || fail calico-3.27.0", StringComparison.Ordinal));
        var ebs = Array.FindIndex(lines, l => l.StartsWith("helm upgrade --install 'aws-ebs-csi' 'aws-ebs-csi-driver'", StringComparison.Ordinal));
        calico.Should().BeGreaterThan(0);
        ebs.Should().BeGreaterThan(calico, "the network pack goes first");
        lines[ebs].Should().Contain("--values '/etc/palette/packs/aws-ebs-csi.yaml'").And.EndWith("|| fail aws-ebs-csi-1.30.0");
        UserDataOf("worker").Should().NotContain(UserData.PacksScriptPath);
    }

    private static (List<string> Runcmd, Dictionary<string, string> Files) Parse(string userData)
    {
        var document = new YamlStream();
        document.Load(new StringReader(userData));
        var root = (YamlMappingNode)document.Documents[0].RootNode;
        var runcmd = ((YamlSequenceNode)root["runcmd"]).Children.Select(c => ((YamlScalarNode)c).Value!).ToList();
        var files = ((YamlSequenceNode)root["write_files"]).Children.Cast<YamlMappingNode>()
            .ToDictionary(f => ((YamlScalarNode)f["path"]).Value!, f => ((YamlScalarNode)f["content"]).Value!);
        return (runcmd, files);
    }

    [Theory]
    [MemberData(nameof(Nodes))]
    public void Every_node_reports_its_phases_by_tagging_its_own_instance_in_order_after_what_each_phase_means(string node)
    {
        var (runcmd, files) = Parse(UserDataOf(node));
        var phase = files[UserData.PhaseScriptPath];
        phase.Should().Contain("http://169.254.169.254/latest").And.Contain("-X PUT").And.Contain("/api/token").And.Contain("meta-data/instance-id", "the instance id comes from IMDSv2");
        phase.Should().Contain("aws ec2 create-tags --region \"$region\" --resources \"$instance\"");
        phase.Should().Contain($"Key={NodePhases.TagKey},Value=$1").And.Contain($"Key={NodePhases.MessageTagKey},Value=$2");

        var kubeadm = runcmd.FindIndex(c => c.StartsWith("kubeadm ", StringComparison.Ordinal));
        var joined = runcmd.IndexOf($"{UserData.PhaseScriptPath} {NodePhases.Joined}");
        joined.Should().BeGreaterThan(kubeadm);
        if (node == "control-plane-init")
        {
            // Ready needs the network pack, so the packs script reports Ready after it, then PacksApplied; a failure PacksFailed with the pack.
            var packs = files[UserData.PacksScriptPath].Split('\n').ToList();
            var network = packs.FindIndex(l => l.Contains("|| fail calico-3.27.0", StringComparison.Ordinal));
            var ready = packs.IndexOf($"{UserData.PhaseScriptPath} {NodePhases.Ready}");
            ready.Should().BeGreaterThan(network);
            packs[ready - 1].Should().StartWith("kubectl wait --for=condition=Ready node/demo-cluster-cp-");
            packs.FindIndex(l => l.Contains("aws-ebs-csi", StringComparison.Ordinal)).Should().BeGreaterThan(ready);
            packs.Last(l => l.Length > 0).Should().Be($"{UserData.PhaseScriptPath} {NodePhases.PacksApplied}");
            files[UserData.PacksScriptPath].Should().Contain($"{UserData.PhaseScriptPath} {NodePhases.PacksFailed} \"$1\"");
            runcmd.IndexOf(UserData.PacksScriptPath).Should().BeGreaterThan(joined);
        }
        else
        {
            var ready = runcmd.IndexOf($"{UserData.PhaseScriptPath} {NodePhases.Ready}");
            ready.Should().BeGreaterThan(joined);
            runcmd[ready - 1].Should().StartWith("kubectl --kubeconfig /etc/kubernetes/kubelet.conf wait --for=condition=Ready node/demo-cluster-");
            string.Join('\n', runcmd).Should().NotContain(NodePhases.PacksApplied);
        }
    }

    [Fact]
    public void The_first_control_plane_applies_the_kubeconfig_groups_bindings_and_the_settings_rbac_bindings_after_init()
    {
        var (runcmd, files) = Parse(UserDataOf("control-plane-init"));
        runcmd.FindIndex(c => c.StartsWith($"kubectl --kubeconfig /etc/kubernetes/admin.conf apply -f {UserData.RbacManifestPath}", StringComparison.Ordinal))
            .Should().BeGreaterThan(runcmd.FindIndex(c => c.StartsWith("kubeadm init", StringComparison.Ordinal)));

        var stream = new YamlStream();
        stream.Load(new StringReader(files[UserData.RbacManifestPath]));
        var documents = stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
        string Text(YamlMappingNode node, params string[] path)
        {
            YamlNode current = node;
            foreach (var key in path)
                current = ((YamlMappingNode)current)[key];
            return ((YamlScalarNode)current).Value!;
        }
        List<(string Kind, string Name, string? Namespace, string? ApiGroup)> Subjects(YamlMappingNode binding) =>
            ((YamlSequenceNode)binding["subjects"]).Children.Cast<YamlMappingNode>().Select(s => (
                ((YamlScalarNode)s["kind"]).Value!, ((YamlScalarNode)s["name"]).Value!,
                s.Children.ContainsKey("namespace") ? ((YamlScalarNode)s["namespace"]).Value : null,
                s.Children.ContainsKey("apiGroup") ? ((YamlScalarNode)s["apiGroup"]).Value : null)).ToList();

        // The groups the kubeconfig route puts in the certificate's organisation, each to its ClusterRole.
        foreach (var (group, role) in new[] { ("palette:cluster-admins", "cluster-admin"), ("palette:editors", "edit"), ("palette:viewers", "view") })
        {
            var binding = documents.Single(d => Text(d, "kind") == "ClusterRoleBinding" && Subjects(d).Any(s => s.Name == group));
            Text(binding, "roleRef", "kind").Should().Be("ClusterRole");
            Text(binding, "roleRef", "name").Should().Be(role);
            Subjects(binding).Should().Equal(("Group", group, null, "rbac.authorization.k8s.io"));
        }
        KubernetesGroups.Bindings.Select(b => b.Group).Should().BeEquivalentTo(["palette:cluster-admins", "palette:editors", "palette:viewers"]);

        var auditors = documents.Single(d => Text(d, "metadata", "name") == "palette-settings-0");
        Text(auditors, "kind").Should().Be("ClusterRoleBinding");
        Text(auditors, "roleRef", "name").Should().Be("view");
        Subjects(auditors).Should().Equal(("Group", "auditors", null, "rbac.authorization.k8s.io"));

        var team = documents.Single(d => Text(d, "metadata", "name") == "palette-settings-1");
        Text(team, "kind").Should().Be("RoleBinding");
        Text(team, "metadata", "namespace").Should().Be("team-a");
        Text(team, "roleRef", "kind").Should().Be("ClusterRole");
        Text(team, "roleRef", "name").Should().Be("edit");
        Subjects(team).Should().Equal(("User", "bob@example.com", null, "rbac.authorization.k8s.io"), ("ServiceAccount", "ci", "tools", null));
        documents.Where(d => Text(d, "kind") == "Namespace").Select(d => Text(d, "metadata", "name")).Should().Equal(["team-a"],
            "a RoleBinding's namespace is made before the binding is applied");
        documents.FindIndex(d => Text(d, "kind") == "Namespace").Should().BeLessThan(documents.IndexOf(team));
    }

    [Fact]
    public void Every_node_s_user_data_stays_under_EC2_s_16_KiB()
    {
        foreach (var node in new[] { "control-plane-init", "control-plane-join", "worker" })
            System.Text.Encoding.UTF8.GetByteCount(UserDataOf(node)).Should().BeLessThan(16 * 1024, node);
    }
}
