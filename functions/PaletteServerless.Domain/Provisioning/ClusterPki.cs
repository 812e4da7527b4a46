using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Validation;
using YamlDotNet.Serialization;

namespace PaletteServerless.Domain.Provisioning;

/// <summary>A PEM certificate with its PEM private key.</summary>
public sealed record CertificateAuthority(string CertificatePem, string PrivateKeyPem, string CaCertHash);

/// <summary>A kubeconfig issued to one caller: the YAML, and what its client certificate says.</summary>
public sealed record IssuedKubeconfig(string Yaml, string Subject, string Group, DateTimeOffset NotAfter, string SerialNumber);

/// <summary>A client certificate as issued: the PEMs, when it expires, and its serial number (hex, as openssl prints it).</summary>
public sealed record ClientCertificate(string CertificatePem, string PrivateKeyPem, DateTimeOffset NotAfter, string SerialNumber);

/// <summary>
/// The Kubernetes user name (certificate CN) of a product user: <c>palette:user:</c> and the JWT subject. The
/// prefix keeps every product user apart from Kubernetes' own names (<c>system:</c>: nodes, controllers,
/// <c>system:anonymous</c>) and from any name a settings.rbac binding made for someone else.
/// </summary>
public static class KubernetesUsers
{
    public const string Prefix = "palette:user:";

    /// <summary>
    /// The CN for <paramref name="subject"/>. A subject that itself starts with <c>system:</c> gets none (403): an
    /// identity provider that issues such names is confused or hostile, and no certificate should even look like Kubernetes' own.
    /// </summary>
    public static string NameOf(string subject)
    {
        if (subject.StartsWith(Clusters.SettingsValidator.ReservedPrefix, StringComparison.Ordinal))
            throw new Errors.ForbiddenException(
                $"your subject '{subject}' starts with '{Clusters.SettingsValidator.ReservedPrefix}', which Kubernetes reserves for its own users and groups: no certificate is issued for it");
        return Prefix + subject;
    }
}

/// <summary>
/// The Kubernetes groups a caller's certificate carries, by its role in the project. The cluster
/// binds each group to a built-in ClusterRole (see <see cref="RbacBindingsManifest"/>): admins
/// to <c>cluster-admin</c>, editors to <c>edit</c>, viewers to <c>view</c>. The prefix keeps them
/// apart from the <c>system:</c> and <c>kubeadm:</c> groups Kubernetes reserves.
/// </summary>
public static class KubernetesGroups
{
    public const string ClusterAdmins = "palette:cluster-admins";
    public const string Editors = "palette:editors";
    public const string Viewers = "palette:viewers";

    /// <summary>Each group and the built-in ClusterRole it is bound to.</summary>
    public static readonly IReadOnlyList<(string Group, string ClusterRole)> Bindings =
    [
        (ClusterAdmins, "cluster-admin"),
        (Editors, "edit"),
        (Viewers, "view"),
    ];

    /// <summary>The group of the caller's strongest role in <paramref name="project"/>; 404/403 as <see cref="Caller.Demand"/>.</summary>
    public static string For(Caller caller, string project)
    {
        caller.Demand(Permission.Read, project);
        var granted = caller.Granted(project);
        return granted.Contains(Permission.ForceDelete) ? ClusterAdmins
            : granted.Contains(Permission.Write) ? Editors
            : Viewers;
    }

    public const string RbacApiGroup = "rbac.authorization.k8s.io";

    /// <summary>
    /// One YAML manifest for <c>kubectl apply</c>: the ClusterRoleBindings that give each group its
    /// ClusterRole, then the bindings of the cluster's <c>settings.rbac</c> (each to the ClusterRole it
    /// names, cluster-wide or in its namespace, which is created if need be), named
    /// <c>palette-settings-{index}</c> after their place in the list.
    /// </summary>
    public static string RbacBindingsManifest(IReadOnlyList<RbacBinding>? settings = null)
    {
        var serializer = new SerializerBuilder().DisableAliases().Build();
        var documents = Bindings.Select(b => Binding("ClusterRoleBinding", b.Group.Replace(':', '-'), null, b.ClusterRole,
            [new Dictionary<string, object> { ["apiGroup"] = RbacApiGroup, ["kind"] = "Group", ["name"] = b.Group }])).ToList();
        var bindings = settings ?? [];
        foreach (var space in bindings.Where(b => b.Type == "RoleBinding").Select(b => b.Namespace!).Distinct(StringComparer.Ordinal))
            documents.Add(new Dictionary<string, object>
            {
                ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new Dictionary<string, object> { ["name"] = space },
            });
        for (var i = 0; i < bindings.Count; i++)
        {
            var binding = bindings[i];
            documents.Add(Binding(binding.Type!, $"palette-settings-{i}", binding.Type == "RoleBinding" ? binding.Namespace : null, binding.Role!,
                (binding.Subjects ?? []).Select(Subject).ToList()));
        }
        return string.Join("---\n", documents.Select(d => serializer.Serialize(d)));
    }

