using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Ports;

namespace PaletteServerless.Steps.Tests;

/// <summary>
/// The cluster's nodes in memory, as <see cref="INodeFleet"/> promises them and EC2 behaves: a launch with a client
/// token it saw answers the instances of the first launch (nothing launches twice), new instances are pending with a
/// root volume tagged as asked, a terminate moves them to shutting-down (and fails InvalidInstanceID.NotFound naming
/// one it does not know), a describe leaves out what it does not know, an owner's lookup matches every tag. The test
/// drives what EC2 would do in time (<see cref="Settle"/>, or a node's <see cref="Node.State"/>), seeds instances
/// (<see cref="Seed"/>), makes an operation fail with an AWS code (<see cref="Fail"/>), and reads every launch asked
/// (<see cref="Launches"/>) and every call (<see cref="Calls"/>, as "Operation id,id").
/// </summary>
public sealed class FakeNodeFleet : INodeFleet
{
    /// <summary>One instance; what a test sets on it is what the next describe reports.</summary>
    public sealed class Node(string id)
    {
        public string Id { get; } = id;
        public string State { get; set; } = InstanceStates.Running;
        public string? Zone { get; set; } = "us-east-1a";
        public string? SubnetId { get; set; }
        public string? InstanceType { get; set; }
        public string Lifecycle { get; set; } = CapacityTypes.OnDemand;
        public DateTimeOffset? LaunchTime { get; set; }
        public string? ClientToken { get; set; }
        public string? StateReasonCode { get; set; }
        public string? StateReasonMessage { get; set; }
        public string? PrivateIp { get; set; }
        /// <summary>The instance status check ("ok", "impaired", ...); the system check is <see cref="SystemStatus"/>.</summary>
        public string InstanceStatus { get; set; } = "ok";
        public string SystemStatus { get; set; } = "ok";
        public Dictionary<string, string> Tags { get; init; } = new(StringComparer.Ordinal);

        public NodeInstance Snapshot() => new(Id, State, Zone, new Dictionary<string, string>(Tags, StringComparer.Ordinal),
            StateReasonCode, StateReasonMessage, SubnetId, PrivateIp, InstanceType, Lifecycle, LaunchTime, ClientToken);
    }

    private readonly Lock _gate = new();
    private readonly List<Node> _nodes = [];
    private readonly Dictionary<string, IReadOnlyList<string>> _byToken = new(StringComparer.Ordinal);
    private readonly List<(string Operation, string Code, Func<object, bool> When)> _failures = [];
    private readonly List<string> _calls = [];
    private readonly List<NodeLaunchRequest> _launches = [];
    private int _next;

    /// <summary>The clock of launch times.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>Runs before a terminate changes anything, with the ids it names (what the caller did before the call is visible).</summary>
    public Action<IReadOnlyCollection<string>>? Terminating { get; set; }

    /// <summary>Tags of EC2 resources other than instances (volumes, VPCs, subnets, ...) by id.</summary>
    public Dictionary<string, Dictionary<string, string>> ResourceTags { get; } = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Calls { get { lock (_gate) return [.. _calls]; } }

    /// <summary>Every launch asked, in order (a repeated one too).</summary>
    public IReadOnlyList<NodeLaunchRequest> Launches { get { lock (_gate) return [.. _launches]; } }

    public IReadOnlyList<Node> All { get { lock (_gate) return [.. _nodes]; } }

    public Node? Find(string id) { lock (_gate) return _nodes.FirstOrDefault(n => n.Id == id); }

    public Node Seed(string id, string state = InstanceStates.Running, string? zone = "us-east-1a", DateTimeOffset? launched = null,
        IReadOnlyDictionary<string, string>? tags = null)
    {
        var node = new Node(id) { State = state, Zone = zone, LaunchTime = launched, Tags = new(tags ?? new Dictionary<string, string>(), StringComparer.Ordinal) };
        lock (_gate)
            _nodes.Add(node);
        return node;
    }

    public Node Seed(Node node)
    {
        lock (_gate)
            _nodes.Add(node);
        return node;
    }

    /// <summary>EC2 forgets an instance (long after its termination).</summary>
    public void Forget(string id) { lock (_gate) _nodes.RemoveAll(n => n.Id == id); }

    /// <summary>
    /// Makes every later call of <paramref name="operation"/> ("RunInstances", "DescribeInstances", "TerminateInstances",
    /// "DescribeInstanceStatus", "DescribeVolumes", "CreateTags", "DeleteTags") fail with that AWS code; with
    /// <paramref name="when"/>, only a launch it holds for. The latest failure given is looked at first.
    /// </summary>
    public void Fail(string operation, string code, Func<NodeLaunchRequest, bool>? when = null)
    {
        lock (_gate)
            _failures.Insert(0, (operation, code, request => when is null || request is NodeLaunchRequest launch && when(launch)));
    }

    /// <summary>What is under way finishes: pending instances run, shutting-down ones are terminated.</summary>
    public void Settle()
    {
        lock (_gate)
        {
            foreach (var node in _nodes)
                node.State = node.State switch { InstanceStates.Pending => InstanceStates.Running, InstanceStates.ShuttingDown => InstanceStates.Terminated, var s => s };
        }
    }

