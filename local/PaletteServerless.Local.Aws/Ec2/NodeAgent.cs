using System.Text;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.Ssm;
using YamlDotNet.RepresentationModel;

namespace PaletteServerless.Local.Aws.Ec2;

/// <summary>What a node's agent decided when it read its user data at boot, and how far it has reported since.</summary>
public sealed class NodeAgentState
{
    /// <summary><see cref="NodeAgent.Init"/>, <see cref="NodeAgent.JoinControlPlane"/>, <see cref="NodeAgent.Join"/>, or <see cref="NodeAgent.Silent"/>.</summary>
    public string Role { get; set; } = NodeAgent.Silent;

    /// <summary>Why a silent node says nothing (its user data was wrong, or the fault profile made it so); for tests and the inventory.</summary>
    public string? SilentBecause { get; set; }

    /// <summary>The cluster (ownership tag) the node belongs to.</summary>
    public string ClusterUid { get; set; } = "";

    /// <summary>First control plane only: the pack the fault profile makes fail (the first its packs script installs), or null.</summary>
    public string? FailingPack { get; set; }

    /// <summary>The last phase reported, and when the node reported Ready (joins wait for a control plane's).</summary>
    public string? Phase { get; set; }
    public DateTimeOffset? ReadyAt { get; set; }
}

/// <summary>
/// The modelled node agent of every instance: what cloud-init, kubeadm and the product's scripts would do on a
/// real node, reduced to the phases the node reports by tagging its own instance
/// (<c>palette.serverless/node-phase</c> Joined, Ready, and for the first control plane PacksApplied or PacksFailed
/// with <c>palette.serverless/node-message</c>). Nothing runs in the background: like every other life cycle of the
/// local AWS, the reports are applied when time is (before each EC2 call), at the modelled times.
/// A node reports only if its user data would work: a cloud-config that fetches its secrets from its own cluster's
/// SSM path (the path its ownership tags name, whose parameters exist) and runs the kubeadm command of its role
/// (init on the first control plane, join with a control-plane section on the other control planes, join on
/// workers), and reports its phases with the AWS CLI. Otherwise it says nothing, like a node that failed to boot.
/// A join reports only once a control plane of its cluster has reported Ready (kubeadm join waits for the API server).
/// </summary>
public static class NodeAgent
{
    public const string PhaseTag = "palette.serverless/node-phase";
    public const string MessageTag = "palette.serverless/node-message";
    public const string Joined = "Joined";
    public const string Ready = "Ready";
    public const string PacksApplied = "PacksApplied";
    public const string PacksFailed = "PacksFailed";

    public const string Init = "init";
    public const string JoinControlPlane = "join-control-plane";
    public const string Join = "join";
    public const string Silent = "silent";

    /// <summary>Cluster API's role tag: <c>controlplane</c> or <c>node</c>.</summary>
    public const string RoleTag = "sigs.k8s.io/cluster-api-provider-aws/role";
    public const string ClusterUidTag = "palette.serverless/cluster-uid";
    public const string TenantTag = "palette.serverless/tenant";
    public const string SecretsPathPrefix = "/palette-serverless";

    /// <summary>The kubeconfig groups whose bindings the first control plane must apply, and the ClusterRole of each.</summary>
    public static readonly IReadOnlyDictionary<string, string> RequiredGroupBindings = new Dictionary<string, string>
    {
        ["palette:cluster-admins"] = "cluster-admin",
        ["palette:editors"] = "edit",
        ["palette:viewers"] = "view",
    };

    private static readonly string[] Order = [Joined, Ready, PacksApplied];

