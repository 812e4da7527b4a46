using System.Text.RegularExpressions;
using PaletteServerless.Local.Aws.Core;
using YamlDotNet.RepresentationModel;
using static PaletteServerless.Local.Aws.Ec2.UserDataDocument;

namespace PaletteServerless.Local.Aws.Ec2;

/// <summary>One pack the first control plane's scripts install, in the order they run.</summary>
/// <param name="Name">What its failure handler names (<c>|| fail NAME</c>), or the chart or manifest when none.</param>
/// <param name="Component">What it is, by its upstream chart or manifest: <c>cloud-controller-manager</c>, a CNI's name, or the chart's own name.</param>
/// <param name="WaitsForPods">A Helm install with <c>--wait</c>: it fails when its pods cannot be scheduled.</param>
public sealed record PackInstallStep(string Name, string Component, bool WaitsForPods, string Line);

/// <summary>
/// What a node learns from its user data when cloud-init runs it, and nothing else: the kubeadm command of
/// its role and the endpoint it serves or joins, the environment file its scripts source (where its secrets
/// are, which tag keys report its phase), the containerd and kubelet configuration, and what the scripts
/// check before the node says it is Ready. The first control plane's scripts also say which packs the
/// cluster gets, in order. Every product-specific name comes from here; the model declares none.
/// </summary>
public sealed record NodeBoot
{
    public const string CloudControllerManager = "cloud-controller-manager";

    /// <summary><see cref="NodeAgent.Init"/>, <see cref="NodeAgent.JoinControlPlane"/> or <see cref="NodeAgent.Join"/>.</summary>
    public required string Role { get; init; }

    /// <summary>The control-plane endpoint (host:port) it initializes or joins: nodes with the same one are one cluster.</summary>
    public required string ApiEndpoint { get; init; }

    public required string NodeName { get; init; }
    public required IReadOnlyDictionary<string, string> Environment { get; init; }

    /// <summary>The SSM path its secrets script reads, and the parameters below it that its role needs.</summary>
    public required string SecretsPath { get; init; }
    public required IReadOnlyList<string> NeededParameters { get; init; }

    /// <summary>The tag keys its phase reporter writes (from its environment file).</summary>
    public required string PhaseTag { get; init; }
    public string? MessageTag { get; init; }

    /// <summary>The tag key its phase reporter writes the kubelet's version with (the value of a <c>kubelet --version</c> it runs), or null.</summary>
    public string? VersionTag { get; init; }

    /// <summary>The Kubernetes version of the kubelet and kubeadm it installs (the pinned package version), or null when it pins none.</summary>
    public string? KubeletVersion { get; init; }

    /// <summary>A joining control plane that runs <c>kubeadm upgrade apply</c> after its join: it moves the cluster's control plane to its version.</summary>
    public bool UpgradesControlPlane { get; init; }

    /// <summary>Whether a failed kubeadm command reports <see cref="NodeAgent.Failed"/> (else the node just stops).</summary>
    public bool ReportsKubeadmFailure { get; init; }

    /// <summary>The cgroup driver containerd gives runc (<c>systemd</c> or <c>cgroupfs</c>), or why containerd does not run.</summary>
    public string? ContainerdCgroupDriver { get; init; }
    public string? ContainerdProblem { get; init; }

    /// <summary>The kubelet's cgroup driver as this node's kubeadm configuration sets it (init only; joins take the cluster's).</summary>
    public string? KubeletCgroupDriver { get; init; }

    /// <summary>The kubelet runs with <c>cloud-provider: external</c>: it registers tainted uninitialized until a cloud controller manager initializes it.</summary>
    public bool ExternalCloudProvider { get; init; }

    /// <summary>The kubelet's <c>provider-id</c>: how the AWS cloud controller manager finds the instance of a node not named by its private DNS name.</summary>
    public bool HasProviderId { get; init; }

    /// <summary>What the scripts check before they report Ready (see <see cref="ReadyGate"/>).</summary>
    public required ReadyGate Gate { get; init; }

    /// <summary>First control plane only: the packs it installs before it reports Ready, and after.</summary>
    public IReadOnlyList<PackInstallStep> PacksBeforeReady { get; init; } = [];
    public IReadOnlyList<PackInstallStep> PacksAfterReady { get; init; } = [];

    /// <summary>First control plane only: the network pack's name and its values file.</summary>
    public string? Cni { get; init; }
    public string CniValues { get; init; } = "";

