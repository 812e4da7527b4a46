using PaletteServerless.Domain.Ports;

namespace PaletteServerless.Steps.Tests;

/// <summary>
/// Load balancers, target groups, listeners and targets in memory, as <see cref="ILoadBalancers"/> promises them and ELBv2
/// enforces them: names are unique (DuplicateLoadBalancerName, DuplicateTargetGroupName: stricter than ELBv2, which returns
/// the first when every setting is the same), a lookup of a gone name or ARN is null, a delete of a gone load balancer or
/// target group is done (ELBv2 answers it with success), of a target group a listener still uses fails ResourceInUse;
/// deleting a load balancer deletes its listeners; deregistering an instance that is not registered fails InvalidTarget.
/// A load balancer is made provisioning (<see cref="Activate"/> makes it active); a registered target is initial (unused
/// while no listener forwards to its group) until a test sets its state (<see cref="SetHealth"/>). A test makes an
/// operation fail with an AWS code (<see cref="Fail"/>) and reads every call in <see cref="Calls"/> as "Operation id".
/// </summary>
public sealed class FakeLoadBalancers : ILoadBalancers
{
    public sealed record Group(string Arn, TargetGroupRequest Request)
    {
        /// <summary>Registered instances and their health state.</summary>
        public Dictionary<string, string> Targets { get; } = new(StringComparer.Ordinal);
    }

    private readonly Lock _gate = new();
    private readonly Dictionary<string, (LoadBalancerState State, NetworkLoadBalancerRequest? Request)> _balancers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Group> _groups = new(StringComparer.Ordinal);
    private readonly List<(ListenerInfo Listener, string LoadBalancerArn, IReadOnlyDictionary<string, string> Tags)> _listeners = [];
    private readonly Dictionary<string, Dictionary<string, string>> _tags = new(StringComparer.Ordinal);
    private readonly FakeCalls _journal;

    public FakeLoadBalancers() => _journal = new FakeCalls(_gate);
    private int _next;

    /// <summary>Load balancers of the region that are not the cluster's (counted by preflight).</summary>
    public int OthersInRegion { get; set; }

    public IReadOnlyList<string> Calls => _journal.Journal;

    public IReadOnlyList<LoadBalancerState> LoadBalancers { get { lock (_gate) return [.. _balancers.Values.Select(b => b.State)]; } }

    public IReadOnlyList<Group> TargetGroups { get { lock (_gate) return [.. _groups.Values]; } }

    public IReadOnlyList<ListenerInfo> Listeners { get { lock (_gate) return [.. _listeners.Select(l => l.Listener)]; } }

    public IReadOnlyDictionary<string, string> TagsOf(string arn) { lock (_gate) return new Dictionary<string, string>(_tags.GetValueOrDefault(arn) ?? [], StringComparer.Ordinal); }

    /// <summary>Makes every later call of <paramref name="operation"/> (e.g. "RegisterTargets") fail with that AWS code.</summary>
    public void Fail(string operation, string code) => _journal.Fail(operation, code);

    /// <summary>A target group made outside the test's code (its ARN is returned).</summary>
    public string SeedTargetGroup(string name, params string[] healthyTargets)
    {
        lock (_gate)
        {
            var arn = $"arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/{name}/{++_next}";
            var group = new Group(arn, new TargetGroupRequest(name, "TCP", 6443, "vpc-1", new TargetHealthCheck("TCP", 5, 4, 2, 6), new Dictionary<string, string>()));
            foreach (var target in healthyTargets)
                group.Targets[target] = TargetHealth.Healthy;
            _groups[arn] = group;
            return arn;
        }
    }

    /// <summary>The load balancer of that ARN becomes active (or, with a reason, failed).</summary>
    public void Activate(string arn, string? failure = null)
    {
        lock (_gate)
        {
            var (state, request) = _balancers[arn];
            _balancers[arn] = (state with { Phase = failure is null ? LoadBalancerPhase.Active : LoadBalancerPhase.Failed, Reason = failure }, request);
        }
    }

    public void SetHealth(string targetGroupArn, string instanceId, string state) { lock (_gate) _groups[targetGroupArn].Targets[instanceId] = state; }

    public Task<LoadBalancerState> CreateNetworkLoadBalancerAsync(NetworkLoadBalancerRequest request, CancellationToken ct) =>
        Run("CreateLoadBalancer", request.Name, () =>
        {
            if (_balancers.Values.Any(b => b.State.Name == request.Name))
                throw Error("DuplicateLoadBalancerName", $"A load balancer with the name '{request.Name}' already exists");
            var arn = $"arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/{request.Name}/{++_next}";
            var state = new LoadBalancerState(arn, request.Name, $"{request.Name}-{_next}.elb.us-east-1.amazonaws.com", "vpc-1", LoadBalancerPhase.Provisioning, null);
            _balancers[arn] = (state, request);
            _tags[arn] = new(request.Tags, StringComparer.Ordinal);
            return state;
        });

    public Task<LoadBalancerState?> FindLoadBalancerAsync(string name, CancellationToken ct) =>
        Run("DescribeLoadBalancers", name, () => _balancers.Values.Select(b => b.State).FirstOrDefault(b => b.Name == name));

    public Task<LoadBalancerState?> LoadBalancerAsync(string arn, CancellationToken ct) =>
        Run("DescribeLoadBalancers", arn, () => _balancers.TryGetValue(arn, out var b) ? b.State : null);

    public Task<int> CountAsync(CancellationToken ct) => Run("DescribeLoadBalancers", "*", () => OthersInRegion + _balancers.Count);

