using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Validation;

namespace PaletteServerless.Domain.Clusters;

/// <summary>A dry run's answer: the spec with defaults, the plan and its cost, and what preflight found.</summary>
public sealed record DryRunResult(ClusterSpec Spec, Provisioning.PlanSummary Plan, IReadOnlyList<string> PreflightProblems);

/// <summary>The cluster use cases: who may do what, which rules hold, what is stored and started.</summary>
public sealed class ClusterService(
    IClusterStore clusters,
    ICloudAccountStore accounts,
    IProfileStore profiles,
    IWorkflowStarter workflows,
    IForceDeleter forceDeleter,
    IPreflight preflight,
    TimeProvider clock,
    Backups.IBackupCatalog? backupLocations = null)
{
    /// <summary>The product doc: a cluster stuck in Deleting for 15 minutes becomes eligible for force delete.</summary>
    public static readonly TimeSpan ForceDeleteDelay = TimeSpan.FromMinutes(15);

    public async Task<ClusterSpec> ValidateAsync(Caller caller, ProjectScope scope, ClusterSpec spec, CancellationToken ct)
    {
        caller.Demand(Permission.Write, scope.Project);
        var valid = ClusterSpecValidator.Validate(spec);
        RbacBindingPolicy.Demand(caller, scope.Project, valid.Settings?.Rbac, stored: null);
        var profile = await CheckReferencesAsync(accounts, profiles, scope, valid, ct);
        await CheckBackupLocationAsync(backupLocations, accounts, scope, valid, ct);
        return Changes.ChangeScope.WithNodePacks(valid, profile);
    }

    /// <summary>A backup location the spec names must be a bucket of the cloud account, in the cluster's region: a 400 otherwise.</summary>
    internal static async Task CheckBackupLocationAsync(Backups.IBackupCatalog? backupLocations, ICloudAccountStore accounts, ProjectScope scope, ClusterSpec valid, CancellationToken ct)
    {
        if (backupLocations is null || valid.Settings?.Backup is not { Enabled: true, Location: { Length: > 0 } bucket })
            return;
        var probe = new Cluster { Scope = scope, Uid = "00000000000000000000000000000000", Spec = valid, Status = ClusterStatus.Pending };
        var account = await accounts.GetAsync(scope, probe.Definition.CloudAccount, ct);
        if (account is null || !await backupLocations.BucketExistsAsync(probe, account, bucket, ct))
            throw new ValidationFailedException("settings.backup.location",
                $"bucket '{bucket}' does not exist in cloud account '{probe.Definition.CloudAccount}' in {probe.Definition.Cloud.Region} (or its role may not list it); name an existing bucket, or leave location empty for one the product creates");
    }

    /// <summary>
    /// What a create would do, without doing it: the rules, the preflight against the cloud
    /// account, and the plan of every resource with its estimated hourly cost. Stores nothing.
    /// </summary>
    public async Task<DryRunResult> DryRunAsync(Caller caller, ProjectScope scope, ClusterSpec spec, CancellationToken ct)
    {
        caller.Demand(Permission.Write, scope.Project);
        var valid = ClusterSpecValidator.Validate(spec);
        RbacBindingPolicy.Demand(caller, scope.Project, valid.Settings?.Rbac, stored: null);
        var profile = await CheckReferencesAsync(accounts, profiles, scope, valid, ct);
        valid = Changes.ChangeScope.WithNodePacks(valid, profile);
        var cluster = new Cluster { Scope = scope, Uid = "00000000000000000000000000000000", Spec = valid, Status = ClusterStatus.Pending };
        var accountName = cluster.Definition.CloudAccount;
        var account = await accounts.GetAsync(scope, accountName, ct) ?? new CloudAccounts.CloudAccount { Name = accountName };
        var problems = await preflight.CheckAsync(cluster, account, ct);
        return new DryRunResult(valid, Provisioning.PlanSummary.Of(cluster, Provisioning.ClusterPlan.Build(cluster), profile), problems);
    }

    public async Task<Cluster> CreateAsync(Caller caller, ProjectScope scope, ClusterSpec spec, CancellationToken ct)
    {
        var valid = await ValidateAsync(caller, scope, spec, ct);
        var now = clock.GetUtcNow();
        var cluster = new Cluster
        {
            Scope = scope,
            Uid = Guid.NewGuid().ToString("N"),
            Spec = valid,
            Status = ClusterStatus.Pending,
            StatusReason = "waiting for the provisioning workflow to start",
            CreatedAt = now,
            UpdatedAt = now,
            Version = 1,
            Generation = 1,
        };
        await clusters.CreateAsync(cluster, ct);
        await clusters.AddEventAsync(cluster, NewEvent("Normal", "Created", $"cluster {cluster.Name} accepted by {caller.Subject}"), ct);
        string executionArn;
        try
        {
            executionArn = await workflows.StartProvisioningAsync(cluster, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Nothing was created in the cloud yet, so Failed is safe and honest; the user may delete and retry.
            await clusters.UpdateAsync(
                cluster with { Status = ClusterStatus.Failed, StatusReason = "the provisioning workflow could not be started: " + ex.Message, UpdatedAt = clock.GetUtcNow() },
                cluster.Version, ct);
            throw new ServiceUnavailableException("the provisioning workflow could not be started; the cluster is marked Failed", ex);
        }
        return await UpdateWithRetryAsync(scope, cluster.Name, c => c with { ProvisionExecutionArn = executionArn }, ct);
    }

    public async Task<Cluster> GetAsync(Caller caller, ProjectScope scope, string name, CancellationToken ct)
    {
        caller.Demand(Permission.Read, scope.Project);
        return await clusters.GetAsync(scope, name, ct) ?? throw NotFound(name);
    }

    public Task<Page<Cluster>> ListAsync(Caller caller, ProjectScope scope, bool includeDeleted, string? cursor, int limit, CancellationToken ct)
    {
        caller.Demand(Permission.Read, scope.Project);
        return clusters.ListAsync(scope, includeDeleted, cursor, limit, ct);
    }

    public async Task<Page<ClusterEvent>> ListEventsAsync(Caller caller, ProjectScope scope, string name, string? cursor, int limit, CancellationToken ct)
    {
        var cluster = await GetAsync(caller, scope, name, ct);
        return await clusters.ListEventsAsync(cluster, cursor, limit, ct);
    }

    /// <summary>Moves the cluster to Deleting and starts the delete workflow; the name must be typed again (product doc).</summary>
    public Task<Cluster> DeleteAsync(Caller caller, ProjectScope scope, string name, string? confirm, CancellationToken ct) =>
        DeleteAsync(caller, scope, name, confirm, expectedVersion: null, ct);

    /// <summary>
    /// As above; with <paramref name="expectedVersion"/> (If-Match) the delete happens only if the cluster
    /// is still at that version, checked by the same conditional write that moves it to Deleting.
    /// </summary>
    public async Task<Cluster> DeleteAsync(Caller caller, ProjectScope scope, string name, string? confirm, long? expectedVersion, CancellationToken ct)
    {
        caller.Demand(Permission.Write, scope.Project);
        if (confirm != name)
            throw new ValidationFailedException("confirm", $"must repeat the cluster's name ('{name}') to confirm the delete");
        Cluster deleting;
        for (var attempt = 0; ; attempt++)
        {
            var cluster = await clusters.GetAsync(scope, name, ct) ?? throw NotFound(name);
            if (cluster.Status == ClusterStatus.Deleted)
                throw NotFound(name);
            if (expectedVersion is { } expected && expected != cluster.Version)
                throw new ConflictException($"If-Match version {expected} is stale: cluster '{name}' is at version {cluster.Version}; read it again");
            if (cluster.Status == ClusterStatus.Deleting)
            {
                // Deleting again changes nothing, but makes sure the delete workflow runs: an earlier
                // start may have failed (503). The execution name makes this start idempotent.
                if (cluster.DeleteExecutionArn is null)
                    await StartOrExplainAsync(() => workflows.StartDeletionAsync(cluster, ct), "delete");
                return cluster;
            }
            var now = clock.GetUtcNow();
            try
            {
                deleting = await clusters.UpdateAsync(cluster with
                {
                    Status = ClusterStatus.Deleting,
                    StatusReason = $"delete requested by {caller.Subject}",
                    DeletingSince = now,
                    ForceDeleteAvailableAt = now + ForceDeleteDelay,
                    UpdatedAt = now,
                }, cluster.Version, ct);
                break;
            }
            catch (ConflictException) when (expectedVersion is null && attempt < 10)
            {
                // The provisioning workflow writes conditions as it goes; read again and retry. A racing
                // delete shows up as Deleting on the next read and makes this one a no-op.
            }
        }
        await clusters.AddEventAsync(deleting, NewEvent("Normal", "Deleting", $"delete requested by {caller.Subject}"), ct);
        var executionArn = await StartOrExplainAsync(() => workflows.StartDeletionAsync(deleting, ct), "delete");
        return await UpdateWithRetryAsync(scope, name, c => c with { DeleteExecutionArn = executionArn }, ct);
    }

    /// <summary>
    /// Force delete, for admins, once the cluster has been Deleting for <see cref="ForceDeleteDelay"/>:
    /// starts the force delete workflow and returns the cluster with its execution. Asking again while
    /// it runs finds the same execution (its name is derived from the uid), never a second one.
    /// </summary>
    public async Task<Cluster> ForceDeleteAsync(Caller caller, ProjectScope scope, string name, CancellationToken ct)
    {
        caller.Demand(Permission.Read, scope.Project);
        var cluster = await clusters.GetAsync(scope, name, ct) ?? throw NotFound(name);
        caller.Demand(Permission.ForceDelete, scope.Project);
        var left = ForceDeleteWaitLeft(cluster, clock.GetUtcNow());
        if (left > TimeSpan.Zero)
            throw new ConflictException(
                $"force delete becomes available at {cluster.ForceDeleteAvailableAt:O}, in {Math.Ceiling(left.TotalSeconds)} s; until then the delete workflow keeps trying");
        if (cluster.ForceDeleteExecutionArn is null)
            await clusters.AddEventAsync(cluster, NewEvent("Warning", "ForceDeleteRequested", $"force delete requested by {caller.Subject}"), ct);
        var executionArn = await StartOrExplainAsync(() => forceDeleter.StartAsync(cluster, caller, ct), "force delete");
        if (cluster.ForceDeleteExecutionArn == executionArn)
            return cluster;
        // The workflow may already have marked the cluster Deleted: recording its execution changes nothing else.
        return await UpdateWithRetryAsync(scope, name, c => c with { ForceDeleteExecutionArn = executionArn }, ct);
    }

    /// <summary>How long until force delete is allowed, for a cluster in Deleting; throws 409 otherwise.</summary>
    public static TimeSpan ForceDeleteWaitLeft(Cluster cluster, DateTimeOffset now)
    {
        if (cluster.Status != ClusterStatus.Deleting || cluster.ForceDeleteAvailableAt is null)
            throw new ConflictException($"force delete is only for a cluster in Deleting; cluster {cluster.Name} is {cluster.Status}");
        if (cluster.ForceDeleteAvailable)
            return TimeSpan.Zero;
        var left = cluster.ForceDeleteAvailableAt.Value - now;
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    /// <summary>
    /// The cloud account and the profile at its version exist, every pack given values is a pack of the profile,
    /// and the nodes' user data fits EC2's limit (<see cref="Provisioning.UserDataLimit"/>). Runs after the rules
    /// (on the validated spec); errors name the spec's JSON paths. Returns the profile.
    /// </summary>
    internal static async Task<Profiles.ClusterProfile> CheckReferencesAsync(
        ICloudAccountStore accounts, IProfileStore profiles, ProjectScope scope, ClusterSpec validSpec, CancellationToken ct)
    {
        var spec = ClusterDefinition.From(validSpec);
        var rules = new Rules();
        if (await accounts.GetAsync(scope, spec.CloudAccount, ct) is null)
            rules.Add("cloudAccount", $"no cloud account named '{spec.CloudAccount}' exists in project '{scope.Project}'");
        var profile = await profiles.GetAsync(scope, spec.Profile.Name, spec.Profile.Version, ct);
        if (profile is null)
        {
            var versions = await profiles.VersionsAsync(scope, spec.Profile.Name, ct);
            if (versions.Count == 0)
                rules.Add("profile.name", $"no cluster profile named '{spec.Profile.Name}' exists in project '{scope.Project}'");
            else
                rules.Add("profile.version", $"profile '{spec.Profile.Name}' has no version {spec.Profile.Version}; its versions: {string.Join(", ", versions.Select(v => v.Version))}");
        }
        else
        {
            foreach (var pack in spec.Profile.PackValues.Keys)
            {
                if (profile.Packs!.All(p => p.Name != pack))
                    rules.Add($"profile.packValues.{pack}", $"profile '{profile.Name}' has no pack named '{pack}'");
            }
            // Measured only on what is otherwise valid: the user data is made of the profile and these values.
            if (rules.IsValid)
            {
                var cluster = new Cluster { Scope = scope, Uid = new string('0', 32), Spec = validSpec, Status = ClusterStatus.Pending };
                Provisioning.UserDataLimit.Check(rules, cluster, profile);
            }
        }
        rules.ThrowIfInvalid();
        return profile!;
    }

    private Task<Cluster> UpdateWithRetryAsync(ProjectScope scope, string name, Func<Cluster, Cluster> change, CancellationToken ct) =>
        UpdateWithRetryAsync(clusters, clock, scope, name, change, ct);

    /// <summary>Applies a change to the stored cluster conditionally, reading again and re-applying on a race.</summary>
    internal static async Task<Cluster> UpdateWithRetryAsync(
        IClusterStore clusters, TimeProvider clock, ProjectScope scope, string name, Func<Cluster, Cluster> change, CancellationToken ct)
    {
        // The workflow may already be writing status; re-read and re-apply rather than lose either update.
        for (var attempt = 0; ; attempt++)
        {
            var current = await clusters.GetAsync(scope, name, ct) ?? throw NotFound(name);
            try
            {
                return await clusters.UpdateAsync(change(current) with { UpdatedAt = clock.GetUtcNow() }, current.Version, ct);
            }
            catch (ConflictException) when (attempt < 5)
            {
            }
        }
    }

    internal static async Task<string> StartOrExplainAsync(Func<Task<string>> start, string operation)
    {
        try
        {
            return await start();
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or DomainException))
        {
            throw new ServiceUnavailableException($"the {operation} workflow could not be started; try again", ex);
        }
    }

    private ClusterEvent NewEvent(string type, string reason, string message) => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        At = clock.GetUtcNow(),
        Type = type,
        Reason = reason,
        Message = message,
    };

    private static NotFoundException NotFound(string name) => new($"cluster '{name}' not found");
}