    /// <summary>The agent its user data starts (a timer's script reading a parameter and tagging the instance), or null.</summary>
    public AgentBoot? Agent { get; init; }

    /// <summary>The virtual-cluster agent its user data starts beside it, or null.</summary>
    public VirtualClusterAgentBoot? VirtualClusters { get; init; }

    /// <summary>Whether it reports PacksApplied after its last pack (first control plane).</summary>
    public bool ReportsPacksApplied { get; init; }

    /// <summary>Its runcmd applies the security updates (<c>unattended-upgrade</c>) before kubeadm.</summary>
    public bool PatchesOnBoot { get; init; }

    /// <summary>The tag key its phase reporter writes the patch level with (the value it reads from a <c>level</c> file), or null.</summary>
    public string? LevelTag { get; init; }

    /// <summary>The OS patch agent its user data starts, or null.</summary>
    public OsPatchAgentBoot? PatchAgent { get; init; }

    /// <summary>What the node reads from its user data, or why it would never get anywhere (<paramref name="silentBecause"/>).</summary>
    public static NodeBoot? Read(Instance instance, out string? silentBecause)
    {
        // What a node makes of its user data is read once (again only if the user data changed), however often a
        // waiting node is looked at: five hundred nodes waiting for IAM's answers were parsed at every tick.
        if (!Parsed.TryGetValue(instance, out var read) || !ReferenceEquals(read.UserData, instance.UserData))
        {
            read = new ParsedUserData(instance.UserData, ReadUserData(instance, out var why), why);
            Parsed.AddOrUpdate(instance, read);
        }
        silentBecause = read.SilentBecause;
        return read.Boot;
    }

    private sealed record ParsedUserData(string? UserData, NodeBoot? Boot, string? SilentBecause);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Instance, ParsedUserData> Parsed = new();

    private static NodeBoot? ReadUserData(Instance instance, out string? silentBecause)
    {
        silentBecause = null;
        var document = Parse(instance.UserData!);
        if (document is null)
            return Silent("the user data is not a cloud-config document", out silentBecause);

        // The environment file every script sources: its values are data, whatever they hold.
        var environment = document.Files.Where(f => f.Key.EndsWith(".env", StringComparison.Ordinal))
            .SelectMany(f => EnvironmentFile(f.Value)).GroupBy(v => v.Key).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);

        // The phase reporter: the script that tags its own instance. It is called, never inlined.
        var reporter = document.Files.FirstOrDefault(f => f.Value.StartsWith("#!", StringComparison.Ordinal) && f.Value.Contains("ec2 create-tags", StringComparison.Ordinal));
        if (reporter.Key is null)
            return Silent("no script reports the node's phase", out silentBecause);
        var reporterScript = Expand(reporter.Value, environment);
        var tagKeys = Regex.Matches(reporterScript, @"Key=([^,""'\s]+),Value=").Select(m => m.Groups[1].Value).Distinct().ToList();
        if (tagKeys.Count == 0)
            return Silent("the phase reporter writes no tag key", out silentBecause);

        // The version it reports: the tag whose value the reporter takes from the kubelet binary.
        var versionVariable = Regex.Match(reporterScript, @"(\w+)=\$\(kubelet --version");
        var versionTag = versionVariable.Success
            ? Regex.Match(reporterScript, @"Key=([^,""'\s]+),Value=\$" + versionVariable.Groups[1].Value + @"\b") is { Success: true } key ? key.Groups[1].Value : null
            : null;
        tagKeys.Remove(versionTag ?? "");
        // The patch level it reports: the tag whose value the reporter reads from a level file.
        var levelVariable = Regex.Match(reporterScript, @"(\w+)=\$\(cat \S*level\b");
        var levelTag = levelVariable.Success && Regex.Match(reporterScript, @"Key=([^,""'\s]+),Value=\$" + levelVariable.Groups[1].Value + @"\b") is { Success: true } level
            ? level.Groups[1].Value : null;
        tagKeys.Remove(levelTag ?? "");

