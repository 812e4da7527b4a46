using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Domain.Provisioning;

/// <summary>
/// Where a cluster's secrets live: SSM Parameter Store SecureStrings under one path per cluster,
/// <c>/palette-serverless/{tenant}/{cluster uid}/</c>, in the account and region of the cluster,
/// encrypted with the product's KMS key. Neither the table nor the user data holds them: nodes
/// read them at boot with their role's instance profile (control plane or worker), whose policy reaches only the tenant's path
/// and, by the parameter's VPC tag, only their own cluster's parameters. CDK makes the key, the
/// roles and the instance profiles under these names in every account the product builds in.
/// </summary>
public static class SecretParameters
{
    /// <summary>The first segment of every parameter the product writes.</summary>
    public const string Product = "palette-serverless";

    /// <summary>The product's KMS key in each account, by alias.</summary>
    public const string KmsKeyAlias = "alias/palette-serverless-secrets";

    /// <summary>
    /// The role and the instance profile control-plane nodes run with (the same name for both, as the
    /// console makes them): their own cluster's CA, certificate key and join token, and the cloud
    /// controller manager's permissions.
    /// </summary>
    public const string ControlPlaneRoleName = "PaletteServerlessControlPlane";
    public const string ControlPlaneInstanceProfileName = ControlPlaneRoleName;

    /// <summary>
    /// The role and the instance profile workers run with: their own cluster's join token only, so
    /// neither a worker nor a pod on one can read the CA key and mint cluster-admin certificates.
    /// </summary>
    public const string WorkerRoleName = "PaletteServerlessWorker";
    public const string WorkerInstanceProfileName = WorkerRoleName;

    /// <summary>Both node roles (= their instance profiles' names): what preflight checks and the steps may pass to EC2.</summary>
    public static readonly IReadOnlyList<string> NodeRoleNames = [ControlPlaneRoleName, WorkerRoleName];

    /// <summary>The instance profile a node of a pool role (<see cref="NodePoolRoles"/>) is launched with.</summary>
    public static string InstanceProfileOf(string poolRole) =>
        poolRole == NodePoolRoles.ControlPlane ? ControlPlaneInstanceProfileName : WorkerInstanceProfileName;

    /// <summary>
    /// The tag every parameter carries with its cluster's VPC id. The node policy lets a node read
    /// a parameter only when this tag equals the VPC its credentials are used from
    /// (<c>aws:ec2InstanceSourceVPC</c>), which is its own cluster's (one VPC per cluster).
    /// </summary>
    public const string VpcTag = "palette.serverless/vpc-id";

    /// <summary>The cluster CA: its certificate PEM followed by its private key PEM (one parameter, so the two always match).</summary>
    public const string CertificateAuthority = "ca";
    /// <summary>The key kubeadm encrypts the uploaded control-plane certificates with.</summary>
    public const string CertificateKey = "certificate-key";
    /// <summary>The current bootstrap (join) token; control planes replace it before the last one expires.</summary>
    public const string JoinToken = "join-token";

    public static readonly IReadOnlyList<string> All = [CertificateAuthority, CertificateKey, JoinToken];

    /// <summary>The path of a cluster's parameters, without a trailing slash.</summary>
    public static string PathOf(Cluster cluster) => $"/{Product}/{cluster.Scope.Tenant}/{cluster.Uid}";

    public static string NameOf(Cluster cluster, string parameter) => $"{PathOf(cluster)}/{parameter}";

    /// <summary>The parameters (of <see cref="All"/>) that <paramref name="stored"/> lacks.</summary>
    public static IReadOnlyList<string> Missing(IReadOnlyDictionary<string, string> stored) => [.. All.Where(p => !stored.ContainsKey(p))];

    /// <summary>Each parameter's value for a cluster's secrets.</summary>
    public static IReadOnlyDictionary<string, string> ValuesOf(ClusterSecrets secrets) => new Dictionary<string, string>
    {
        [CertificateAuthority] = secrets.CaCertificatePem.TrimEnd() + "\n" + secrets.CaPrivateKeyPem.TrimEnd() + "\n",
        [CertificateKey] = secrets.CertificateKey,
        [JoinToken] = secrets.BootstrapToken,
    };

    /// <summary>The secrets back from the parameters' values (the CA hash is computed from the certificate).</summary>
    public static ClusterSecrets FromValues(IReadOnlyDictionary<string, string> values)
    {
        var ca = AuthorityOf(values[CertificateAuthority]);
        return new ClusterSecrets(values[JoinToken], values[CertificateKey], ca.CertificatePem, ca.PrivateKeyPem, ca.CaCertHash);
    }

    /// <summary>The CA from the value of its parameter (<see cref="CertificateAuthority"/>).</summary>
    public static CertificateAuthority AuthorityOf(string value)
    {
        var certificate = PemBlock(value, "CERTIFICATE");
        return new CertificateAuthority(certificate, PemBlock(value, "PRIVATE KEY"), ClusterPki.CaCertHashOf(certificate));
    }

    private static string PemBlock(string text, string label)
    {
        var begin = text.IndexOf($"-----BEGIN {label}-----", StringComparison.Ordinal);
        var endMarker = $"-----END {label}-----";
        var end = text.IndexOf(endMarker, begin < 0 ? 0 : begin, StringComparison.Ordinal);
        if (begin < 0 || end < 0)
            throw new FormatException($"the CA parameter holds no {label} block");
        return text[begin..(end + endMarker.Length)] + "\n";
    }
}
