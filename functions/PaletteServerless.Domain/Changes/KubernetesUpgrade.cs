using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Profiles;

namespace PaletteServerless.Domain.Changes;

/// <summary>
/// A change of the cluster's Kubernetes version (through <c>profile.version</c>), and the order it is applied in:
/// control-plane nodes first, one at a time, then the worker pools, in parallel or one by one as the cluster says.
/// </summary>
/// <param name="Stages">The update order (<see cref="ClusterDiff.Stages(ClusterSpec)"/>): the control-plane pool alone, then the workers.</param>
public sealed record KubernetesUpgradePlan(string From, string To, string ControlPlanePool, IReadOnlyList<IReadOnlyList<string>> Stages)
{
    /// <summary>What the cluster's events say when the upgrade is accepted.</summary>
    public string Describe()
    {
        var workers = Stages.Skip(1).ToList();
        var workerOrder = workers.Count switch
        {
            0 => "",
            1 when workers[0].Count > 1 => $"; then worker pools {string.Join(", ", workers[0])} in parallel",
            1 => $"; then worker pool {workers[0][0]}",
            _ => $"; then worker pools one by one: {string.Join(", then ", workers.Select(s => string.Join(", ", s)))}",
        };
        return $"Kubernetes {From} to {To}: control-plane pool {ControlPlanePool} first, one node at a time (each new node joined and healthy before an old one leaves){workerOrder}";
    }
}

/// <summary>
/// The version skew rules of a Kubernetes upgrade (kubernetes.io, "Version Skew Policy"; kubeadm upgrades one
/// minor at a time, control planes first), judged before anything starts. Every error names <c>profile.version</c>.
/// </summary>
public static class KubernetesUpgrade
{
    public const string Field = "profile.version";

    /// <summary>
    /// The upgrade from <paramref name="from"/> to <paramref name="to"/> (Kubernetes versions of the profile versions),
    /// or null when the Kubernetes version does not change. A downgrade, or more than one minor at once, is 400.
    /// </summary>
    public static KubernetesUpgradePlan? Plan(ClusterSpec next, string profileVersion, string from, string to)
    {
        if (KubernetesVersion.Compare(from, to) == 0)
            return null;
        var (fromMinor, toMinor) = (PackCatalog.MinorOf(from), PackCatalog.MinorOf(to));
        if (KubernetesVersion.Compare(to, from) < 0)
        {
            throw new ValidationFailedException(Field,
                $"version {profileVersion} runs Kubernetes {Plain(to)}, older than the cluster's {Plain(from)}: Kubernetes is never downgraded " +
                $"(choose a version with Kubernetes {Plain(from)} or newer)");
        }
        if (KubernetesVersion.MinorsBetween(from, to) > 1)
        {
            var nextMinor = NextMinor(fromMinor);
            throw new ValidationFailedException(Field,
                $"version {profileVersion} runs Kubernetes {Plain(to)}, {KubernetesVersion.MinorsBetween(from, to)} minors past the cluster's {Plain(from)}: " +
                $"Kubernetes upgrades one minor at a time; the next allowed minor is {nextMinor} (move to a version with Kubernetes {nextMinor} first, then to {toMinor})");
        }
        var definition = ClusterDefinition.From(next);
        var controlPlane = definition.NodePools.First(p => p.IsControlPlane).Name;
        return new KubernetesUpgradePlan(Plain(from), Plain(to), controlPlane, ClusterDiff.Stages(definition));
    }

    /// <summary>
    /// Judges a change of <c>profile.version</c> of <paramref name="cluster"/> to <paramref name="next"/> (whose profile,
    /// <paramref name="nextProfile"/>, exists): the skew rules, and no Kubernetes change while the cluster has not
    /// reached its spec (an update in progress, or a failed one), since its nodes may still run the older release.
    /// </summary>
    public static async Task<KubernetesUpgradePlan?> CheckAsync(
        IProfileStore profiles, ProjectScope scope, Cluster cluster, ClusterSpec next, ClusterProfile nextProfile, CancellationToken ct)
    {
        var (was, will) = (cluster.Spec.Profile, next.Profile);
        if (was?.Version == will?.Version || nextProfile.KubernetesVersionOf() is not { } to)
            return null;
        var current = await profiles.GetAsync(scope, was!.Name!, was.Version!, ct);
        if (current?.KubernetesVersionOf() is not { } from)
            return null;
        var plan = Plan(next, will!.Version!, from, to);
        if (plan is not null && ClusterUpdates.IsPending(cluster))
        {
            throw new ConflictException(
                $"cluster '{cluster.Name}' has not reached generation {cluster.Generation} yet (its nodes may still run Kubernetes {Plain(from)} or older): " +
                "a Kubernetes version change waits until the update in progress ends (a failed one: retry it with POST .../update first)");
        }
        return plan;
    }

    /// <summary>The minor after <paramref name="minor"/> (1.31 after 1.30).</summary>
    public static string NextMinor(string minor)
    {
        var parts = KubernetesVersion.Parts(minor);
        return $"{parts[0]}.{parts[1] + 1}";
    }

    private static string Plain(string version) => version.TrimStart('v');
}