        var script = Flatten(document, document.Runcmd, reporter.Key, depth: 0);
        var kubeadm = script.FindIndex(c => Regex.IsMatch(c, @"^\s*kubeadm (init|join)\b"));
        if (kubeadm < 0)
            return Silent("runcmd runs no kubeadm init or join", out silentBecause);
        var command = script[kubeadm].Trim();
        var init = command.StartsWith("kubeadm init", StringComparison.Ordinal);
        var config = KubeadmDocuments(document, command);
        var controlPlaneInstance = IsControlPlaneInstance(instance);
        string role;
        string? endpoint;
        YamlMappingNode? registration;
        if (init)
        {
            if (config.GetValueOrDefault("InitConfiguration") is not { } initConfiguration)
                return Silent("kubeadm init without an InitConfiguration", out silentBecause);
            role = NodeAgent.Init;
            endpoint = config.GetValueOrDefault("ClusterConfiguration") is { } cluster ? Scalar(cluster, "controlPlaneEndpoint") : null;
            registration = Child(initConfiguration, "nodeRegistration") as YamlMappingNode;
        }
        else
        {
            if (config.GetValueOrDefault("JoinConfiguration") is not { } join)
                return Silent("kubeadm join without a JoinConfiguration", out silentBecause);
            var joinsControlPlane = command.Contains("--control-plane", StringComparison.Ordinal) || Child(join, "controlPlane") is not null;
            role = joinsControlPlane ? NodeAgent.JoinControlPlane : NodeAgent.Join;
            endpoint = Child(join, "discovery") is YamlMappingNode discovery && Child(discovery, "bootstrapToken") is YamlMappingNode token
                ? Scalar(token, "apiServerEndpoint") : null;
            registration = Child(join, "nodeRegistration") as YamlMappingNode;
        }
        if (controlPlaneInstance is { } isControlPlane && isControlPlane != (role != NodeAgent.Join))
            return Silent(isControlPlane ? "a control plane joins as a worker" : "a worker runs a control plane's kubeadm", out silentBecause);
        if (string.IsNullOrEmpty(endpoint))
            return Silent("its kubeadm configuration names no control-plane endpoint", out silentBecause);

        // Its secrets: a script run before kubeadm reads them from SSM under one path, which exists.
        var secretsLines = script.Take(kubeadm).Select(l => Expand(l, environment)).ToList();
        if (!secretsLines.Any(l => l.Contains("ssm get-parameter", StringComparison.Ordinal)))
            return Silent("no script that reads the secrets from SSM runs before kubeadm", out silentBecause);
        var parameterReads = secretsLines.Select(l => Regex.Match(l, @"^\s*(?:\w+=\$\()?get ([A-Za-z0-9._-]+)")).Where(m => m.Success).Select(m => m.Groups[1].Value).Distinct().ToList();
        var paths = secretsLines.SelectMany(l => Regex.Matches(l, @"(?:path=|--name\s+""?)'?(/[A-Za-z0-9._/-]+?)'?(?:/\$1|""|\s|$)").Select(m => m.Groups[1].Value))
            .Concat(environment.Where(v => v.Key.Contains("SECRETS", StringComparison.Ordinal) && v.Value.StartsWith('/')).Select(v => v.Value))
            .Select(p => p.TrimEnd('/')).Distinct().ToList();
        if (paths.Count != 1)
            return Silent($"the secrets script reads {(paths.Count == 0 ? "no parameter path" : string.Join(", ", paths))}", out silentBecause);

        // Its reports: Joined after kubeadm.
        var report = $"{reporter.Key} ";
        if (!script.Skip(kubeadm + 1).Any(l => l.Trim().StartsWith(report + NodeAgent.Joined, StringComparison.Ordinal)))
            return Silent("nothing reports the Joined phase after kubeadm", out silentBecause);
        var readyAt = script.FindIndex(kubeadm + 1, l => l.Trim().StartsWith(report + NodeAgent.Ready, StringComparison.Ordinal));

