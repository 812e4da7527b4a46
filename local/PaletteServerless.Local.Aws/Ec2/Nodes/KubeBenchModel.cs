using System.Text;
using System.Text.Json.Nodes;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.S3;
using YamlDotNet.RepresentationModel;
using static PaletteServerless.Local.Aws.Ec2.UserDataDocument;

namespace PaletteServerless.Local.Aws.Ec2;

/// <summary>
/// kube-bench as the agent runs it for the document's <c>scans.operations</c>: a Job on one node of each role the
/// document names (the control plane runs the master and node targets, a worker the node target), whose JSON output
/// the agent uploads to <c>&lt;bucket&gt;/&lt;prefix&gt;/&lt;scan&gt;/&lt;role&gt;.json</c> with its own credentials.
/// Each check's result comes from the configuration the scanned node really has, read from its user data: the
/// kubeadm ClusterConfiguration's extraArgs of the API server, controller manager and scheduler, the cluster's
/// KubeletConfiguration (a joining node's kubelet takes the one the first control plane's init uploaded) and the
/// node's kubeletExtraArgs, against kubeadm's defaults where nothing is set. Manual checks are WARN, as kube-bench
/// reports them. A role with no running node gets no result (its Job never schedules). Each scan runs once.
/// </summary>
public static class KubeBenchModel
{
    private sealed record Check(string Id, string Section, string Title, Func<NodeConfig, string> Status);

    /// <summary>What kube-bench reads on a node, from its kubeadm configuration.</summary>
    private sealed record NodeConfig(Dictionary<string, string> ApiServer, Dictionary<string, string> ControllerManager, Dictionary<string, string> Scheduler,
        YamlMappingNode? Kubelet, Dictionary<string, string> KubeletArgs);

    private const string Pass = "PASS", Fail = "FAIL", Warn = "WARN";

    private static string SetTo(Dictionary<string, string> args, string flag, string value) =>
        args.TryGetValue(flag, out var v) && string.Equals(v, value, StringComparison.OrdinalIgnoreCase) ? Pass : Fail;

    private static string IsSet(Dictionary<string, string> args, string flag) => args.ContainsKey(flag) ? Pass : Fail;

    private static string? Kubelet(NodeConfig c, params string[] path)
    {
        YamlNode? node = c.Kubelet;
        foreach (var key in path)
            node = node is YamlMappingNode map ? Child(map, key) : null;
        return (node as YamlScalarNode)?.Value;
    }

    private static readonly Check[] Master =
    [
        new("1.1.1", "1.1", "Ensure that the API server pod specification file permissions are set to 600 or more restrictive (Automated)", _ => Pass),
        new("1.2.1", "1.2", "Ensure that the --anonymous-auth argument is set to false (Manual)", _ => Warn),
        new("1.2.2", "1.2", "Ensure that the --token-auth-file parameter is not set (Automated)", c => c.ApiServer.ContainsKey("token-auth-file") ? Fail : Pass),
        new("1.2.5", "1.2", "Ensure that the --kubelet-certificate-authority argument is set as appropriate (Automated)", c => IsSet(c.ApiServer, "kubelet-certificate-authority")),
        new("1.2.6", "1.2", "Ensure that the --authorization-mode argument is not set to AlwaysAllow (Automated)",
            c => c.ApiServer.GetValueOrDefault("authorization-mode", "Node,RBAC").Contains("AlwaysAllow", StringComparison.Ordinal) ? Fail : Pass),
        new("1.2.7", "1.2", "Ensure that the --authorization-mode argument includes Node (Automated)",
            c => c.ApiServer.GetValueOrDefault("authorization-mode", "Node,RBAC").Split(',').Contains("Node") ? Pass : Fail),
        new("1.2.8", "1.2", "Ensure that the --authorization-mode argument includes RBAC (Automated)",
            c => c.ApiServer.GetValueOrDefault("authorization-mode", "Node,RBAC").Split(',').Contains("RBAC") ? Pass : Fail),
        new("1.2.15", "1.2", "Ensure that the --profiling argument is set to false (Automated)", c => SetTo(c.ApiServer, "profiling", "false")),
        new("1.2.16", "1.2", "Ensure that the --audit-log-path argument is set (Automated)", c => IsSet(c.ApiServer, "audit-log-path")),
        new("1.2.17", "1.2", "Ensure that the --audit-log-maxage argument is set to 30 or as appropriate (Automated)", c => IsSet(c.ApiServer, "audit-log-maxage")),
        new("1.2.18", "1.2", "Ensure that the --audit-log-maxbackup argument is set to 10 or as appropriate (Automated)", c => IsSet(c.ApiServer, "audit-log-maxbackup")),
        new("1.2.19", "1.2", "Ensure that the --audit-log-maxsize argument is set to 100 or as appropriate (Automated)", c => IsSet(c.ApiServer, "audit-log-maxsize")),
        new("1.3.2", "1.3", "Ensure that the --profiling argument is set to false (Automated)", c => SetTo(c.ControllerManager, "profiling", "false")),
        new("1.4.1", "1.4", "Ensure that the --profiling argument is set to false (Automated)", c => SetTo(c.Scheduler, "profiling", "false")),
    ];

