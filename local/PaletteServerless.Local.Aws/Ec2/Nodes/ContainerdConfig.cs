using Tomlyn;
using Tomlyn.Model;

namespace PaletteServerless.Local.Aws.Ec2;

/// <summary>
/// containerd's /etc/containerd/config.toml as containerd 1.7 (the release Ubuntu 22.04 and 24.04 ship) reads
/// it, reduced to what decides whether the kubelet can run: the cgroup driver of the runc runtime the CRI plugin
/// uses. Config version 2 keeps it at <c>plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options.SystemdCgroup</c>,
/// version 1 at <c>plugins.cri.containerd.runtimes.runc.options.SystemdCgroup</c>; absent, runc uses cgroupfs.
/// Version 3 is containerd 2.0's, which 1.7 refuses to load.
/// </summary>
public static class ContainerdConfig
{
    /// <summary>The driver (<c>systemd</c> or <c>cgroupfs</c>), or why containerd does not start with this file.</summary>
    public static (string? Driver, string? Problem) CgroupDriver(string toml)
    {
        TomlTable root;
        try
        {
            root = TomlSerializer.Deserialize<TomlTable>(toml)!;
        }
        catch (TomlException ex)
        {
            return (null, $"containerd cannot load /etc/containerd/config.toml: {ex.Message.Split('\n')[0]}");
        }
        var version = root.TryGetValue("version", out var v) && v is long number ? number : 1;
        string[] cri = version switch
        {
            1 => ["plugins", "cri"],
            2 => ["plugins", "io.containerd.grpc.v1.cri"],
            _ => [],
        };
        if (cri.Length == 0)
            return (null, $"containerd 1.7 does not load config version {version} (/etc/containerd/config.toml)");
        var runtimes = Table(root, [.. cri, "containerd"]);
        var runtimeName = runtimes is not null && runtimes.TryGetValue("default_runtime_name", out var name) && name is string s ? s : "runc";
        var options = Table(root, [.. cri, "containerd", "runtimes", runtimeName, "options"]);
        var systemd = options is not null && options.TryGetValue("SystemdCgroup", out var flag) && flag is true;
        return (systemd ? "systemd" : "cgroupfs", null);
    }

    private static TomlTable? Table(TomlTable root, IEnumerable<string> path)
    {
        var table = root;
        foreach (var key in path)
        {
            if (!table.TryGetValue(key, out var next) || next is not TomlTable child)
                return null;
            table = child;
        }
        return table;
    }
}