        var kubeletArgs = registration is not null && Child(registration, "kubeletExtraArgs") is { } args ? KubeletArgs(args) : [];
        var (containerdDriver, containerdProblem) = Containerd(document);
        var boot = new NodeBoot
        {
            Role = role,
            ApiEndpoint = endpoint,
            // kubeadm names a node it is given no name for by its host name, which on EC2 cloud-init takes from the
            // private DNS name in instance metadata (ip-10-0-1-5).
            NodeName = (registration is null ? null : Scalar(registration, "name")) ?? "ip-" + instance.PrivateIpAddress.Replace('.', '-'),
            Environment = environment,
            SecretsPath = paths[0],
            NeededParameters = parameterReads,
            PhaseTag = tagKeys[0],
            MessageTag = tagKeys.Count > 1 ? tagKeys[1] : null,
            ReportsKubeadmFailure = command.Contains("||", StringComparison.Ordinal) && command.Contains(report + NodeAgent.Failed, StringComparison.Ordinal),
            ContainerdCgroupDriver = containerdDriver,
            ContainerdProblem = containerdProblem,
            KubeletCgroupDriver = config.GetValueOrDefault("KubeletConfiguration") is { } kubelet ? Scalar(kubelet, "cgroupDriver") : null,
            ExternalCloudProvider = kubeletArgs.GetValueOrDefault("cloud-provider") == "external",
            HasProviderId = !string.IsNullOrEmpty(kubeletArgs.GetValueOrDefault("provider-id")),
            Gate = readyAt < 0 ? ReadyGate.Never : ReadyGate.Of(string.Join('\n', script.Skip(kubeadm + 1).Take(readyAt - kubeadm - 1))),
            Agent = AgentBoot.Read(document, environment),
            VirtualClusters = VirtualClusterAgentBoot.Read(document, environment),
            ReportsPacksApplied = script.Any(l => l.Trim().StartsWith(report + NodeAgent.PacksApplied, StringComparison.Ordinal)),
            VersionTag = versionTag,
            LevelTag = levelTag,
            PatchesOnBoot = script.Take(kubeadm).Any(l => OsPatchAgentBoot.IsPatchAgent(l) && !l.TrimStart().StartsWith('#')),
            PatchAgent = OsPatchAgentBoot.Read(document, environment),
            // apt-get install "kubelet=1.31.2-*": the package of that version, from the repository of its minor.
            KubeletVersion = script.Take(kubeadm).Select(l => Regex.Match(Expand(l, environment), @"\bkubelet=v?(\d+\.\d+\.\d+)-")).FirstOrDefault(m => m.Success)?.Groups[1].Value,
            UpgradesControlPlane = role == NodeAgent.JoinControlPlane && script.Skip(kubeadm + 1).Any(l => Regex.IsMatch(l, @"^\s*kubeadm upgrade apply\b")),
        };
        if (role != NodeAgent.Init)
            return boot;

