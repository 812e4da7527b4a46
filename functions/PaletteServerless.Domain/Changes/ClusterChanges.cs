using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Validation;

namespace PaletteServerless.Domain.Changes;

/// <summary>
/// The day-2 rules of a spec change, as pure functions from the current (validated) spec to the next one.
/// Every function validates the result as a create would, then checks what may not change; errors name the
/// field (400, <see cref="ValidationFailedException"/>), conflicts with the cluster's shape are 409
/// (<see cref="ConflictException"/>), an unknown pool is 404 (<see cref="NotFoundException"/>).
/// </summary>
public static class ClusterChanges
{
    /// <summary>
    /// A whole proposed spec (e.g. the current one with a merge patch applied): the create rules, then the
    /// immutable fields. Returns the new spec with its defaults filled in.
    /// </summary>
    public static ClusterSpec Validate(ClusterSpec current, ClusterSpec proposed)
    {
        ClusterSpec valid;
        var rules = new Rules();
        try
        {
            valid = ClusterSpecValidator.Validate(proposed);
        }
        catch (ValidationFailedException ex)
        {
            // Report every broken rule at once: the immutable fields too, judged on what the request gave.
            foreach (var error in ex.Errors)
                rules.Add(error.Field, error.Message);
            CheckImmutable(rules, current, proposed, absentMeansDefault: true);
            throw new ValidationFailedException(rules.Errors);
        }
        CheckImmutable(rules, current, valid);
        rules.ThrowIfInvalid();
        return valid;
    }

    /// <summary>POST .../nodepools: a new worker pool, appended. Errors name fields of the pool itself (count, labels.x, ...).</summary>
    public static ClusterSpec AddPool(ClusterSpec current, NodePoolSpec pool)
    {
        if (pool.Role is not null && pool.Role != NodePoolRoles.Worker)
            throw new ValidationFailedException("role", "only worker pools can be added: a cluster has exactly one control-plane pool");
        if (pool.Name is not null && FindPool(current, pool.Name) >= 0)
            throw new ConflictException($"node pool '{pool.Name}' already exists; replace it with PUT .../nodepools/{pool.Name}");
        var pools = current.NodePools!.ToList();
        pools.Add(pool with { Role = NodePoolRoles.Worker });
        return RelativeTo(pools.Count - 1, () => Validate(current, current with { NodePools = pools }));
    }

    /// <summary>PUT .../nodepools/{pool}: one pool's whole spec replaced; its name and role stay.</summary>
    public static ClusterSpec ReplacePool(ClusterSpec current, string poolName, NodePoolSpec pool)
    {
        var index = FindPool(current, poolName);
        if (index < 0)
            throw new NotFoundException($"node pool '{poolName}' not found");
        var existing = current.NodePools![index];
        var rules = new Rules();
        if (pool.Name is not null && pool.Name != poolName)
            rules.Add("name", $"is immutable: this pool is '{poolName}' (to rename, add a new pool and remove this one)");
        if (pool.Role is not null && pool.Role != existing.Role)
            rules.Add("role", $"is immutable: pool '{poolName}' is a {existing.Role} pool");
        rules.ThrowIfInvalid();
        var pools = current.NodePools.ToList();
        pools[index] = pool with { Name = poolName, Role = existing.Role };
        return RelativeTo(index, () => Validate(current, current with { NodePools = pools }));
    }

    /// <summary>DELETE .../nodepools/{pool}: a worker pool removed; the control-plane pool and the last worker pool stay (409).</summary>
    public static ClusterSpec RemovePool(ClusterSpec current, string poolName)
    {
        var index = FindPool(current, poolName);
        if (index < 0)
            throw new NotFoundException($"node pool '{poolName}' not found");
        var pool = current.NodePools![index];
        if (pool.Role == NodePoolRoles.ControlPlane)
            throw new ConflictException($"node pool '{poolName}' is the control-plane pool: a cluster cannot run without it (delete the cluster instead)");
        if (current.NodePools.Count(p => p.Role == NodePoolRoles.Worker) == 1)
            throw new ConflictException($"node pool '{poolName}' is the last worker pool: add another worker pool before removing it");
        var pools = current.NodePools.ToList();
        pools.RemoveAt(index);
        return Validate(current, current with { NodePools = pools });
    }

    /// <summary>
    /// The cluster with an accepted spec: the generation goes up by one when the spec differs, and stays when the
    /// change changed nothing (a repeated PATCH is a no-op, as in Kubernetes).
    /// </summary>
    public static Cluster Accept(Cluster cluster, ClusterSpec validSpec)
    {
        if (SameSpec(cluster.Spec, validSpec))
            return cluster;
        return cluster with { Spec = validSpec, Generation = Math.Max(cluster.Generation, 1) + 1 };
    }