    /// <summary>Brings every running instance's reports up to <paramref name="now"/>: the first control planes first, so joins see their API.</summary>
    public static void Advance(AwsWorld world, DateTimeOffset now, LatencyModel latency, FaultInjector faults)
    {
        var booted = new List<(Instance Instance, DateTimeOffset BootedAt)>();
        foreach (var instance in world.All<Instance>())
        {
            if (instance.UserData is null || instance.StateAt(now) != "running" || instance.Agent is { Role: Silent })
                continue;
            var bootedAt = instance.StateSince(now) + latency.Of(LatencyModel.NodeBoot);
            if (bootedAt > now)
                continue;
            instance.Agent ??= Read(world, instance, faults);
            if (instance.Agent.Role != Silent)
                booted.Add((instance, bootedAt));
        }
        foreach (var (instance, bootedAt) in booted.OrderBy(b => b.Instance.Agent!.Role == Init ? 0 : 1))
        {
            var agent = instance.Agent!;
            var joinedAt = bootedAt;
            if (agent.Role != Init)
            {
                // kubeadm join retries until the API server answers behind the load balancer.
                var apiReady = ApiReadyAt(world, agent.ClusterUid);
                if (apiReady is null)
                    continue;
                joinedAt = apiReady.Value > bootedAt ? apiReady.Value : bootedAt;
            }
            var readyAt = joinedAt + latency.Of(LatencyModel.NodeReady);
            Report(instance, Joined, joinedAt, now);
            if (Report(instance, Ready, readyAt, now))
                agent.ReadyAt = readyAt;
            if (agent.Role == Init)
            {
                var packsAt = readyAt + latency.Of(LatencyModel.PacksApplied);
                if (agent.FailingPack is { } pack && packsAt <= now && agent.Phase != PacksFailed)
                {
                    agent.Phase = PacksFailed;
                    instance.Tags[PhaseTag] = PacksFailed;
                    instance.Tags[MessageTag] = pack;
                }
                else if (agent.FailingPack is null)
                    Report(instance, PacksApplied, packsAt, now);
            }
        }
    }

    /// <summary>Reports <paramref name="phase"/> if its time has come and the node has not got past it. True when it reported it now.</summary>
    private static bool Report(Instance instance, string phase, DateTimeOffset at, DateTimeOffset now)
    {
        var agent = instance.Agent!;
        if (at > now || agent.Phase == PacksFailed || Array.IndexOf(Order, agent.Phase) >= Array.IndexOf(Order, phase))
            return false;
        agent.Phase = phase;
        instance.Tags[PhaseTag] = phase;
        return true;
    }

    /// <summary>When the first of the cluster's control planes reported Ready, or null while none has.</summary>
    private static DateTimeOffset? ApiReadyAt(AwsWorld world, string clusterUid) =>
        world.All<Instance>()
            .Where(i => i.Agent is { Role: Init or JoinControlPlane, ReadyAt: not null } agent && agent.ClusterUid == clusterUid)
            .Select(i => i.Agent!.ReadyAt)
            .Min();

    /// <summary>What the node makes of its user data at boot: its role, or silence with the reason.</summary>
    public static NodeAgentState Read(AwsWorld world, Instance instance, FaultInjector faults)
    {
        var uid = instance.Tags.GetValueOrDefault(ClusterUidTag) ?? "";
        var state = Check(world, instance, uid);
        if (state.Role == Silent)
            return state;
        if (faults.NodeNeverReports())
            return new NodeAgentState { Role = Silent, ClusterUid = uid, SilentBecause = "the fault profile made this node never report" };
        if (state.Role == Init && faults.PacksFail())
            state.FailingPack = FirstPack(UserDataDocument.Parse(instance.UserData!)!) ?? "unnamed-pack";
        return state;
    }