        // The first control plane: the packs it installs, before and after it reports Ready.
        var installs = script.Select((line, at) => (Step: InstallStep(line), At: at)).Where(s => s.Step is not null).ToList();
        var cni = installs.FirstOrDefault(s => s.Step!.Component is "calico" or "cilium").Step;
        var cniAt = installs.FirstOrDefault(s => s.Step == cni).At;
        var gateFrom = Math.Max(kubeadm, cniAt);
        return boot with
        {
            // On the first control plane the checks start once the network pack is in.
            Gate = readyAt < 0 ? ReadyGate.Never : ReadyGate.Of(string.Join('\n', script.Skip(gateFrom + 1).Take(Math.Max(0, readyAt - gateFrom - 1)))),
            PacksBeforeReady = [.. installs.Where(s => readyAt < 0 || s.At < readyAt).Select(s => s.Step!)],
            PacksAfterReady = [.. installs.Where(s => readyAt >= 0 && s.At > readyAt).Select(s => s.Step!)],
            Cni = cni?.Component,
            CniValues = cni is null ? ""
                : cni.Component == "calico" ? CalicoAsApplied(cni.Line)
                : document.Files.FirstOrDefault(f => f.Key.EndsWith($"/{cni.Component}.yaml", StringComparison.Ordinal)).Value ?? "",
        };
    }

    private static NodeBoot? Silent(string why, out string? silentBecause)
    {
        silentBecause = why;
        return null;
    }

    /// <summary>Whether the instance is a control plane by Cluster API's role tag, or null when it carries none (the node then goes by its user data).</summary>
    private static bool? IsControlPlaneInstance(Instance instance) =>
        instance.Tags.GetValueOrDefault("sigs.k8s.io/cluster-api-provider-aws/role") switch
        {
            "controlplane" => true,
            "node" => false,
            _ => null,
        };

    /// <summary>
    /// The commands as the node runs them, one line each: every executable file a command runs (a script
    /// written by write_files) is inlined where it runs, so the order of kubeadm, installs, checks and
    /// reports is the order the node would reach them. The phase reporter stays a call.
    /// </summary>
    private static List<string> Flatten(UserDataDocument document, IEnumerable<string> lines, string reporter, int depth)
    {
        var flat = new List<string>();
        foreach (var line in lines)
        {
            flat.Add(line);
            if (depth > 3)
                continue;
            foreach (var word in Regex.Split(line, @"[\s;|&(){}]+").Select(w => w.Trim('\'', '"')))
            {
                if (word != reporter && document.Files.TryGetValue(word, out var content) && content.StartsWith("#!", StringComparison.Ordinal))
                    flat.AddRange(Flatten(document, content.Split('\n'), reporter, depth + 1));
            }
        }
        return flat;
    }

    /// <summary>The kubeadm configuration documents the command reads, by kind (its --config file, or the template the secrets script fills in).</summary>
    private static Dictionary<string, YamlMappingNode> KubeadmDocuments(UserDataDocument document, string command)
    {
        var kinds = new Dictionary<string, YamlMappingNode>(StringComparer.Ordinal);
        var match = Regex.Match(command, @"--config[ =](\S+)");
        if (!match.Success)
            return kinds;
        var path = match.Groups[1].Value;
        var content = document.Files.GetValueOrDefault(path) ?? document.Files.GetValueOrDefault(path + ".in") ?? "";
        foreach (var root in Documents(content))
        {
            if (Scalar(root, "kind") is { } kind)
                kinds[kind] = root;
        }
        return kinds;
    }

    private static Dictionary<string, string> KubeletArgs(YamlNode args) => args switch
    {
        // kubeadm v1beta3: a map; v1beta4: a list of name/value pairs.
        YamlMappingNode map => map.Children.Where(c => c.Key is YamlScalarNode && c.Value is YamlScalarNode)
            .ToDictionary(c => ((YamlScalarNode)c.Key).Value ?? "", c => ((YamlScalarNode)c.Value).Value ?? "", StringComparer.Ordinal),
        YamlSequenceNode list => list.Children.OfType<YamlMappingNode>()
            .Select(a => (Name: Scalar(a, "name"), Value: Scalar(a, "value"))).Where(a => a.Name is not null)
            .GroupBy(a => a.Name!).ToDictionary(g => g.Key, g => g.Last().Value ?? "", StringComparer.Ordinal),
        _ => [],
    };

    /// <summary>
    /// The cgroup driver containerd gives runc, from /etc/containerd/config.toml as containerd 1.7 (Ubuntu 22.04
    /// and 24.04) reads it: written before the package is installed, or it runs with its built-in default
    /// (cgroupfs). A file containerd cannot load means containerd does not start.
    /// </summary>
    private static (string? Driver, string? Problem) Containerd(UserDataDocument document)
    {
        if (!document.Packages.Any(p => p is "containerd" or "containerd.io" || p.StartsWith("containerd=", StringComparison.Ordinal)))
            return (null, "no container runtime is installed (containerd is not among the packages)");
        if (!document.Files.TryGetValue("/etc/containerd/config.toml", out var toml))
            return ("cgroupfs", null);
        return ContainerdConfig.CgroupDriver(toml);
    }

    /// <summary>The pack an install line applies, or null when the line installs nothing.</summary>
    private static PackInstallStep? InstallStep(string line)
    {
        var trimmed = line.Trim();
        var named = Regex.Match(trimmed, @"\|\|\s*fail\s+""?([A-Za-z0-9._-]+)");
        var apply = Regex.Match(trimmed, @"^kubectl (?:--kubeconfig \S+ )?apply -f '?(\S+?)'?(?:\s|$)");
        // A manifest fetched and edited on its way in: curl URL | sed ... | kubectl apply -f -
        var piped = Regex.Match(trimmed, @"^curl [^|]*?'?(https?://[^'\s|]+)'?[^|]*\|.*\|\s*kubectl (?:--kubeconfig \S+ )?apply -f -");
        if (piped.Success)
            apply = piped;
        var helm = Regex.Match(trimmed, @"^helm (?:upgrade --install|install) '?[A-Za-z0-9._-]+'? '?([A-Za-z0-9._/-]+)'?");
        string component;
        if (helm.Success)
            component = Component(helm.Groups[1].Value.Split('/').Last());
        else if (apply.Success && apply.Groups[1].Value.StartsWith("http", StringComparison.Ordinal))
            component = Component(apply.Groups[1].Value);
        else
            return null;
        return new PackInstallStep(named.Success ? named.Groups[1].Value : component, component,
            WaitsForPods: helm.Success && Regex.IsMatch(trimmed, @"\s--wait\b"), trimmed);
    }

    /// <summary>
    /// What the applied Calico manifest runs, as the CNI table's values: the published calico.yaml runs the
    /// default pool with IP-in-IP and BGP (BIRD); only the edits on the install line change that (a values
    /// file the install does not read changes nothing on a real node either).
    /// </summary>
    private static string CalicoAsApplied(string line)
    {
        string Pool(string variable, string published) =>
            Regex.Match(line, variable + @"\$/\{n;s/value: \.\*/value: ""(\w+)""") is { Success: true } edit ? edit.Groups[1].Value : published;
        var encapsulation = (Pool("CALICO_IPV4POOL_IPIP", "Always"), Pool("CALICO_IPV4POOL_VXLAN", "Never")) switch
        {
            (not "Never", "Never") and (var ipip, _) => ipip == "CrossSubnet" ? "IPIPCrossSubnet" : "IPIP",
            ("Never", "Always") => "VXLAN",
            ("Never", "CrossSubnet") => "VXLANCrossSubnet",
            ("Never", "Never") => "None",
            _ => "IPIP",
        };
        var bgp = line.Contains("calico_backend: \"vxlan\"", StringComparison.Ordinal) ? "Disabled" : "Enabled";
        var typha = line.Contains("calico-typha.yaml", StringComparison.Ordinal) ? "true" : "false";
        return $"encapsulation: {encapsulation}\nbgp: {bgp}\ntypha: {typha}\n";
    }

    /// <summary>What a chart or manifest is, by its upstream name.</summary>
    private static string Component(string chartOrUrl) => chartOrUrl switch
    {
        _ when chartOrUrl.Contains("aws-cloud-controller-manager", StringComparison.Ordinal)
            || chartOrUrl.Contains("cloud-provider-aws", StringComparison.Ordinal) => CloudControllerManager,
        _ when chartOrUrl.Contains("calico", StringComparison.Ordinal) || chartOrUrl.Contains("tigera-operator", StringComparison.Ordinal) => "calico",
        _ when chartOrUrl == "cilium" || chartOrUrl.Contains("/cilium/", StringComparison.Ordinal) => "cilium",
        _ => chartOrUrl,
    };
}