    /// <summary>Equal as the API would show them: records with lists and maps compared by content.</summary>
    public static bool SameSpec(ClusterSpec a, ClusterSpec b) => ClusterDiff.Describe(a, b).Count == 0;

    /// <summary>
    /// What may not change after create. Pools are matched by name: a pool keeps its role, the control-plane
    /// pool keeps its name, and with dynamic placement a pool's zones stay among the zones the VPC has subnets in.
    /// </summary>
    /// <param name="absentMeansDefault">For a spec whose defaults are not filled in (it failed other rules): an absent value is not a change.</param>
    public static void CheckImmutable(Rules rules, ClusterSpec current, ClusterSpec next, bool absentMeansDefault = false)
    {
        void Same(string field, string? was, string? now)
        {
            if (absentMeansDefault && now is null)
                return;
            if (!string.Equals(was, now, StringComparison.Ordinal))
                rules.Add(field, $"is immutable (it is {Show(was)}; the requested value was {Show(now)})");
        }
        Same("name", current.Name, next.Name);
        Same("cloudAccount", current.CloudAccount, next.CloudAccount);
        Same("profile.name", current.Profile?.Name, next.Profile?.Name);
        var (was, now) = (current.Cloud ?? new CloudSpec(), next.Cloud ?? new CloudSpec());
        Same("cloud.region", was.Region, now.Region);
        Same("cloud.sshKeyName", was.SshKeyName, now.SshKeyName);
        Same("cloud.vpcCidr", was.VpcCidr, now.VpcCidr);
        Same("cloud.apiLoadBalancer", was.ApiLoadBalancer, now.ApiLoadBalancer);
        var (wasPlacement, nowPlacement) = (was.Placement ?? new PlacementSpec(), now.Placement ?? new PlacementSpec());
        Same("cloud.placement.mode", wasPlacement.Mode, nowPlacement.Mode);
        Same("cloud.placement.vpcId", wasPlacement.VpcId, nowPlacement.VpcId);
        Same("cloud.placement.controlPlaneSubnetIds", Join(wasPlacement.ControlPlaneSubnetIds), Join(nowPlacement.ControlPlaneSubnetIds));
        Same("cloud.placement.workerSubnetIds", Join(wasPlacement.WorkerSubnetIds), Join(nowPlacement.WorkerSubnetIds));

        var oldPools = (current.NodePools ?? []).ToDictionary(p => p.Name!, StringComparer.Ordinal);
        var oldControlPlane = (current.NodePools ?? []).FirstOrDefault(p => p.Role == NodePoolRoles.ControlPlane);
        var isDynamic = (wasPlacement.Mode ?? PlacementModes.Dynamic) == PlacementModes.Dynamic;
        var networkZones = Provisioning.ClusterPlan.ZonesOf(current);
        var pools = next.NodePools ?? [];
        for (var i = 0; i < pools.Count; i++)
        {
            var pool = pools[i];
            var at = $"nodePools[{i}]";
            if (pool?.Name is null)
                continue;
            if (oldPools.TryGetValue(pool.Name, out var old) && pool.Role is not null && old.Role != pool.Role)
                rules.Add($"{at}.role", $"is immutable: pool '{pool.Name}' is a {old.Role} pool");
            else if (pool.Role == NodePoolRoles.ControlPlane && oldControlPlane is not null && pool.Name != oldControlPlane.Name)
                rules.Add($"{at}.name", $"is immutable for the control-plane pool (it is '{oldControlPlane.Name}')");
            if (!isDynamic)
                continue;
            var zones = pool.AvailabilityZones ?? [];
            for (var z = 0; z < zones.Count; z++)
            {
                if (zones[z] is not null && !networkZones.Contains(zones[z], StringComparer.Ordinal))
                    rules.Add($"{at}.availabilityZones[{z}]",
                        $"must be one of the zones the cluster's VPC has subnets in ({string.Join(", ", networkZones)}): the network is fixed at create");
            }
        }
    }

    private static int FindPool(ClusterSpec spec, string name) => spec.NodePools!.FindIndex(p => p.Name == name);

    /// <summary>Runs a validation of a whole spec and names the errors of pool <paramref name="index"/> relative to the pool (the request body).</summary>
    private static ClusterSpec RelativeTo(int index, Func<ClusterSpec> validate)
    {
        try
        {
            return validate();
        }
        catch (ValidationFailedException ex)
        {
            var prefix = $"nodePools[{index}]";
            throw new ValidationFailedException(ex.Errors.Select(e => e.Field.StartsWith(prefix, StringComparison.Ordinal)
                ? e with { Field = e.Field.Length == prefix.Length ? "body" : e.Field[(prefix.Length + 1)..] }
                : e).ToList());
        }
    }

    private static string? Join(List<string>? values) => values is null ? null : string.Join(",", values);

    private static string Show(string? value) => value is null ? "not set" : $"'{value}'";
}
