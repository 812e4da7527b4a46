using System.Security.Cryptography;

namespace PaletteServerless.Domain.Provisioning;

/// <summary>
/// What kubeadm needs so nodes can join securely: the cluster CA (generated here, so its hash is
/// known before the first node boots), a bootstrap token and the key that encrypts the uploaded
/// control-plane certificates. Generated once per cluster and stored before any instance runs,
/// so a re-run of the step uses the same values.
/// </summary>
public sealed record ClusterSecrets(string BootstrapToken, string CertificateKey, string CaCertificatePem, string CaPrivateKeyPem, string CaCertHash)
{
    public static ClusterSecrets Generate(string clusterName, DateTimeOffset now)
    {
        var ca = ClusterPki.CreateCertificateAuthority(clusterName, now);
        return new ClusterSecrets(
            $"{RandomToken(6)}.{RandomToken(16)}",
            Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
            ca.CertificatePem,
            ca.PrivateKeyPem,
            ca.CaCertHash);
    }

    /// <summary>The cluster CA, to sign client certificates with (<see cref="ClusterPki"/>). A method, so the stored JSON stays as it is.</summary>
    public CertificateAuthority Authority() => new(CaCertificatePem, CaPrivateKeyPem, CaCertHash);

    private static string RandomToken(int length) =>
        RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", length);
}
