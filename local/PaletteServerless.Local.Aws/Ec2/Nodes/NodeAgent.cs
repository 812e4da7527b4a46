using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.Iam;
using PaletteServerless.Local.Aws.Ssm;

namespace PaletteServerless.Local.Aws.Ec2;

/// <summary>What a node's agent decided when it read its user data at boot, and how far it has reported since.</summary>
public sealed class NodeAgentState
{
    /// <summary><see cref="NodeAgent.Init"/>, <see cref="NodeAgent.JoinControlPlane"/>, <see cref="NodeAgent.Join"/>, or <see cref="NodeAgent.Silent"/>.</summary>
    public string Role { get; set; } = NodeAgent.Silent;

    /// <summary>Why a silent node says nothing (its user data would fail, or the fault profile made it so); for tests and the inventory.</summary>
    public string? SilentBecause { get; set; }

    /// <summary>The control-plane endpoint the node initialized or joined: the cluster it belongs to.</summary>
    public string ApiEndpoint { get; set; } = "";

    /// <summary>First control plane only: the pack the fault profile makes fail (the first its packs script installs), or null.</summary>
    public string? FailingPack { get; set; }

    /// <summary>The last phase reported, and when the node reported Joined and Ready (joins wait for a control plane's Ready).</summary>
    public string? Phase { get; set; }
    public DateTimeOffset? JoinedAt { get; set; }
    public DateTimeOffset? ReadyAt { get; set; }

    /// <summary>The agent its user data started (control planes), once started.</summary>
    public AgentState? ClusterAgent { get; set; }

    /// <summary>The virtual-cluster agent its user data started beside it (control planes), once started.</summary>
    public VirtualClusterAgentState? VirtualClusters { get; set; }
    /// <summary>Its packages and its OS patch agent (<see cref="OsPatchModel"/>), once it booted.</summary>
    public OsPatchNodeState? OsPatch { get; set; }

    /// <summary>What the node learned from its user data; read again after a restart of the local stack.</summary>
    [JsonIgnore]
    public NodeBoot? Boot { get; set; }

    /// <summary>
    /// A control plane that joined: what the cluster's first control plane installed (its CNI, its cloud controller
    /// manager). The cluster keeps that in etcd on every control plane, so it outlives the first one when a roll
    /// replaces it. Not kept over a restart of the local stack: read from the first control plane while it lives.
    /// </summary>
    [JsonIgnore]
    public NodeBoot? ClusterBoot { get; set; }
}

/// <summary>
/// The modelled node agent of every instance: what cloud-init, containerd, kubeadm, the kubelet, the cluster's
/// packs and the node's own scripts would do on a real node, reduced to the phases the node reports by tagging
/// its own instance. Nothing runs in the background: like every other life cycle of the local AWS, the reports
/// are applied when time is (before each EC2 call), at the modelled times.
///
/// It knows only what a real node would: everything product-specific (the tag keys it reports with, where its
/// secrets are, which packs the cluster gets) comes from the user data it boots (<see cref="NodeBoot"/>), and
/// everything else from the local AWS (its security groups, its image, the parameters in SSM). From those it
/// decides, in the order a node meets them: whether containerd and the kubelet agree on the cgroup driver (else
/// the kubelet crash-loops and kubeadm fails), whether it can join (a control plane of its endpoint is serving,
/// with the same bootstrap token), and then what its scripts check before they say Ready: the kubelet Ready
/// (a CNI installed), the image's release against the OS pack, the uninitialized taint removed (a cloud
/// controller manager installed that can find the instance), the CNI agent ready (its protocols, from the pack catalog's table
/// of upstream requirements, allowed between this node and every joined peer by their security groups), and the cluster DNS answering. A failed check is
/// reported as <see cref="Failed"/> with the reason, where the scripts report failures, else the node just stops.
/// </summary>
public static class NodeAgent
{
    public const string Joined = "Joined";
    public const string Ready = "Ready";
    public const string Failed = "Failed";
    public const string PacksApplied = "PacksApplied";
    public const string PacksFailed = "PacksFailed";

    public const string Init = "init";
    public const string JoinControlPlane = "join-control-plane";
    public const string Join = "join";
    public const string Silent = "silent";

    /// <summary>How long kubeadm waits for a healthy kubelet before it gives up (its documented default, 4m0s).</summary>
    public static readonly TimeSpan KubeadmTimeout = TimeSpan.FromMinutes(4);