    private static NodeAgentState Check(AwsWorld world, Instance instance, string uid)
    {
        NodeAgentState Silence(string why) => new() { Role = Silent, ClusterUid = uid, SilentBecause = why };

        var document = UserDataDocument.Parse(instance.UserData!);
        if (document is null)
            return Silence("the user data is not a cloud-config document");
        var tenant = instance.Tags.GetValueOrDefault(TenantTag);
        if (uid.Length == 0 || tenant is null)
            return Silence("the instance carries no cluster ownership tags");
        var path = $"{SecretsPathPrefix}/{tenant}/{uid}";
        var controlPlane = instance.Tags.GetValueOrDefault(RoleTag) == "controlplane";

        // The kubeadm command of its role, and the configuration it reads.
        var kubeadm = document.Runcmd.FindIndex(c => c.StartsWith("kubeadm init", StringComparison.Ordinal) || c.StartsWith("kubeadm join", StringComparison.Ordinal));
        if (kubeadm < 0)
            return Silence("runcmd runs no kubeadm init or join");
        var command = document.Runcmd[kubeadm];
        var init = command.StartsWith("kubeadm init", StringComparison.Ordinal);
        var kinds = KubeadmKinds(document, command);
        string role;
        if (init)
        {
            if (!controlPlane)
                return Silence("a worker runs kubeadm init");
            if (!kinds.Contains("InitConfiguration"))
                return Silence("kubeadm init without an InitConfiguration");
            role = Init;
        }
        else
        {
            if (!kinds.Contains("JoinConfiguration"))
                return Silence("kubeadm join without a JoinConfiguration");
            var joinsControlPlane = command.Contains("--control-plane", StringComparison.Ordinal) || kinds.Contains("JoinConfiguration/controlPlane");
            if (controlPlane != joinsControlPlane)
                return Silence(controlPlane ? "a control plane joins as a worker" : "a worker joins as a control plane");
            role = controlPlane ? JoinControlPlane : Join;
        }

        // Its secrets: a script that reads its own cluster's parameters runs before kubeadm, and they exist.
        var secrets = document.Files.FirstOrDefault(f => f.Value.Contains("aws ssm get-parameter", StringComparison.Ordinal)
            && document.Runcmd.Take(kubeadm).Contains(f.Key));
        if (secrets.Key is null)
            return Silence("no script that reads the secrets from SSM runs before kubeadm");
        // A script that sources node.env reads its parameter path from there (the user data's values are data).
        var paths = System.Text.RegularExpressions.Regex.Matches(WithNodeEnv(document, secrets.Value), @"/palette-serverless/[A-Za-z0-9._/-]+").Select(m => m.Value.TrimEnd('/')).Distinct().ToList();
        if (paths.Count != 1 || paths[0] != path)
            return Silence($"the secrets script reads {string.Join(", ", paths.DefaultIfEmpty("no parameter path"))}, not its cluster's {path}");
        string[] needed = role switch { Init => ["join-token", "certificate-key", "ca"], JoinControlPlane => ["join-token", "certificate-key"], _ => ["join-token"] };
        if (needed.FirstOrDefault(n => !world.All<SsmParameter>().Any(p => p.Name == $"{path}/{n}")) is { } missing)
            return Silence($"its cluster's parameter {path}/{missing} does not exist");

        // Its reports: a script that tags the instance with the phase key, run with Joined after kubeadm.
        var reporter = document.Files.FirstOrDefault(f => f.Value.Contains("ec2 create-tags", StringComparison.Ordinal) && WithNodeEnv(document, f.Value).Contains(PhaseTag, StringComparison.Ordinal));
        if (reporter.Key is null || !document.Runcmd.Skip(kubeadm + 1).Contains($"{reporter.Key} {Joined}"))
            return Silence("nothing reports the Joined phase after kubeadm");

        if (role == Init)
        {
            if (MissingGroupBindings(document) is { } rbac)
                return Silence(rbac);
            if (!document.Files.Any(f => f.Value.Contains($"{reporter.Key} {PacksApplied}", StringComparison.Ordinal) && document.Runcmd.Skip(kubeadm + 1).Contains(f.Key)))
                return Silence("no packs script that reports PacksApplied runs after kubeadm init");
        }
        return new NodeAgentState { Role = role, ClusterUid = uid };
    }

    private const string NodeEnvPath = "/etc/palette/node.env";

    /// <summary>A script's text with the node.env it sources appended: where its values come from.</summary>
    private static string WithNodeEnv(UserDataDocument document, string script) =>
        script.Contains(". " + NodeEnvPath, StringComparison.Ordinal) ? script + "\n" + document.Files.GetValueOrDefault(NodeEnvPath) : script;

    /// <summary>The kinds of the kubeadm configuration the command reads (its --config file, or the template the secrets script fills in), with "JoinConfiguration/controlPlane" for a control-plane join.</summary>
    private static HashSet<string> KubeadmKinds(UserDataDocument document, string command)
    {
        var kinds = new HashSet<string>(StringComparer.Ordinal);
        var parts = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var at = Array.IndexOf(parts, "--config");
        if (at < 0 || at + 1 >= parts.Length)
            return kinds;
        var config = parts[at + 1];
        var content = document.Files.GetValueOrDefault(config) ?? document.Files.GetValueOrDefault(config + ".in");
        if (content is null)
            return kinds;
        foreach (var root in UserDataDocument.Documents(content))
        {
            if (root.Children.TryGetValue(new YamlScalarNode("kind"), out var kind) && kind is YamlScalarNode { Value: { } name })
            {
                kinds.Add(name);
                if (name == "JoinConfiguration" && root.Children.ContainsKey(new YamlScalarNode("controlPlane")))
                    kinds.Add("JoinConfiguration/controlPlane");
            }
        }
        return kinds;
    }