    public Task<IReadOnlyList<string>> LaunchAsync(NodeLaunchRequest request, CancellationToken ct) => Run<IReadOnlyList<string>>("RunInstances", [request.ClientToken], request, () =>
    {
        _launches.Add(request);
        if (_byToken.TryGetValue(request.ClientToken, out var known))
            return known;
        var ids = new List<string>();
        for (var i = 0; i < request.Count; i++)
        {
            var id = $"i-{++_next:x17}";
            _nodes.Add(new Node(id)
            {
                State = InstanceStates.Pending, SubnetId = request.SubnetId, InstanceType = request.InstanceType, ClientToken = request.ClientToken,
                Lifecycle = request.Spot is null ? CapacityTypes.OnDemand : CapacityTypes.Spot, LaunchTime = Clock.GetUtcNow(),
                Zone = null, Tags = new(request.InstanceTags, StringComparer.Ordinal),
            });
            ResourceTags[$"vol-{_next:x17}"] = new(request.VolumeTags, StringComparer.Ordinal);
            ids.Add(id);
        }
        return _byToken[request.ClientToken] = ids;
    });

    public Task<IReadOnlyList<NodeInstance>> DescribeAsync(IEnumerable<string> instanceIds, CancellationToken ct)
    {
        var ids = instanceIds.Distinct(StringComparer.Ordinal).ToList();
        return Run<IReadOnlyList<NodeInstance>>("DescribeInstances", ids, null, () => [.. _nodes.Where(n => ids.Contains(n.Id)).Select(n => n.Snapshot())]);
    }

    public Task<IReadOnlyList<NodeInstance>> LaunchedWithAsync(IEnumerable<string> clientTokens, CancellationToken ct)
    {
        var tokens = clientTokens.ToList();
        return Run<IReadOnlyList<NodeInstance>>("DescribeInstances", tokens, null,
            () => [.. _nodes.Where(n => n.ClientToken is { } token && tokens.Contains(token)).Select(n => n.Snapshot())]);
    }

    public Task<IReadOnlyList<NodeInstance>> OwnedAsync(OwnedBy owner, IReadOnlyCollection<string> states, CancellationToken ct) =>
        Run<IReadOnlyList<NodeInstance>>("DescribeInstances", [.. owner.Tags.Select(t => $"{t.Key}={t.Value}")], null, () =>
            [.. _nodes.Where(n => states.Contains(n.State) && Owns(owner, n.Tags)).Select(n => n.Snapshot())]);

    public Task<NodeInstance?> FindAsync(string instanceId, CancellationToken ct) =>
        Run("DescribeInstances", [instanceId], null, () => _nodes.FirstOrDefault(n => n.Id == instanceId)?.Snapshot());

    public Task<IReadOnlyList<NodeStatusChecks>> StatusChecksAsync(IReadOnlyCollection<string> instanceIds, CancellationToken ct) =>
        instanceIds.Count == 0 ? Task.FromResult<IReadOnlyList<NodeStatusChecks>>([]) : Run<IReadOnlyList<NodeStatusChecks>>("DescribeInstanceStatus", instanceIds, null, () =>
            [.. _nodes.Where(n => instanceIds.Contains(n.Id)).Select(n => n.State == InstanceStates.Running
                ? new NodeStatusChecks(n.Id, n.InstanceStatus, n.SystemStatus)
                : new NodeStatusChecks(n.Id, "not-applicable", "not-applicable"))]);

    public Task TerminateAsync(IReadOnlyCollection<string> instanceIds, CancellationToken ct)
    {
        Terminating?.Invoke(instanceIds);
        return Run("TerminateInstances", instanceIds, null, () =>
        {
            if (instanceIds.FirstOrDefault(id => _nodes.All(n => n.Id != id)) is { } unknown)
                throw new CloudServiceException("InvalidInstanceID.NotFound", $"The instance ID '{unknown}' does not exist", false);
            foreach (var node in _nodes.Where(n => instanceIds.Contains(n.Id) && n.State != InstanceStates.Terminated))
                node.State = InstanceStates.ShuttingDown;
            return true;
        });
    }

    public Task<IReadOnlyList<string>> OwnedVolumesAsync(OwnedBy owner, CancellationToken ct) =>
        Run<IReadOnlyList<string>>("DescribeVolumes", [.. owner.Tags.Select(t => $"{t.Key}={t.Value}")], null, () =>
            [.. ResourceTags.Where(r => r.Key.StartsWith("vol-", StringComparison.Ordinal) && Owns(owner, r.Value)).Select(r => r.Key)]);

    public Task TagAsync(IReadOnlyCollection<string> resourceIds, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        Run("CreateTags", resourceIds, null, () =>
        {
            foreach (var id in resourceIds)
            {
                var target = TagsOf(id);
                foreach (var (key, value) in tags)
                    target[key] = value;
            }
            return true;
        });

    public Task UntagAsync(IReadOnlyCollection<string> resourceIds, IReadOnlyCollection<string> keys, CancellationToken ct) =>
        Run("DeleteTags", resourceIds, null, () =>
        {
            foreach (var id in resourceIds)
            {
                var target = TagsOf(id);
                foreach (var key in keys)
                    target.Remove(key);
            }
            return true;
        });

    private Dictionary<string, string> TagsOf(string id) =>
        _nodes.FirstOrDefault(n => n.Id == id)?.Tags
        ?? (ResourceTags.TryGetValue(id, out var tags) ? tags : ResourceTags[id] = new(StringComparer.Ordinal));

    private static bool Owns(OwnedBy owner, IReadOnlyDictionary<string, string> tags) =>
        owner.Tags.All(t => tags.TryGetValue(t.Key, out var value) && value == t.Value);

    private Task<T> Run<T>(string operation, IEnumerable<string> ids, object? request, Func<T> call)
    {
        lock (_gate)
        {
            _calls.Add($"{operation} {string.Join(',', ids)}");
            if (_failures.FirstOrDefault(f => f.Operation == operation && f.When(request ?? new object())) is { Code: { } code })
                return Task.FromException<T>(new CloudServiceException(code, $"{code} (test)", false));
            try
            {
                return Task.FromResult(call());
            }
            catch (CloudServiceException ex)
            {
                return Task.FromException<T>(ex);
            }
        }
    }
}