    /// <summary>EC2 allows tag values of up to 256 characters.</summary>
    private const int TagValueLimit = 256;

    private static readonly string[] Order = [Joined, Ready, PacksApplied];

    /// <summary>
    /// Brings every running instance's reports up to <paramref name="now"/> (or only <paramref name="only"/>'s): the first
    /// control planes first, so joins see their API.
    /// </summary>
    public static void Advance(AwsWorld world, DateTimeOffset now, LatencyModel latency, FaultInjector faults, NodeCredentials? credentials = null, string? only = null)
    {
        var booted = new List<(Instance Instance, DateTimeOffset BootedAt)>();
        foreach (var instance in world.All<Instance>())
        {
            if ((only is not null && instance.Id != only) || instance.UserData is null || instance.StateAt(now) != "running" || instance.Agent is { Role: Silent })
                continue;
            var bootedAt = instance.StateSince(now) + latency.Of(LatencyModel.NodeBoot);
            if (bootedAt > now)
                continue;
            // Null while the node's credentials are still being judged: it reads its secrets at its next step.
            instance.Agent ??= Read(world, instance, faults, credentials);
            if (instance.Agent is null)
                continue;
            if (instance.Agent.Role != Silent && instance.Agent.Boot is null)
                instance.Agent.Boot = NodeBoot.Read(instance, out _);
            if (instance.Agent.Boot is { PatchesOnBoot: true })
            {
                // unattended-upgrade runs before kubeadm: the boot takes that much longer.
                bootedAt += OsPatchModel.Of(latency, OsPatchModel.OsPatchOnBoot);
                if (bootedAt > now)
                    continue;
            }
            if (instance.Agent.Boot is not null)
            {
                instance.Agent.OsPatch ??= OsPatchModel.AtBoot(instance.Agent.Boot, instance.StateSince(now), bootedAt, latency);
                booted.Add((instance, bootedAt));
            }
        }
        var clusters = new ClusterLookups(world);
        foreach (var (instance, bootedAt) in booted.OrderBy(b => b.Instance.Agent!.Role == Init ? 0 : 1))
            Step(world, clusters, instance, bootedAt, now, latency, credentials);
        foreach (var (instance, _) in booted.Where(b => b.Instance.Agent!.ClusterAgent is not null && b.Instance.Agent.Boot!.Agent is not null))
            ClusterAgent.Advance(world, instance, now, latency, credentials);
        foreach (var (instance, _) in booted.Where(b => b.Instance.Agent!.VirtualClusters is not null && b.Instance.Agent.Boot!.VirtualClusters is not null))
            VirtualClusterNodeAgent.Advance(world, instance, now, latency, credentials);
        foreach (var (instance, _) in booted.Where(b => b.Instance.Agent!.OsPatch?.NextRunAt is not null))
            OsPatchModel.Advance(world, instance, now, latency, credentials);
    }

    /// <summary>The last runcmd line enables the agent's timer: once the node got there (Ready; the first control plane: its packs applied).</summary>
    private static void StartAgent(NodeAgentState agent, DateTimeOffset at, LatencyModel latency)
    {
        if (agent.Boot!.VirtualClusters is { } virtualClusters && agent.VirtualClusters is null)
            agent.VirtualClusters = new VirtualClusterAgentState { NextRunAt = at + latency.Scale(virtualClusters.FirstRun) };
        OsPatchModel.Start(agent, at, latency);
        if (agent.Boot!.Agent is not { } boot || agent.ClusterAgent is not null)
            return;
        agent.ClusterAgent = new AgentState { StartedAt = at, NextRunAt = at + latency.Scale(boot.FirstRun) };
    }

    /// <summary>
    /// One advance's answers per API endpoint (its first control plane, when its API first served): looked up once
    /// rather than once per node, so a cluster of hundreds of nodes costs one pass over the instances, not one per node.
    /// </summary>
    private sealed class ClusterLookups(AwsWorld world)
    {
        private readonly Dictionary<string, Instance?> _first = new(StringComparer.Ordinal);
        private readonly Dictionary<string, DateTimeOffset?> _apiReady = new(StringComparer.Ordinal);

        public Instance? FirstControlPlane(string endpoint) =>
            _first.TryGetValue(endpoint, out var found) ? found : _first[endpoint] = NodeAgent.FirstControlPlane(world, endpoint);