    public Task DeleteLoadBalancerAsync(string arn, CancellationToken ct) => Run("DeleteLoadBalancer", arn, () =>
    {
        _balancers.Remove(arn);
        _listeners.RemoveAll(l => l.LoadBalancerArn == arn);
        return true;
    });

    public Task<string> CreateTargetGroupAsync(TargetGroupRequest request, CancellationToken ct) =>
        Run("CreateTargetGroup", request.Name, () =>
        {
            if (_groups.Values.Any(g => g.Request.Name == request.Name))
                throw Error("DuplicateTargetGroupName", $"A target group with the name '{request.Name}' already exists");
            var arn = $"arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/{request.Name}/{++_next}";
            _groups[arn] = new Group(arn, request);
            _tags[arn] = new(request.Tags, StringComparer.Ordinal);
            return arn;
        });

    public Task<string?> FindTargetGroupAsync(string name, CancellationToken ct) =>
        Run("DescribeTargetGroups", name, () => _groups.Values.FirstOrDefault(g => g.Request.Name == name)?.Arn);

    public Task DeleteTargetGroupAsync(string arn, CancellationToken ct) => Run("DeleteTargetGroup", arn, () =>
    {
        if (_listeners.Any(l => l.Listener.TargetGroupArn == arn))
            throw Error("ResourceInUse", $"Target group '{arn}' is currently in use by a listener or a rule");
        _groups.Remove(arn);
        return true;
    });

    public Task<IReadOnlyList<ListenerInfo>> ListenersAsync(string loadBalancerArn, CancellationToken ct) =>
        Run<IReadOnlyList<ListenerInfo>>("DescribeListeners", loadBalancerArn, () =>
            _balancers.ContainsKey(loadBalancerArn)
                ? [.. _listeners.Where(l => l.LoadBalancerArn == loadBalancerArn).Select(l => l.Listener)]
                : throw Error("LoadBalancerNotFound", $"Load balancer '{loadBalancerArn}' not found"));

    public Task<string> CreateListenerAsync(string loadBalancerArn, string protocol, int port, string targetGroupArn, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        Run("CreateListener", loadBalancerArn, () =>
        {
            if (!_balancers.ContainsKey(loadBalancerArn))
                throw Error("LoadBalancerNotFound", $"Load balancer '{loadBalancerArn}' not found");
            if (!_groups.ContainsKey(targetGroupArn))
                throw Error("TargetGroupNotFound", $"Target group '{targetGroupArn}' not found");
            var listener = new ListenerInfo($"{loadBalancerArn.Replace(":loadbalancer/", ":listener/", StringComparison.Ordinal)}/{++_next}", protocol, port, targetGroupArn);
            _listeners.Add((listener, loadBalancerArn, tags));
            _tags[listener.Arn] = new(tags, StringComparer.Ordinal);
            return listener.Arn;
        });

    public Task<IReadOnlyList<TargetHealth>> TargetHealthAsync(string targetGroupArn, CancellationToken ct) =>
        Run<IReadOnlyList<TargetHealth>>("DescribeTargetHealth", targetGroupArn, () =>
            [.. GroupOf(targetGroupArn).Targets.Select(t => new TargetHealth(t.Key, t.Value, t.Value switch
            {
                "initial" => "Elb.RegistrationInProgress",
                TargetHealth.Unused => "Target.NotInUse",
                _ => null,
            }))]);

    public Task RegisterAsync(string targetGroupArn, IReadOnlyCollection<string> instanceIds, CancellationToken ct) =>
        Run("RegisterTargets", targetGroupArn, () =>
        {
            var group = GroupOf(targetGroupArn);
            var state = _listeners.Any(l => l.Listener.TargetGroupArn == targetGroupArn) ? "initial" : TargetHealth.Unused;
            foreach (var id in instanceIds)
                group.Targets.TryAdd(id, state);
            return true;
        });

    public Task DeregisterAsync(string targetGroupArn, IReadOnlyCollection<string> instanceIds, CancellationToken ct) =>
        Run("DeregisterTargets", targetGroupArn, () =>
        {
            var group = GroupOf(targetGroupArn);
            foreach (var id in instanceIds)
            {
                if (!group.Targets.ContainsKey(id))
                    throw Error("InvalidTarget", $"The following targets are not registered in target group '{targetGroupArn}': '{id}'");
            }
            foreach (var id in instanceIds)
                group.Targets[id] = TargetHealth.Draining;
            return true;
        });

    public Task TagAsync(IReadOnlyCollection<string> arns, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        Run("AddTags", string.Join(",", arns), () =>
        {
            foreach (var arn in arns)
            {
                var held = _tags.TryGetValue(arn, out var t) ? t : throw Error("LoadBalancerNotFound", $"'{arn}' not found");
                foreach (var (key, value) in tags)
                    held[key] = value;
            }
            return true;
        });

    public Task UntagAsync(IReadOnlyCollection<string> arns, IReadOnlyCollection<string> keys, CancellationToken ct) =>
        Run("RemoveTags", string.Join(",", arns), () =>
        {
            foreach (var arn in arns)
            {
                foreach (var key in keys)
                    _tags.GetValueOrDefault(arn)?.Remove(key);
            }
            return true;
        });

    private Group GroupOf(string arn) => _groups.TryGetValue(arn, out var group) ? group : throw Error("TargetGroupNotFound", $"Target group '{arn}' not found");

    private static CloudServiceException Error(string code, string message) => new(code, message, transient: false);

    private Task<T> Run<T>(string operation, string id, Func<T> call) => _journal.Run(operation, id, call);
}
