using PaletteServerless.Domain.Backups;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Profiles;

namespace PaletteServerless.Domain.Provisioning;

/// <summary>
/// The backup part of the desired in-cluster state (<c>settings.backup</c> on): Velero's backup storage location (the
/// bucket, its prefix and region; no secret: Velero uses the node's instance role), its ttl, and the operations asked
/// of it, on demand or by the product's schedule check (<see cref="BackupSchedules"/>; no Velero Schedule: a scheduled
/// backup is the same workflow as an on-demand one), each a Velero Backup or Restore object the agent creates once, by name.
/// </summary>
public sealed record DesiredBackup
{
    public required string Bucket { get; init; }
    public required string Prefix { get; init; }
    public required string Region { get; init; }
    public int TtlHours { get; init; }
    public IReadOnlyList<BackupOperation> Operations { get; init; } = [];

    /// <summary>How many operations the document keeps (the newest): the agent acts on each once, by name.</summary>
    public const int MaxOperations = 10;

    public static DesiredBackup Of(Cluster cluster, BackupLocation location, IReadOnlyList<BackupOperation>? operations) => new()
    {
        Bucket = location.Bucket,
        Prefix = location.Prefix,
        Region = cluster.Definition.Cloud.Region,
        TtlHours = (cluster.Spec.Settings?.Backup?.RetentionDays ?? BackupService.DefaultRetentionDays) * 24,
        Operations = [.. (operations ?? []).OrderBy(o => o.RequestedAt).TakeLast(MaxOperations)],
    };

    /// <summary>The Velero chart with values for this location: AWS plugin, no volume snapshots, the instance role's credentials.</summary>
    public DesiredPack VeleroPack()
    {
        var chart = (HelmChartInstall)SettingsPacks.Velero.Install;
        var values = $"""
            configuration:
              backupStorageLocation:
              - name: default
                provider: aws
                bucket: {Bucket}
                prefix: {Prefix}
                config:
                  region: {Region}
              volumeSnapshotLocation: []
            snapshotsEnabled: false
            credentials:
              useSecret: false
            initContainers:
            - name: velero-plugin-for-aws
              image: {SettingsPacks.VeleroAwsPlugin}
              volumeMounts:
              - mountPath: /target
                name: plugins
            """ + "\n";
        return new DesiredPack
        {
            Name = SettingsPacks.Velero.Name, Version = SettingsPacks.Velero.Version, Layer = SettingsPacks.Layer, Kind = "helm", Values = values,
            Repository = chart.Repository, Chart = chart.Chart, ChartVersion = chart.ChartVersion, Namespace = chart.Namespace,
        };
    }
}