        /// <summary>What the cluster's first control plane installed: from it while it lives, else from a control plane that joined it.</summary>
        public NodeBoot? ClusterBoot(string endpoint) =>
            FirstControlPlane(endpoint)?.Agent?.Boot ?? NodeAgent.JoinedControlPlanes(world, endpoint).Select(i => i.Agent!.ClusterBoot).FirstOrDefault(b => b is not null);

        public DateTimeOffset? ApiReadyAt(string endpoint) =>
            _apiReady.TryGetValue(endpoint, out var found) ? found : _apiReady[endpoint] = NodeAgent.ApiReadyAt(world, endpoint);

        /// <summary>Whether the security groups let one node's pod network reach another's (<see cref="PodNetwork.Blocked"/>).</summary>
        public Dictionary<string, bool> PodNetworkAnswers { get; } = new(StringComparer.Ordinal);

        /// <summary>A control plane reported Ready: the API's first Ready time is read again.</summary>
        public void ControlPlaneReady(string endpoint) => _apiReady.Remove(endpoint);
    }

    private static void Step(AwsWorld world, ClusterLookups clusters, Instance instance, DateTimeOffset bootedAt, DateTimeOffset now, LatencyModel latency, NodeCredentials? credentials)
    {
        var agent = instance.Agent!;
        var boot = agent.Boot!;
        if (agent.Phase is Failed or PacksFailed)
            return;
        // A node past its last report has nothing more to do.
        if (agent.Phase == (boot.Role == Init ? PacksApplied : Ready))
            return;
        var cluster = boot.Role == Init ? boot : clusters.ClusterBoot(boot.ApiEndpoint);
        var joinedAt = bootedAt;
        if (boot.Role != Init)
        {
            // kubeadm join retries until the API server answers behind the load balancer.
            if (clusters.ApiReadyAt(boot.ApiEndpoint) is not { } apiReady)
                return;
            joinedAt = apiReady > bootedAt ? apiReady : bootedAt;
        }
        if ((KubeadmProblem(boot, cluster) ?? SkewProblem(world, boot, joinedAt)) is { } problem)
        {
            var verb = boot.Role == Init ? "init" : "join";
            Stop(instance, boot.ReportsKubeadmFailure, $"kubeadm {verb} failed: {problem}", joinedAt + latency.Scale(KubeadmTimeout), now, credentials);
            return;
        }
        Report(instance, Joined, joinedAt, now, null, credentials);
        agent.JoinedAt ??= joinedAt <= now ? joinedAt : null;
        if (boot.Role == JoinControlPlane && agent.JoinedAt is not null)
            agent.ClusterBoot ??= cluster;
        if (!boot.Gate.Reports)
            return;
        var readyAt = joinedAt + latency.Of(LatencyModel.NodeReady);
        if (readyAt > now)
            return;
        if (agent.Phase == Joined)
        {
            if (NotUsable(world, instance, boot, cluster, readyAt, clusters.PodNetworkAnswers) is { } reason)
            {
                Stop(instance, boot.Gate.ReportsFailure, reason, readyAt + latency.Scale(boot.Gate.Bound), now, credentials);
                return;
            }
            Report(instance, Ready, readyAt, now, null, credentials);
            agent.ReadyAt = readyAt;
            if (boot.Role != Join)
                clusters.ControlPlaneReady(boot.ApiEndpoint);
        }
        if (boot.Role != Init)
        {
            if (agent.Phase == Ready)
                StartAgent(agent, readyAt, latency);
            return;
        }
        var packsAt = readyAt + latency.Of(LatencyModel.PacksApplied);
        if (packsAt > now || agent.Phase != Ready)
            return;
        if (agent.FailingPack is { } pack)
            Report(instance, PacksFailed, packsAt, now, pack, credentials);
        else if (!Initializes(boot, boot) && boot.PacksAfterReady.FirstOrDefault(p => p.WaitsForPods) is { } stuck)
            Report(instance, PacksFailed, packsAt, now, stuck.Name, credentials); // helm --wait times out: no node its pods may run on
        else if (boot.ReportsPacksApplied)
            Report(instance, PacksApplied, packsAt, now, null, credentials);
        if (agent.Phase == PacksApplied)
            StartAgent(agent, packsAt, latency);
    }

