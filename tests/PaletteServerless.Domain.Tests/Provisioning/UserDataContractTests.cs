using PaletteServerless.Domain.Profiles;
using PaletteServerless.Domain.Provisioning;
using YamlDotNet.RepresentationModel;
using static PaletteServerless.Domain.Tests.Provisioning.UserDataFixture;

namespace PaletteServerless.Domain.Tests.Provisioning;

/// <summary>The shape of the user data the node model and a real node read: the files, the keys, the order of the steps.</summary>
public sealed class UserDataContractTests
{
    public static TheoryData<string> NodeKinds => Nodes;

    [Theory]
    [MemberData(nameof(NodeKinds))]
    public void Every_node_gets_its_values_as_data_in_node_env_and_no_script_splices_one(string node)
    {
        var userData = UserDataOf(node);
        var (runcmd, files) = Parse(userData);
        var env = files[NodeEnv.Path].Split('\n').Where(l => l.StartsWith("PALETTE_", StringComparison.Ordinal))
            .ToDictionary(l => l[..l.IndexOf('=', StringComparison.Ordinal)], l => l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..]);
        // A worker is named by its host (the private DNS name), so its user data names no node and is its zone's pool's.
        var named = node != "worker";
        string[] agent = node.StartsWith("control-plane", StringComparison.Ordinal)
            ? ["PALETTE_DESIRED_STATE", "PALETTE_AGENT_GENERATION_TAG", "PALETTE_AGENT_MESSAGE_TAG", "PALETTE_VIRTUAL_CLUSTERS"] // the in-cluster agents', control planes only
            : [];
        env.Keys.Should().BeEquivalentTo(new[]
        {
            "PALETTE_REGION", "PALETTE_CLUSTER_NAME", "PALETTE_SECRETS_PATH", "PALETTE_PHASE_TAG", "PALETTE_MESSAGE_TAG", "PALETTE_VERSION_TAG",
            "PALETTE_OS_VERSION", "PALETTE_KUBERNETES_VERSION", "PALETTE_CNI", "PALETTE_CLUSTER_DNS",
            "PALETTE_OS_PATCH_REQUEST", "PALETTE_OS_PATCH_TAG", "PALETTE_OS_PATCH_LEVEL_TAG", // the OS patch agent's, every node
        }.Concat(agent).Concat(named ? ["PALETTE_NODE_NAME"] : []));
        env["PALETTE_REGION"].Should().Be("'us-east-1'");
        env["PALETTE_CLUSTER_NAME"].Should().Be("'demo-cluster'");
        if (named)
            env["PALETTE_NODE_NAME"].Should().StartWith("'demo-cluster-");
        else
            userData.Should().NotContain("hostname:").And.NotContain("demo-cluster-workers-");
        env["PALETTE_SECRETS_PATH"].Should().Be($"'/palette-serverless/acme/{Cluster.Uid}'");
        env["PALETTE_PHASE_TAG"].Should().Be($"'{NodePhases.TagKey}'");
        env["PALETTE_MESSAGE_TAG"].Should().Be($"'{NodePhases.MessageTagKey}'");
        env["PALETTE_VERSION_TAG"].Should().Be($"'{NodePhases.KubernetesVersionTagKey}'");
        env["PALETTE_OS_VERSION"].Should().Be("'22.04'");
        env["PALETTE_KUBERNETES_VERSION"].Should().Be("'1.30.4'");
        env["PALETTE_CNI"].Should().Be("'calico'");
        env["PALETTE_CLUSTER_DNS"].Should().Be("'10.96.0.10'");
        env["PALETTE_OS_PATCH_REQUEST"].Should().Be($"'/palette-serverless/acme/{Cluster.Uid}/os-patch'");
        userData.Should().Contain($"- path: {NodeEnv.Path}\n  permissions: \"0600\"");