    private static Dictionary<string, object> Binding(string kind, string name, string? space, string clusterRole, List<Dictionary<string, object>> subjects)
    {
        var metadata = new Dictionary<string, object> { ["name"] = name };
        if (space is not null)
            metadata["namespace"] = space;
        return new Dictionary<string, object>
        {
            ["apiVersion"] = $"{RbacApiGroup}/v1",
            ["kind"] = kind,
            ["metadata"] = metadata,
            ["roleRef"] = new Dictionary<string, object> { ["apiGroup"] = RbacApiGroup, ["kind"] = "ClusterRole", ["name"] = clusterRole },
            ["subjects"] = subjects,
        };
    }

    // Users and groups are RBAC's own kinds; a service account is a core object, named in its namespace.
    private static Dictionary<string, object> Subject(RbacSubject subject) => subject.Kind == "ServiceAccount"
        ? new Dictionary<string, object> { ["kind"] = "ServiceAccount", ["name"] = subject.Name!, ["namespace"] = subject.Namespace! }
        : new Dictionary<string, object> { ["apiGroup"] = RbacApiGroup, ["kind"] = subject.Kind!, ["name"] = subject.Name! };
}

/// <summary>
/// The cluster's certificate authority and the client certificates and kubeconfigs it signs,
/// with System.Security.Cryptography only. The CA is what kubeadm accepts as its own
/// (<c>/etc/kubernetes/pki/ca.crt</c>, <c>ca.key</c>): CN=kubernetes, a CA basic constraint,
/// key usage for signing certificates, an ECDSA P-256 key (kubeadm's <c>ECDSA-P256</c> encryption
/// algorithm: as strong as RSA 3072, and made in well under a millisecond where an RSA 2048 key takes
/// about a tenth of a second on the create's critical path). CAs made before are RSA 2048, and still
/// sign. A client certificate is how Kubernetes authenticates a user: CN is the user name, O the group.
/// </summary>
public static class ClusterPki
{
    public static readonly TimeSpan DefaultClientValidity = TimeSpan.FromHours(12);
    /// <summary>
    /// Kubernetes cannot revoke a client certificate (the API server reads no CRL or OCSP), so its lifetime is
    /// the longest a certificate outlives the access it was issued for: one day at most.
    /// </summary>
    public static readonly TimeSpan MaxClientValidity = TimeSpan.FromHours(24);