    /// <summary>Why kubeadm would fail on this node, or null: the kubelet it starts must run, and a join must bring a token the API server knows.</summary>
    private static string? KubeadmProblem(NodeBoot boot, NodeBoot? cluster)
    {
        if (boot.ContainerdProblem is { } containerd)
            return $"the container runtime is not running: {containerd}";
        // kubeadm configures the kubelet for systemd unless its KubeletConfiguration says otherwise; joins take the cluster's.
        var kubelet = (boot.Role == Init ? boot.KubeletCgroupDriver : cluster?.KubeletCgroupDriver) ?? "systemd";
        if (boot.ContainerdCgroupDriver != kubelet)
            return $"the kubelet crash-loops: containerd runs containers with the {boot.ContainerdCgroupDriver} cgroup driver, the kubelet is configured for {kubelet}";
        if (boot.Role != Init && cluster is not null && cluster.SecretsPath != boot.SecretsPath)
            return $"the bootstrap token it read from {boot.SecretsPath} is not one the API server at {boot.ApiEndpoint} issued";
        return null;
    }

    /// <summary>
    /// The version skew kubeadm and the kubelet allow (kubernetes.io, "Version Skew Policy"), against the version the
    /// cluster's control plane runs: a kubelet never newer than it nor more than three minors older, and a joining
    /// control plane's kubeadm at most one minor newer (it deploys the cluster's version, then may upgrade it).
    /// </summary>
    private static string? SkewProblem(AwsWorld world, NodeBoot boot, DateTimeOffset at)
    {
        if (boot.Role == Init || boot.KubeletVersion is not { } kubelet || ControlPlaneVersion(world, boot.ApiEndpoint, at) is not { } cluster)
            return null;
        var ahead = Minor(kubelet) - Minor(cluster);
        if (boot.Role == Join && ahead > 0)
            return $"the kubelet version (v{kubelet}) is newer than the control plane version (v{cluster}): not a supported version skew";
        if (boot.Role == JoinControlPlane && ahead > 1)
            return $"this version of kubeadm (v{kubelet}) only supports control planes of one minor before it; the cluster's is v{cluster}";
        if (ahead < -3)
            return $"the kubelet version (v{kubelet}) is more than three minors older than the control plane version (v{cluster})";
        return null;
    }

    /// <summary>
    /// The Kubernetes version of the cluster's control plane (its kubeadm-config): the first control plane's, or the
    /// newest a joining control plane upgraded it to once that node was serving (by <paramref name="at"/>); null when
    /// no version is known.
    /// </summary>
    private static string? ControlPlaneVersion(AwsWorld world, string endpoint, DateTimeOffset at) =>
        world.All<Instance>()
            .Where(i => i.Agent is { Boot: { KubeletVersion: not null } b } agent && agent.ApiEndpoint == endpoint
                && (agent.Role == Init || (b.UpgradesControlPlane && agent.ReadyAt is { } ready && ready <= at)))
            .Select(i => i.Agent!.Boot!.KubeletVersion!)
            .OrderByDescending(Minor).ThenByDescending(v => v, StringComparer.Ordinal)
            .FirstOrDefault();