    private static readonly Check[] Node =
    [
        new("4.2.1", "4.2", "Ensure that the --anonymous-auth argument is set to false (Automated)",
            c => (c.KubeletArgs.GetValueOrDefault("anonymous-auth") ?? Kubelet(c, "authentication", "anonymous", "enabled") ?? "false") == "false" ? Pass : Fail),
        new("4.2.2", "4.2", "Ensure that the --authorization-mode argument is not set to AlwaysAllow (Automated)",
            c => (c.KubeletArgs.GetValueOrDefault("authorization-mode") ?? Kubelet(c, "authorization", "mode") ?? "Webhook") == "AlwaysAllow" ? Fail : Pass),
        new("4.2.3", "4.2", "Ensure that the --client-ca-file argument is set as appropriate (Automated)", _ => Pass),
        new("4.2.4", "4.2", "Verify that the --read-only-port argument is set to 0 (Manual)", _ => Warn),
        new("4.2.6", "4.2", "Ensure that the --make-iptables-util-chains argument is set to true (Automated)",
            c => (Kubelet(c, "makeIPTablesUtilChains") ?? "true") == "true" ? Pass : Fail),
        new("4.2.9", "4.2", "Ensure that the --event-qps argument is set to a level which ensures appropriate event capture (Manual)", _ => Warn),
        new("4.2.11", "4.2", "Ensure that the --rotate-certificates argument is not set to false (Automated)",
            c => (c.KubeletArgs.GetValueOrDefault("rotate-certificates") ?? Kubelet(c, "rotateCertificates") ?? "true") == "false" ? Fail : Pass),
        new("4.2.12", "4.2", "Verify that the RotateKubeletServerCertificate argument is set to true (Manual)", _ => Warn),
        new("4.2.13", "4.2", "Ensure that the Kubelet only makes use of Strong Cryptographic Ciphers (Manual)", _ => Warn),
        new("4.2.14", "4.2", "Ensure that the --protect-kernel-defaults argument is set to true (Automated)",
            c => (c.KubeletArgs.GetValueOrDefault("protect-kernel-defaults") ?? Kubelet(c, "protectKernelDefaults")) == "true" ? Pass : Fail),
    ];

