using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Domain.Clusters;

/// <summary>
/// Issues a kubeconfig for a running cluster to the caller: the API load balancer's DNS name, the
/// cluster CA, and a client certificate signed by the CA for the caller's subject in the group of
/// their role (<see cref="KubernetesGroups"/>). Every issue is a cluster event naming who.
/// </summary>
public sealed class KubeconfigService(IClusterStore clusters, ICloudAccountStore accounts, IClusterCredentials credentials, TimeProvider clock)
{
    /// <summary>The statuses in which a cluster's API server answers.</summary>
    public static readonly IReadOnlySet<string> ServingStatuses = new HashSet<string>(StringComparer.Ordinal) { ClusterStatus.Running, "Updating" };

    public async Task<IssuedKubeconfig> IssueAsync(Caller caller, ProjectScope scope, string name, int? ttlHours, CancellationToken ct)
    {
        caller.Demand(Permission.Read, scope.Project);
        var validity = ClusterPki.ClientValidity(ttlHours, "ttlHours");
        var cluster = await clusters.GetAsync(scope, name, ct) ?? throw new NotFoundException($"cluster '{name}' not found");
        if (!ServingStatuses.Contains(cluster.Status))
            throw new NotFoundException($"cluster '{name}' has no kubeconfig while it is {cluster.Status}; one is issued once it is Running");
        var group = KubernetesGroups.For(caller, scope.Project);
        var accountName = cluster.Definition.CloudAccount;
        var account = await accounts.GetAsync(scope, accountName, ct)
            ?? throw new NotFoundException($"cluster '{name}' has no kubeconfig: its cloud account '{accountName}' is gone");
        var access = await credentials.ReadAsync(cluster, account, ct)
            ?? throw new NotFoundException($"cluster '{name}' has no kubeconfig: its certificate authority or API load balancer is missing");
        var issued = ClusterPki.IssueKubeconfig(access.Authority, cluster.Name, access.ApiHost, caller.Subject, group, clock.GetUtcNow(), validity);
        await clusters.AddEventAsync(cluster, new ClusterEvent
        {
            Id = Guid.NewGuid().ToString("N"),
            At = clock.GetUtcNow(),
            Type = "Normal",
            Reason = "KubeconfigIssued",
            Message = $"kubeconfig issued to {caller.Subject} as {group}, valid until {issued.NotAfter:O}",
        }, ct);
        return issued;
    }
}