    /// <summary>Why the RBAC the kubeconfig groups need would be missing after init, or null: a manifest applied after kubeadm init that binds each group to its ClusterRole.</summary>
    private static string? MissingGroupBindings(UserDataDocument document)
    {
        var applied = document.Runcmd.Select(c => System.Text.RegularExpressions.Regex.Match(c, @"^kubectl .*apply -f (\S+)"))
            .Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();
        var bindings = new List<(string Group, string Role)>();
        foreach (var file in applied)
        {
            foreach (var root in UserDataDocument.Documents(document.Files.GetValueOrDefault(file) ?? ""))
            {
                if (Scalar(root, "kind") != "ClusterRoleBinding" || UserDataDocument.Child(root, "roleRef") is not YamlMappingNode roleRef)
                    continue;
                if (UserDataDocument.Child(root, "subjects") is not YamlSequenceNode subjects)
                    continue;
                foreach (var subject in subjects.Children.OfType<YamlMappingNode>().Where(s => Scalar(s, "kind") == "Group"))
                    bindings.Add((Scalar(subject, "name") ?? "", Scalar(roleRef, "name") ?? ""));
            }
        }
        var missing = RequiredGroupBindings.Where(r => !bindings.Contains((r.Key, r.Value))).Select(r => $"{r.Key} -> {r.Value}").ToList();
        return missing.Count == 0 ? null : $"no manifest applied at init binds {string.Join(", ", missing)}";
    }

    /// <summary>The first pack the packs script installs (its first kubectl apply or helm install "|| fail NAME"): the one a modelled pack failure names.</summary>
    private static string? FirstPack(UserDataDocument document) =>
        document.Files.Values
            .Select(v => System.Text.RegularExpressions.Regex.Match(v, @"^(?:kubectl apply|helm upgrade) .*\|\| fail ([A-Za-z0-9._-]+)$", System.Text.RegularExpressions.RegexOptions.Multiline))
            .FirstOrDefault(m => m.Success)?.Groups[1].Value;

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode scalar ? scalar.Value : null;
}

/// <summary>A cloud-config user data as cloud-init reads it: the files it writes and the commands it runs.</summary>
public sealed record UserDataDocument(Dictionary<string, string> Files, List<string> Runcmd)
{
    /// <summary>The document from RunInstances' base64 user data, or null when it is not a cloud-config cloud-init would run.</summary>
    public static UserDataDocument? Parse(string base64)
    {
        string text;
        try
        {
            text = Encoding.UTF8.GetString(Convert.FromBase64String(base64));
        }
        catch (FormatException)
        {
            return null;
        }
        if (!text.StartsWith("#cloud-config\n", StringComparison.Ordinal))
            return null;
        var roots = Documents(text);
        if (roots.Count != 1)
            return null;
        var root = roots[0];
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        if (UserDataDocument.Child(root, "write_files") is YamlSequenceNode written)
        {
            foreach (var file in written.Children.OfType<YamlMappingNode>())
            {
                if (UserDataDocument.Child(file, "path") is YamlScalarNode { Value: { } path })
                    files[path] = UserDataDocument.Child(file, "content") is YamlScalarNode { Value: { } content } ? content : "";
            }
        }
        if (UserDataDocument.Child(root, "runcmd") is not YamlSequenceNode runcmd)
            return null;
        var commands = runcmd.Children.Select(c => c switch
        {
            YamlScalarNode line => line.Value ?? "",
            YamlSequenceNode argv => string.Join(' ', argv.Children.OfType<YamlScalarNode>().Select(a => a.Value)),
            _ => "",
        }).ToList();
        return new UserDataDocument(files, commands);
    }

    /// <summary>The value under <paramref name="key"/> in a mapping, or null.</summary>
    public static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    /// <summary>The YAML documents of a text (each a mapping), or none when it is not YAML.</summary>
    public static List<YamlMappingNode> Documents(string text)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            return stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToList();
        }
        catch (YamlDotNet.Core.YamlException)
        {
            return [];
        }
    }
}
