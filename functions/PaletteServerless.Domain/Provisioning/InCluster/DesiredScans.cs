using PaletteServerless.Domain.Backups;
using PaletteServerless.Domain.Profiles;

namespace PaletteServerless.Domain.Provisioning;

/// <summary>
/// The security-scan part of the desired in-cluster state (<c>settings.securityScans</c> on): kube-bench's image (pinned
/// in <see cref="SettingsPacks"/>), where results go (the cluster's bucket, under <see cref="ScanLocation.Prefix"/>),
/// the node roles to scan, and the scans asked, on demand or by the product's schedule check (each run once, by name: a kube-bench Job on one node of each
/// role, its JSON output uploaded as <c>scans/&lt;name&gt;/&lt;role&gt;.json</c>).
/// </summary>
public sealed record DesiredScans
{
    public required string Bucket { get; init; }
    public string Prefix { get; init; } = ScanLocation.Prefix;
    public required string Region { get; init; }
    public string Image { get; init; } = SettingsPacks.KubeBenchImage;
    public required IReadOnlyList<string> NodeRoles { get; init; }
    public IReadOnlyList<BackupOperation> Operations { get; init; } = [];
}