/// <summary>
/// What a node's scripts check between kubeadm (or, on the first control plane, its network pack) and the
/// Ready report: each check a real script makes, recognised by what it asks the cluster or the host.
/// A check the scripts do not make cannot fail the node: it reports Ready however unusable it is.
/// </summary>
/// <param name="Bound">How long the checks wait for the cluster before they give up (the script's deadline).</param>
public sealed record ReadyGate(bool Reports, bool WaitsForKubelet, bool ChecksInitialized, bool ChecksPodNetwork, bool ChecksDns, bool ChecksOs, bool ReportsFailure, TimeSpan Bound)
{
    /// <summary>No Ready report at all.</summary>
    public static readonly ReadyGate Never = new(false, false, false, false, false, false, false, TimeSpan.Zero);

    /// <summary>How long the checks wait when the script names no deadline (<c>kubectl wait</c>'s own timeout, as the scripts give it, else 5 minutes).</summary>
    private static readonly TimeSpan DefaultBound = TimeSpan.FromMinutes(5);

    public static ReadyGate Of(string script) => new(
        Bound: Regex.Match(script, @"\+\s*(\d+)\s*\)\)") is { Success: true } deadline ? TimeSpan.FromSeconds(int.Parse(deadline.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))
            : Regex.Match(script, @"--timeout=(\d+)m") is { Success: true } minutes ? TimeSpan.FromMinutes(int.Parse(minutes.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)) : DefaultBound,
        Reports: true,
        WaitsForKubelet: script.Contains("condition=Ready", StringComparison.Ordinal) || script.Contains("@.type==\"Ready\"", StringComparison.Ordinal),
        ChecksInitialized: script.Contains("node.cloudprovider.kubernetes.io/uninitialized", StringComparison.Ordinal),
        ChecksPodNetwork: script.Contains("k8s-app=calico-node", StringComparison.Ordinal) || script.Contains("k8s-app=cilium", StringComparison.Ordinal)
            || script.Contains("calico-node", StringComparison.Ordinal),
        ChecksDns: script.Contains("kubernetes.default.svc", StringComparison.Ordinal),
        ChecksOs: script.Contains("/etc/os-release", StringComparison.Ordinal),
        ReportsFailure: Regex.IsMatch(script, @"\s" + NodeAgent.Failed + @"\b"));
}