    // Clocks of the caller and the API server may differ a little; a certificate valid from a few
    // minutes ago works at once on both.
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    public static CertificateAuthority CreateCertificateAuthority(string clusterName, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        // CN=kubernetes as kubeadm names its CA; O names the cluster, so a kubeconfig's CA says whose it is.
        var name = new X500DistinguishedNameBuilder();
        name.AddOrganizationName(clusterName);
        name.AddCommonName("kubernetes");
        var request = new CertificateRequest(name.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        // No key encipherment: an ECDSA key only signs (RFC 5480).
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var certificate = request.CreateSelfSigned(now - ClockSkew, now.AddYears(10));
        return new CertificateAuthority(certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem(), CaCertHashOf(certificate));
    }

    /// <summary>kubeadm's discovery hash of a CA: <c>sha256:</c> and the SHA-256 of its Subject Public Key Info.</summary>
    public static string CaCertHashOf(string certificatePem)
    {
        using var certificate = X509Certificate2.CreateFromPem(certificatePem);
        return CaCertHashOf(certificate);
    }

    private static string CaCertHashOf(X509Certificate2 certificate) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo()));

    /// <summary>
    /// Checks a requested validity in hours (null: the default of 12 h) and returns it; a value
    /// outside 1..24 is a 400 naming <paramref name="field"/>.
    /// </summary>
    public static TimeSpan ClientValidity(int? hours, string field = "validityHours")
    {
        if (hours is null)
            return DefaultClientValidity;
        var rules = new Rules();
        rules.Range(field, hours.Value, 1, (long)MaxClientValidity.TotalHours);
        rules.ThrowIfInvalid();
        return TimeSpan.FromHours(hours.Value);
    }

    /// <summary>A client certificate (ECDSA P-256) for <paramref name="subject"/> in <paramref name="group"/>, signed by the CA.</summary>
    public static ClientCertificate IssueClientCertificate(
        CertificateAuthority ca, string subject, string group, DateTimeOffset now, TimeSpan validity)
    {
        if (validity <= TimeSpan.Zero || validity > MaxClientValidity)
            throw new ArgumentOutOfRangeException(nameof(validity), validity, $"must be more than 0 and at most {MaxClientValidity.TotalHours} hours");
        using var issuer = X509Certificate2.CreateFromPem(ca.CertificatePem, ca.PrivateKeyPem);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        // The builder writes the last name added first; the subject reads O = group, CN = subject, as kubeadm's own client certificates do.
        var name = new X500DistinguishedNameBuilder();
        name.AddCommonName(subject);
        name.AddOrganizationName(group);
        var request = new CertificateRequest(name.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2", "Client Authentication")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        // Whole seconds: a certificate's times have no fractions, and notAfter must be what was asked.
        var notBefore = TruncateToSeconds(now) - ClockSkew;
        var notAfter = TruncateToSeconds(now + validity);
        var serial = PositiveSerial(RandomNumberGenerator.GetBytes(16));
        // Signed with the CA's own key, whichever it is (a CA made before ECDSA is RSA): the client key's type does not choose the signature.
        using var issuerEcdsa = issuer.GetECDsaPrivateKey();
        using var issuerRsa = issuerEcdsa is null ? issuer.GetRSAPrivateKey() : null;
        var signer = issuerEcdsa is not null
            ? X509SignatureGenerator.CreateForECDsa(issuerEcdsa)
            : X509SignatureGenerator.CreateForRSA(issuerRsa ?? throw new CryptographicException("the cluster CA's key is neither ECDSA nor RSA"), RSASignaturePadding.Pkcs1);
        using var certificate = request.Create(issuer.SubjectName, signer, notBefore, notAfter, serial);
        return new ClientCertificate(certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem(), notAfter, certificate.SerialNumber);
    }

    /// <summary>
    /// A serial number from random bytes: positive, as RFC 5280 requires, and with a first byte of 0x40-0x7F, so its
    /// DER integer is exactly these bytes and the hex the API reports is what <c>openssl x509 -serial</c> prints
    /// (a first byte of zero made .NET keep a leading 00 that openssl does not print, in one certificate of 128).
    /// 126 random bits remain.
    /// </summary>
    public static byte[] PositiveSerial(byte[] random)
    {
        var serial = (byte[])random.Clone();
        serial[0] = (byte)((serial[0] & 0x3F) | 0x40);
        return serial;
    }

    /// <summary>
    /// A kubeconfig for <c>https://{apiHost}:6443</c> that trusts the cluster CA and authenticates
    /// with a new client certificate for <paramref name="subject"/> in <paramref name="group"/>.
    /// </summary>
    public static IssuedKubeconfig IssueKubeconfig(
        CertificateAuthority ca, string clusterName, string apiHost, string subject, string group, DateTimeOffset now, TimeSpan validity)
    {
        var (certificatePem, keyPem, notAfter, serialNumber) = IssueClientCertificate(ca, subject, group, now, validity);
        var user = $"{subject}@{clusterName}";
        var document = new Dictionary<string, object>
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Config",
            ["clusters"] = new[]
            {
                new Dictionary<string, object>
                {
                    ["name"] = clusterName,
                    ["cluster"] = new Dictionary<string, object>
                    {
                        ["server"] = $"https://{apiHost}:6443",
                        ["certificate-authority-data"] = Base64(ca.CertificatePem),
                    },
                },
            },
            ["users"] = new[]
            {
                new Dictionary<string, object>
                {
                    ["name"] = user,
                    ["user"] = new Dictionary<string, object>
                    {
                        ["client-certificate-data"] = Base64(certificatePem),
                        ["client-key-data"] = Base64(keyPem),
                    },
                },
            },
            ["contexts"] = new[]
            {
                new Dictionary<string, object>
                {
                    ["name"] = clusterName,
                    ["context"] = new Dictionary<string, object> { ["cluster"] = clusterName, ["user"] = user },
                },
            },
            ["current-context"] = clusterName,
            ["preferences"] = new Dictionary<string, object>(),
        };
        var yaml = new SerializerBuilder().DisableAliases().Build().Serialize(document);
        return new IssuedKubeconfig(yaml, subject, group, notAfter, serialNumber);
    }

    private static string Base64(string pem) => Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(pem));

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset time) =>
        new(time.Ticks - time.Ticks % TimeSpan.TicksPerSecond, time.Offset);
}
