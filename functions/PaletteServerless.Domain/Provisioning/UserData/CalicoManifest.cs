using PaletteServerless.Domain.Profiles;

namespace PaletteServerless.Domain.Provisioning;

/// <summary>
/// How the first control plane applies Calico's manifest so that what runs is what the pack's values chose
/// (and what the security groups admit, <see cref="PackNetworkRequirements.CalicoSettings"/>). The published
/// calico.yaml runs the default IP pool with IP-in-IP and BGP; any other choice is made with the edits
/// Calico documents for manifest installs ("Customize the manifests", "Overlay networking"): the default
/// pool's <c>CALICO_IPV4POOL_IPIP</c> and <c>CALICO_IPV4POOL_VXLAN</c>, the <c>vxlan</c> backend with BIRD's
/// probes removed when BGP is off, and calico-typha.yaml when Typha is on. The values are validated to a
/// fixed set, so the sed expressions hold only literals of this file.
/// </summary>
public static class CalicoManifest
{
    public static string InstallCommand(string url, string? values, string failName)
    {
        var (encapsulation, bgp, typha) = PackNetworkRequirements.CalicoSettings(values);
        var (ipip, vxlan) = PoolModes(encapsulation);
        if (typha)
            url = url.Replace("/calico.yaml", "/calico-typha.yaml", StringComparison.Ordinal);
        if (ipip == "Always" && vxlan == "Never" && bgp)
            return $"kubectl apply -f '{url}' || fail {failName}";
        var edits = new List<string>
        {
            $"-e '/name: CALICO_IPV4POOL_IPIP$/{{n;s/value: .*/value: \"{ipip}\"/;}}'",
            $"-e '/name: CALICO_IPV4POOL_VXLAN$/{{n;s/value: .*/value: \"{vxlan}\"/;}}'",
        };
        if (!bgp)
        {
            edits.Add("-e 's/calico_backend: \"bird\"/calico_backend: \"vxlan\"/'");
            edits.Add("-e '/- -bird-live$/d' -e '/- -bird-ready$/d'");
        }
        return $"curl -fsSL '{url}' | sed {string.Join(' ', edits)} | kubectl apply -f - || fail {failName}";
    }

    /// <summary>The default pool's <c>CALICO_IPV4POOL_IPIP</c> and <c>CALICO_IPV4POOL_VXLAN</c> for an encapsulation of the pack's values.</summary>
    public static (string Ipip, string Vxlan) PoolModes(string encapsulation) => encapsulation switch
    {
        "IPIPCrossSubnet" => ("CrossSubnet", "Never"),
        "VXLAN" => ("Never", "Always"),
        "VXLANCrossSubnet" => ("Never", "CrossSubnet"),
        "None" => ("Never", "Never"),
        _ => ("Always", "Never"),
    };
}