    private static int Minor(string version) =>
        int.Parse(version.Split('.')[1], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The first check of the node's scripts that fails at <paramref name="at"/>, as the node would report it; null when it is usable.</summary>
    private static string? NotUsable(AwsWorld world, Instance instance, NodeBoot boot, NodeBoot? cluster, DateTimeOffset at, Dictionary<string, bool>? answers = null)
    {
        var gate = boot.Gate;
        var cni = cluster?.Cni;
        if (gate.WaitsForKubelet && cni is null)
            return "kubelet not Ready: container runtime network not ready (no CNI installed in the cluster)";
        if (gate.ChecksOs && OsProblem(instance, boot) is { } os)
            return os;
        if (gate.ChecksInitialized && boot.ExternalCloudProvider && !Initializes(boot, cluster))
        {
            return HasCloudControllerManager(cluster)
                ? $"node.cloudprovider.kubernetes.io/uninitialized taint remains: the AWS cloud controller manager finds no instance for node {boot.NodeName} (no provider ID, and the name is not the instance's private DNS name)"
                : "node.cloudprovider.kubernetes.io/uninitialized taint remains: no cloud controller manager runs in the cluster";
        }
        if (gate.ChecksPodNetwork && cni is not null)
        {
            var needs = PodNetwork.Needs(cni, cluster!.CniValues);
            foreach (var peer in Peers(world, instance, boot.ApiEndpoint, at))
            {
                foreach (var need in needs)
                {
                    if (PodNetwork.Blocked(world, instance, peer, need, peer.Agent!.Boot!.NodeName, answers) is { } blocked)
                        return $"pod network: {cni} agent not ready: {blocked}";
                }
            }
        }
        if (gate.ChecksDns && (cni is null || !Initializes(cluster!, cluster)))
            return "cluster DNS: kubernetes.default.svc does not resolve (CoreDNS has no node it may run on: no node is initialized with a ready pod network)";
        return null;
    }

    /// <summary>Whether a cloud controller manager removes the uninitialized taint from this node: installed in the cluster, and able to find the instance.</summary>
    private static bool Initializes(NodeBoot boot, NodeBoot? cluster) =>
        !boot.ExternalCloudProvider || (HasCloudControllerManager(cluster) && (boot.HasProviderId || boot.NodeName.StartsWith("ip-", StringComparison.Ordinal)));

    private static bool HasCloudControllerManager(NodeBoot? cluster) =>
        cluster is not null && cluster.PacksBeforeReady.Concat(cluster.PacksAfterReady).Any(p => p.Component == NodeBoot.CloudControllerManager);

    /// <summary>The image's Ubuntu release against the one the node's environment says its OS pack is.</summary>
    private static string? OsProblem(Instance instance, NodeBoot boot)
    {
        var wanted = boot.Environment.FirstOrDefault(v => v.Key.EndsWith("OS_VERSION", StringComparison.Ordinal)).Value;
        var image = Ec2Catalog.FindImage(instance.ImageId)?.Name ?? "";
        var release = Regex.Match(image, @"ubuntu-([a-z]+)-(\d+\.\d+)-");
        if (wanted is null || !release.Success || release.Groups[2].Value == wanted)
            return null;
        return $"the image {instance.ImageId} boots Ubuntu {release.Groups[2].Value} ({release.Groups[1].Value}), the cluster's OS pack is {wanted}";
    }

    /// <summary>The other nodes of the cluster that had joined by <paramref name="at"/> and still run: the CNI's peers.</summary>
    private static IEnumerable<Instance> Peers(AwsWorld world, Instance node, string endpoint, DateTimeOffset at) =>
        world.All<Instance>().Where(i => i.Id != node.Id && i.Agent is { Boot: not null, JoinedAt: { } joined } agent
            && agent.ApiEndpoint == endpoint && joined <= at && agent.Phase is not (Failed or null) && i.StateAt(at) == "running");

    /// <summary>Reports <paramref name="phase"/> if its time has come and the node has not got past it.</summary>
    private static void Report(Instance instance, string phase, DateTimeOffset at, DateTimeOffset now, string? message, NodeCredentials? credentials)
    {
        var agent = instance.Agent!;
        if (at > now || agent.Phase is PacksFailed or Failed)
            return;
        if (phase is not (Failed or PacksFailed) && Array.IndexOf(Order, agent.Phase) >= Array.IndexOf(Order, phase))
            return;
        // The report is the node's own CreateTags: made again at the next step while IAM has not
        // answered; refused, the tags stay as they were (the node went on).
        var answer = credentials?.Answer(instance, [PhaseReport(instance, agent.Boot!, message is not null)], out _) ?? NodeCallAnswer.Allowed;
        if (answer == NodeCallAnswer.Pending)
            return;
        agent.Phase = phase;
        if (answer == NodeCallAnswer.Refused)
            return;
        instance.Tags[agent.Boot!.PhaseTag] = phase;
        if (agent.Boot.VersionTag is { } versionTag && agent.Boot.KubeletVersion is { } version)
            instance.Tags[versionTag] = version;
        if (agent.Boot.LevelTag is { } levelTag && agent.OsPatch?.Level is { } level)
            instance.Tags[levelTag] = level;
        if (message is not null && agent.Boot.MessageTag is { } messageTag)
            instance.Tags[messageTag] = message.Length <= TagValueLimit ? message : message[..(TagValueLimit - 1)] + "…";
    }

    /// <summary>A node whose next step fails: it reports <see cref="Failed"/> with the reason when its scripts do, else it falls silent.</summary>
    private static void Stop(Instance instance, bool reports, string reason, DateTimeOffset at, DateTimeOffset now, NodeCredentials? credentials)
    {
        if (at > now)
            return;
        if (reports)
        {
            Report(instance, Failed, at, now, reason, credentials);
            return;
        }
        instance.Agent!.Role = Silent;
        instance.Agent.SilentBecause = reason;
    }

    /// <summary>The live first control plane of the cluster at <paramref name="endpoint"/>.</summary>
    private static Instance? FirstControlPlane(AwsWorld world, string endpoint) =>
        world.All<Instance>().FirstOrDefault(i => i.Agent is { Role: Init, Boot: not null } agent && agent.ApiEndpoint == endpoint);

    /// <summary>The control planes that joined the cluster at <paramref name="endpoint"/> (as <see cref="FirstControlPlane"/>, those EC2 still lists).</summary>
    private static IEnumerable<Instance> JoinedControlPlanes(AwsWorld world, string endpoint) =>
        world.All<Instance>().Where(i => i.Agent is { Role: JoinControlPlane, JoinedAt: not null } agent && agent.ApiEndpoint == endpoint);

    /// <summary>When the first of the cluster's control planes reported Ready, or null while none has.</summary>
    private static DateTimeOffset? ApiReadyAt(AwsWorld world, string endpoint) =>
        world.All<Instance>()
            .Where(i => i.Agent is { Role: Init or JoinControlPlane, ReadyAt: not null } agent && agent.ApiEndpoint == endpoint)
            .Select(i => i.Agent!.ReadyAt)
            .Min();

    /// <summary>How IAM authorizes a phase report: CreateTags on the node's own instance with the phase (and message) keys.</summary>
    private static AuthorizationCheck PhaseReport(Instance instance, NodeBoot boot, bool withMessage)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal) { [boot.PhaseTag] = "" };
        if (withMessage && boot.MessageTag is { } messageTag)
            tags[messageTag] = "";
        if (boot.VersionTag is { } versionTag && boot.KubeletVersion is not null)
            tags[versionTag] = "";
        if (boot.LevelTag is { } levelTag && instance.Agent?.OsPatch?.Level is not null)
            tags[levelTag] = "";
        var context = AuthorizationContext.Empty().WithResourceTags(instance.Tags, "ec2").With("aws:TagKeys", [.. tags.Keys]);
        foreach (var key in tags.Keys)
            context["aws:RequestTag/" + key] = [""];
        return AuthorizationCheck.Of("ec2:CreateTags", instance.Arn, context);
    }

    /// <summary>What the node makes of its user data at boot: its role, or silence with the reason.</summary>
    /// <returns>Null while IAM has not answered the secrets script's reads yet (see <see cref="NodeCredentials"/>).</returns>
    public static NodeAgentState? Read(AwsWorld world, Instance instance, FaultInjector faults, NodeCredentials? credentials = null)
    {
        var boot = NodeBoot.Read(instance, out var silentBecause);
        if (boot is null)
            return new NodeAgentState { Role = Silent, SilentBecause = silentBecause };
        // The secrets script runs with set -e: a parameter that is not there stops the node before kubeadm.
        var missing = boot.NeededParameters.Select(n => $"{boot.SecretsPath}/{n}").FirstOrDefault(n => !world.All<SsmParameter>().Any(p => p.Name == n));
        if (missing is not null)
            return new NodeAgentState { Role = Silent, ApiEndpoint = boot.ApiEndpoint, SilentBecause = $"its secrets script fails: parameter {missing} does not exist" };
        // aws ssm get-parameter --with-decryption, with the instance's credentials.
        var parameters = boot.NeededParameters.Select(n => world.All<SsmParameter>().First(p => p.Name == $"{boot.SecretsPath}/{n}")).ToList();
        string? refused = null;
        var reads = parameters.Count > 0 && credentials is not null ? credentials.Answer(instance, credentials.SecretReads(parameters), out refused) : NodeCallAnswer.Allowed;
        if (reads == NodeCallAnswer.Pending)
            return null;
        if (reads == NodeCallAnswer.Refused)
            return new NodeAgentState { Role = Silent, ApiEndpoint = boot.ApiEndpoint, SilentBecause = $"its secrets script fails: {refused}" };
        if (faults.NodeNeverReports())
            return new NodeAgentState { Role = Silent, ApiEndpoint = boot.ApiEndpoint, SilentBecause = "the fault profile made this node never report" };
        var state = new NodeAgentState { Role = boot.Role, ApiEndpoint = boot.ApiEndpoint, Boot = boot };
        if (boot.Role == Init && faults.PacksFail())
            state.FailingPack = boot.PacksBeforeReady.Concat(boot.PacksAfterReady).FirstOrDefault()?.Name ?? "unnamed-pack";
        return state;
    }
}
