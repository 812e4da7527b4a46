namespace PaletteServerless.Domain.Provisioning;

/// <summary>
/// <c>/etc/containerd/config.toml</c> for containerd 1.6 and 1.7 (Ubuntu's packages; config version 2).
/// Ubuntu's containerd starts with cgroupfs and its own pause image, while kubeadm sets the kubelet
/// to the systemd cgroup driver: two cgroup managers on one node make the kubelet fail its pods
/// (the container runtimes page of the Kubernetes docs). The CRI plugin's sandbox image is the pause
/// image of the Kubernetes minor, as kubeadm expects.
/// </summary>
public static class ContainerdConfig
{
    public const string Path = "/etc/containerd/config.toml";

    public static string Render(string pauseImage) =>
        "version = 2\n" +
        "\n" +
        "[plugins.\"io.containerd.grpc.v1.cri\"]\n" +
        $"  sandbox_image = \"{pauseImage}\"\n" +
        "\n" +
        "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc]\n" +
        "  runtime_type = \"io.containerd.runc.v2\"\n" +
        "\n" +
        "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]\n" +
        "  SystemdCgroup = true\n";
}