    /// <summary>One agent run's scans: true when an IAM answer is awaited.</summary>
    public static bool Operate(AwsWorld world, Instance instance, AgentState state, JsonObject document, DateTimeOffset at, NodeCredentials? credentials)
    {
        if (document["scans"] is not JsonObject scans)
            return false;
        var bucketName = scans["bucket"]?.ToString() ?? "";
        var prefix = (scans["prefix"]?.ToString() ?? "").Trim('/');
        var roles = (scans["nodeRoles"] as JsonArray ?? []).Select(r => r?.ToString() ?? "").ToList();
        foreach (var operation in (scans["operations"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var name = operation["name"]?.ToString() ?? "";
            if (name.Length == 0 || state.Operations.Contains("scan:" + name, StringComparer.Ordinal))
                continue;
            var objects = new List<(string Key, byte[] Body)>();
            foreach (var role in roles)
            {
                if (NodeOf(world, instance, role, at) is not { } node)
                    continue;
                var result = Result(world, instance, node, role);
                objects.Add(($"{prefix}/{name}/{role}.json", Encoding.UTF8.GetBytes(result.ToJsonString())));
            }
            var answer = VeleroModel.PutAll(instance, world.Find<S3Bucket>(bucketName), bucketName, [.. objects], at, credentials);
            if (answer == NodeCallAnswer.Pending)
                return true;
            state.Operations.Add("scan:" + name);
        }
        return false;
    }

    /// <summary>The node a role's Job runs on: this control plane, or the first running worker of its cluster.</summary>
    private static Instance? NodeOf(AwsWorld world, Instance agent, string role, DateTimeOffset at) => role switch
    {
        "controlplane" => agent,
        "worker" => world.All<Instance>()
            .Where(i => i.Agent is { Role: NodeAgent.Join, Boot: not null, JoinedAt: not null } a && a.ApiEndpoint == agent.Agent!.ApiEndpoint && i.StateAt(at) == "running")
            .OrderBy(i => i.Agent!.Boot!.NodeName, StringComparer.Ordinal).FirstOrDefault(),
        _ => null,
    };

    private static JsonObject Result(AwsWorld world, Instance agent, Instance node, string role)
    {
        var config = Configuration(world, agent, node);
        var controls = new JsonArray();
        int pass = 0, fail = 0, warn = 0;
        void Add(string id, string text, string nodeType, Check[] checks)
        {
            var tests = new JsonArray();
            int cp = 0, cf = 0, cw = 0;
            foreach (var section in checks.GroupBy(c => c.Section))
            {
                var results = new JsonArray();
                int sp = 0, sf = 0, sw = 0;
                foreach (var check in section)
                {
                    var status = check.Status(config);
                    _ = status == Pass ? sp++ : status == Fail ? sf++ : sw++;
                    results.Add(new JsonObject { ["test_number"] = check.Id, ["test_desc"] = check.Title, ["status"] = status, ["scored"] = !check.Title.EndsWith("(Manual)", StringComparison.Ordinal) });
                }
                tests.Add(new JsonObject { ["section"] = section.Key, ["pass"] = sp, ["fail"] = sf, ["warn"] = sw, ["info"] = 0, ["results"] = results });
                cp += sp; cf += sf; cw += sw;
            }
            controls.Add(new JsonObject
            {
                ["id"] = id, ["version"] = "cis-1.10", ["text"] = text, ["node_type"] = nodeType, ["tests"] = tests,
                ["total_pass"] = cp, ["total_fail"] = cf, ["total_warn"] = cw, ["total_info"] = 0,
            });
            pass += cp; fail += cf; warn += cw;
        }
        if (role == "controlplane")
            Add("1", "Control Plane Security Configuration", "master", Master);
        Add("4", "Worker Node Security Configuration", "node", Node);
        return new JsonObject
        {
            ["Controls"] = controls,
            ["Totals"] = new JsonObject { ["total_pass"] = pass, ["total_fail"] = fail, ["total_warn"] = warn, ["total_info"] = 0 },
        };
    }

    /// <summary>The node's kubeadm configuration, with the cluster's (the first control plane's) ClusterConfiguration and KubeletConfiguration.</summary>
    private static NodeConfig Configuration(AwsWorld world, Instance agent, Instance node)
    {
        var own = Kinds(node);
        var init = world.All<Instance>().FirstOrDefault(i => i.Agent is { Role: NodeAgent.Init } a && a.ApiEndpoint == agent.Agent!.ApiEndpoint) is { } first ? Kinds(first) : own;
        var cluster = init.GetValueOrDefault("ClusterConfiguration");
        Dictionary<string, string> Args(string component) =>
            cluster is not null && Child(cluster, component) is YamlMappingNode c && Child(c, "extraArgs") is { } args ? Map(args) : [];
        var registration = (own.GetValueOrDefault("InitConfiguration") ?? own.GetValueOrDefault("JoinConfiguration")) is { } nodeDocument
            && Child(nodeDocument, "nodeRegistration") is YamlMappingNode r && Child(r, "kubeletExtraArgs") is { } kubeletArgs ? Map(kubeletArgs) : [];
        return new NodeConfig(Args("apiServer"), Args("controllerManager"), Args("scheduler"), init.GetValueOrDefault("KubeletConfiguration"), registration);
    }

    /// <summary>kubeadm's documents in a node's user data, by kind.</summary>
    private static Dictionary<string, YamlMappingNode> Kinds(Instance instance)
    {
        var kinds = new Dictionary<string, YamlMappingNode>(StringComparer.Ordinal);
        if (instance.UserData is null || Parse(instance.UserData) is not { } document)
            return kinds;
        foreach (var content in document.Files.Values.Where(c => c.Contains("kubeadm.k8s.io/", StringComparison.Ordinal)))
        {
            foreach (var root in Documents(content))
            {
                if (Scalar(root, "kind") is { } kind)
                    kinds[kind] = root;
            }
        }
        return kinds;
    }

    /// <summary>kubeadm's extraArgs: a mapping (v1beta3) or a list of name/value pairs (v1beta4).</summary>
    private static Dictionary<string, string> Map(YamlNode args) => args switch
    {
        YamlMappingNode map => map.Children.ToDictionary(c => ((YamlScalarNode)c.Key).Value ?? "", c => (c.Value as YamlScalarNode)?.Value ?? "", StringComparer.Ordinal),
        YamlSequenceNode list => list.Children.OfType<YamlMappingNode>().Where(i => Scalar(i, "name") is not null)
            .GroupBy(i => Scalar(i, "name")!).ToDictionary(g => g.Key, g => Scalar(g.Last(), "value") ?? "", StringComparer.Ordinal),
        _ => [],
    };
}