        runcmd[1].Should().Be(". /etc/palette/node.env", "runcmd reads the values before its first use of one");
        foreach (var script in files.Where(f => f.Value.StartsWith("#!", StringComparison.Ordinal)))
        {
            script.Value.Should().Contain("\n. /etc/palette/node.env\n", script.Key);
            script.Value.Should().NotContain("demo-cluster").And.NotContain("us-east-1").And.NotContain(Cluster.Uid).And.NotContain("1.30.4", script.Key);
        }
        string.Join('\n', runcmd).Should().NotContain("demo-cluster").And.NotContain("us-east-1").And.NotContain("1.30.4");
    }

    [Theory]
    [MemberData(nameof(NodeKinds))]
    public void The_kubelet_runs_with_the_external_cloud_provider_and_its_instance_s_provider_id_from_IMDSv2(string node)
    {
        var (_, files) = Parse(UserDataOf(node));
        var kubeadm = files[UserData.KubeadmConfigTemplatePath];
        kubeadm.Should().Contain("cloud-provider: external").And.Contain("provider-id: '@PROVIDER_ID@'");
        var secrets = files[UserData.SecretsScriptPath];
        secrets.Should().Contain("meta-data/placement/availability-zone").And.Contain("meta-data/instance-id").And.Contain("-X PUT");
        secrets.Should().Contain("-e \"s|@PROVIDER_ID@|aws:///$zone/$instance|\"");

        var stream = new YamlStream();
        stream.Load(new StringReader(kubeadm));
        var kinds = stream.Documents.Select(d => ((YamlScalarNode)((YamlMappingNode)d.RootNode)["kind"]).Value).ToList();
        if (node == "control-plane-init")
        {
            kinds.Should().Equal("InitConfiguration", "ClusterConfiguration", "KubeletConfiguration");
            var kubelet = (YamlMappingNode)stream.Documents[2].RootNode;
            ((YamlScalarNode)kubelet["apiVersion"]).Value.Should().Be("kubelet.config.k8s.io/v1beta1");
            ((YamlScalarNode)kubelet["cgroupDriver"]).Value.Should().Be("systemd");
            kubeadm.Should().Contain("serviceSubnet: 10.96.0.0/12", "the cluster DNS address is computed from the same CIDR kubeadm uses");
        }
        else
        {
            kinds.Should().Equal("JoinConfiguration");
        }
    }

    [Fact]
    public void The_first_control_plane_installs_the_cloud_controller_manager_then_the_network_then_storage_and_addons_each_failing_by_name()
    {
        var (runcmd, files) = Parse(UserDataOf("control-plane-init"));
        var lines = files[UserData.PacksScriptPath].Split('\n').ToList();

        runcmd.IndexOf(UserData.PacksScriptPath).Should().BeGreaterThan(runcmd.FindIndex(c => c.StartsWith("kubeadm init", StringComparison.Ordinal)));
        runcmd[0].Should().Be("set -e", "a failed step must end the script before a later phase is reported");
        lines.Should().Contain("set -eu");
        var ccm = lines.FindIndex(l => l.StartsWith("helm upgrade --install 'aws-cloud-controller-manager' 'aws-cloud-controller-manager' " +
            "--repo 'https://kubernetes.github.io/cloud-provider-aws' --version '0.0.8' --namespace 'kube-system'", StringComparison.Ordinal));
        var calico = lines.FindIndex(l => l.StartsWith("kubectl apply -f 'https://raw.githubusercontent.com/projectcalico/calico/v3.27.0/manifests/calico.yaml' || fail calico-3.27.0", StringComparison.Ordinal));
        var ebs = lines.FindIndex(l => l.StartsWith("helm upgrade --install 'aws-ebs-csi' 'aws-ebs-csi-driver'", StringComparison.Ordinal));
        ccm.Should().BeGreaterThan(0);
        lines[ccm].Should().Contain("--values '/etc/palette/packs/aws-cloud-controller-manager.yaml'").And.EndWith("|| fail aws-cloud-controller-manager-1.30.10");
        calico.Should().BeGreaterThan(ccm, "the controller initializes the node the network's pods schedule on");
        ebs.Should().BeGreaterThan(calico, "the network pack goes before storage");
        lines[ebs].Should().Contain("--values '/etc/palette/packs/aws-ebs-csi.yaml'").And.EndWith("|| fail aws-ebs-csi-1.30.0");

        var values = new YamlStream();
        values.Load(new StringReader(files["/etc/palette/packs/aws-cloud-controller-manager.yaml"]));
        var root = (YamlMappingNode)values.Documents[0].RootNode;
        ((YamlSequenceNode)root["args"]).Children.Select(a => ((YamlScalarNode)a).Value).Should().Contain(["--cloud-provider=aws", "--cluster-name=demo-cluster"]);
        ((YamlScalarNode)((YamlMappingNode)root["image"])["tag"]).Value.Should().Be("v1.30.10");
        ((YamlScalarNode)root["hostNetworking"]).Value.Should().Be("true", "it runs before there is a pod network");
        UserDataOf("worker").Should().NotContain(UserData.PacksScriptPath).And.NotContain("aws-cloud-controller-manager");
    }

    [Theory]
    [MemberData(nameof(NodeKinds))]
    public void Every_node_reports_its_phases_by_tagging_its_own_instance_and_reports_Ready_only_after_the_node_check(string node)
    {
        var (runcmd, files) = Parse(UserDataOf(node));
        var phase = files[UserData.PhaseScriptPath];
        phase.Should().Contain("http://169.254.169.254/latest").And.Contain("-X PUT").And.Contain("/api/token").And.Contain("meta-data/instance-id", "the instance id comes from IMDSv2");
        phase.Should().Contain("aws ec2 create-tags --region \"$PALETTE_REGION\" --resources \"$instance\"");
        phase.Should().Contain("Key=$PALETTE_PHASE_TAG,Value=$1").And.Contain("Key=$PALETTE_MESSAGE_TAG,Value=$message").And.Contain("cut -c 1-256")
            .And.Contain("kubelet_version=$(kubelet --version").And.Contain("Key=$PALETTE_VERSION_TAG,Value=$kubelet_version");

        var kubeadm = runcmd.FindIndex(c => c.StartsWith("kubeadm ", StringComparison.Ordinal));
        runcmd[kubeadm].Should().Contain($"|| {{ cat {UserData.KubeadmLogPath} >&2; {UserData.PhaseScriptPath} {NodePhases.Failed} \"kubeadm ")
            .And.EndWith("; exit 1; }");
        runcmd.IndexOf(UserData.SecretsScriptPath).Should().BeInRange(0, kubeadm - 1);
        var joined = runcmd.IndexOf($"{UserData.PhaseScriptPath} {NodePhases.Joined}");
        joined.Should().BeGreaterThan(kubeadm);
        var check = files[UserData.NodeCheckScriptPath];
        check.Should().Contain("node.cloudprovider.kubernetes.io/uninitialized").And.Contain("calico) agent=k8s-app=calico-node").And.Contain("cilium) agent=k8s-app=cilium")
            .And.Contain("\"@$PALETTE_CLUSTER_DNS\" kubernetes.default.svc.cluster.local").And.Contain($"{UserData.PhaseScriptPath} {NodePhases.Failed} \"$1\"");
        if (node == "control-plane-init")
        {
            var packs = files[UserData.PacksScriptPath].Split('\n').ToList();
            var network = packs.FindIndex(l => l.Contains("|| fail calico-3.27.0", StringComparison.Ordinal));
            var ready = packs.IndexOf($"{UserData.PhaseScriptPath} {NodePhases.Ready}");
            ready.Should().BeGreaterThan(network);
            packs[ready - 1].Should().Be($"{UserData.NodeCheckScriptPath} /etc/kubernetes/admin.conf");
            packs.FindIndex(l => l.Contains("aws-ebs-csi", StringComparison.Ordinal)).Should().BeGreaterThan(ready);
            packs.Last(l => l.Length > 0).Should().Be($"{UserData.PhaseScriptPath} {NodePhases.PacksApplied}");
            files[UserData.PacksScriptPath].Should().Contain($"{UserData.PhaseScriptPath} {NodePhases.PacksFailed} \"$1\"");
            runcmd.IndexOf(UserData.PacksScriptPath).Should().BeGreaterThan(joined);
        }
        else
        {
            var ready = runcmd.IndexOf($"{UserData.PhaseScriptPath} {NodePhases.Ready}");
            ready.Should().BeGreaterThan(joined);
            runcmd[ready - 1].Should().Be(UserData.NodeCheckScriptPath);
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

}
