using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

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
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN=kubernetes, O={clusterName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));
        // kubeadm's discovery hash: SHA-256 of the CA's Subject Public Key Info.
        var hash = Convert.ToHexStringLower(SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo()));
        return new ClusterSecrets(
            $"{RandomToken(6)}.{RandomToken(16)}",
            Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
            certificate.ExportCertificatePem(),
            key.ExportPkcs8PrivateKeyPem(),
            "sha256:" + hash);
    }

    private static string RandomToken(int length) =>
        RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", length);
}
