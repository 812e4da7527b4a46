using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Aws.Cloud.Kinds;

/// <summary>Something that is not ours and keeps a subnet or the VPC from going: its kind, id, and a sentence naming it.</summary>
public sealed record Blocker(string Kind, string Id, string Description);

/// <summary>
/// What one delete pass learns, shared by every kind's delete: what it waits for, what blocks it
/// without being ours, and the errors it collected. A kind's delete never throws for an AWS error:
/// NotFound counts as done, a dependency means "next pass", anything else is collected, so one bad
/// resource cannot stop the rest. Kinds of one stage run side by side, so what it learns is kept under a lock.
/// </summary>
public sealed class DeletePass(TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private readonly List<string> _waiting = [];
    private readonly List<Blocker> _blockers = [];
    private readonly List<string> _errors = [];
    private DateTimeOffset? _expected;

    public IReadOnlyList<string> WaitingFor { get { lock (_gate) return [.. _waiting]; } }
    public IReadOnlyList<Blocker> Blockers { get { lock (_gate) return [.. _blockers]; } }
    public IReadOnlyList<string> Errors { get { lock (_gate) return [.. _errors]; } }

    /// <summary>
    /// When what this pass waits for is expected to be done: the latest of each start (a terminate,
    /// a NAT gateway delete) plus its typical latency, so the wait counts from the calls, not from the
    /// pass's end; null when it started nothing with a known latency, so the caller polls at its own cadence.
    /// </summary>
    public DateTimeOffset? ExpectedDoneAt { get { lock (_gate) return _expected; } }

    public void Wait(string what)
    {
        lock (_gate)
            _waiting.Add(what);
    }

    /// <summary>Something was started that AWS typically finishes in <paramref name="typical"/>.</summary>
    public void Expect(TimeSpan typical)
    {
        var at = _clock.GetUtcNow() + typical;
        lock (_gate)
            _expected = _expected is { } known && known >= at ? known : at;
    }

    public void Block(Blocker blocker)
    {
        lock (_gate)
        {
            if (_blockers.All(b => b.Id != blocker.Id))
                _blockers.Add(blocker);
        }
    }

    private void Collect(string error)
    {
        lock (_gate)
            _errors.Add(error);
    }

    /// <summary>Runs <paramref name="delete"/> for every item at once (independent deletes of one kind); true when all returned true.</summary>
    public static async Task<bool> EachAsync<T>(IEnumerable<T> items, Func<T, Task<bool>> delete) =>
        (await Task.WhenAll(items.Select(delete))).All(done => done);

    /// <summary>Runs one call; NotFound means done (true), a dependency means later (false), anything else is collected (false).</summary>
    public async Task<bool> Attempt(string what, Func<Task> call)
    {
        try
        {
            await call();
            return true;
        }
        catch (Exception ex) when (CloudErrors.Code(ex) is not null || ex is HttpRequestException)
        {
            if (CloudErrors.IsNotFound(ex))
                return true;
            if (CloudErrors.IsDependency(ex))
                Wait($"{what}: {CloudErrors.Code(ex)}");
            else
                Collect($"{what}: {CloudErrors.Code(ex) ?? ex.GetType().Name}: {ex.Message}");
            return false;
        }
    }

    /// <summary>Runs a describe; on failure the error is collected and Ok is false, so nothing is forgotten on a failed read.</summary>
    public async Task<(bool Ok, T? Value)> Read<T>(string what, Func<Task<T>> call)
    {
        try
        {
            return (true, await call());
        }
        catch (Exception ex) when (CloudErrors.Code(ex) is not null || ex is HttpRequestException)
        {
            Collect($"{what}: {CloudErrors.Code(ex) ?? ex.GetType().Name}: {ex.Message}");
            return (false, default);
        }
    }

    /// <summary>
    /// Names, by type and id, what still sits in the VPC or subnet and is not ours: the network
    /// interfaces (of a load balancer, an instance, a Lambda someone created there) and load balancers.
    /// </summary>
    public async Task NameNetworkBlockersAsync(IClusterNetworkCloud network, NetworkScope scope, string id, CancellationToken ct)
    {
        var (_, interfaces) = await Read("describe network interfaces", () => network.NetworkInterfacesAsync(scope, id, ct));
        foreach (var eni in interfaces ?? [])
        {
            var owner = eni.InstanceId is { } instance ? $"instance {instance}" : eni.Description is { Length: > 0 } d ? d : eni.InterfaceType ?? "unknown";
            Block(new Blocker(ResourceKinds.NetworkInterface, eni.Id, $"network interface {eni.Id} ({owner}) in {eni.SubnetId}"));
        }
        if (scope == NetworkScope.Vpc)
        {
            var (_, loadBalancers) = await Read("describe load balancers", () => network.LoadBalancersAsync(id, ct));
            foreach (var lb in loadBalancers ?? [])
                Block(new Blocker(ResourceKinds.LoadBalancer, lb.Arn, $"load balancer {lb.Name} ({lb.Arn}), not tagged for this cluster"));
        }
    }
}

/// <summary>One kind of resource a cluster owns, as a delete pass sees it.</summary>
public interface IDeletableKind
{
    /// <summary>Removes what the inventory lists of this kind; true when none is left. Safe to run again.</summary>
    Task<bool> DeleteAsync(DeletePass pass, CancellationToken ct);
}
