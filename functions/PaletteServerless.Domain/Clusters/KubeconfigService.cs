using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Domain.Clusters;

/// <summary>
/// Issues a kubeconfig for a running cluster to the caller: the API load balancer's DNS name, the
/// cluster CA, and a client certificate signed by the CA for the caller's Kubernetes user name
/// (<see cref="KubernetesUsers"/>) in the group of their role (<see cref="KubernetesGroups"/>), valid at
/// most <see cref="ClusterPki.MaxClientValidity"/>. Every issue is recorded (<see cref="IKubeconfigRecords"/>)
/// before the kubeconfig is handed out, and is a cluster event naming who.
/// </summary>
public sealed class KubeconfigService(
    IClusterStore clusters, ICloudAccountStore accounts, IClusterCredentials credentials, IKubeconfigRecords records, TimeProvider clock)
{
    /// <summary>The statuses in which a cluster's API server answers.</summary>
    public static readonly IReadOnlySet<string> ServingStatuses = new HashSet<string>(StringComparer.Ordinal) { ClusterStatus.Running, "Updating" };

    public async Task<IssuedKubeconfig> IssueAsync(Caller caller, ProjectScope scope, string name, int? ttlHours, CancellationToken ct)
    {
        caller.Demand(Permission.Read, scope.Project);
        var validity = ClusterPki.ClientValidity(ttlHours, "ttlHours");
        var user = KubernetesUsers.NameOf(caller.Subject);
        var cluster = await clusters.GetAsync(scope, name, ct) ?? throw new NotFoundException($"cluster '{name}' not found");
        if (!ServingStatuses.Contains(cluster.Status))
            throw new NotFoundException($"cluster '{name}' has no kubeconfig while it is {cluster.Status}; one is issued once it is Running");
        var group = KubernetesGroups.For(caller, scope.Project);
        var accountName = cluster.Definition.CloudAccount;
        var account = await accounts.GetAsync(scope, accountName, ct)
            ?? throw new NotFoundException($"cluster '{name}' has no kubeconfig: its cloud account '{accountName}' is gone");
        var access = await credentials.ReadAsync(cluster, account, ct)
            ?? throw new NotFoundException($"cluster '{name}' has no kubeconfig: its certificate authority or API load balancer is missing");
        var now = clock.GetUtcNow();
        var issued = ClusterPki.IssueKubeconfig(access.Authority, cluster.Name, access.ApiHost, user, group, now, validity);
        // Recorded first: a certificate whose record could not be written is never handed out.
        await records.AddAsync(cluster, new KubeconfigRecord
        {
            Subject = issued.Subject,
            Group = issued.Group,
            SerialNumber = issued.SerialNumber,
            IssuedAt = now,
            ExpiresAt = issued.NotAfter,
            IssuedBy = caller.Subject,
        }, ct);
        await clusters.AddEventAsync(cluster, new ClusterEvent
        {
            Id = Guid.NewGuid().ToString("N"),
            At = now,
            Type = "Normal",
            Reason = "KubeconfigIssued",
            Message = $"kubeconfig issued to {caller.Subject} as {user} in {group}, serial {issued.SerialNumber}, valid until {issued.NotAfter:O}",
        }, ct);
        return issued;
    }

    /// <summary>
    /// The certificates issued for the cluster, oldest first. Admins (who may force delete, and hold cluster-admin in
    /// the cluster) see everyone's; anyone else who may read the project sees only their own.
    /// </summary>
    public async Task<Page<KubeconfigRecord>> ListAsync(Caller caller, ProjectScope scope, string name, string? cursor, int limit, CancellationToken ct)
    {
        caller.Demand(Permission.Read, scope.Project);
        var cluster = await clusters.GetAsync(scope, name, ct) ?? throw new NotFoundException($"cluster '{name}' not found");
        var everyone = caller.Granted(scope.Project).Contains(Permission.ForceDelete);
        return await records.ListAsync(cluster, everyone ? null : caller.Subject, cursor, limit, ct);
    }
}
