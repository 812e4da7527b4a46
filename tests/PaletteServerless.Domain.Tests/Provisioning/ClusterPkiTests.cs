using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Provisioning;
using YamlDotNet.RepresentationModel;

namespace PaletteServerless.Domain.Tests.Provisioning;

/// <summary>The cluster CA, client certificates and kubeconfigs, checked by openssl and kubectl themselves.</summary>
public sealed class ClusterPkiTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 10, 30, 15, 250, TimeSpan.Zero);
    private static readonly CertificateAuthority Ca = ClusterPki.CreateCertificateAuthority("demo", Now);
    // openssl verify checks validity at this time, the clock the certificates were issued by.
    private static readonly string VerifyAt = (Now.ToUnixTimeSeconds() + 60).ToString(CultureInfo.InvariantCulture);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("cluster-pki-");

    public void Dispose() => _directory.Delete(recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void The_ca_is_what_kubeadm_takes_and_its_hash_is_the_spki_hash()
    {
        var caFile = Write("ca.crt", Ca.CertificatePem);
        var text = Tool.Run("openssl", "x509", "-in", caFile, "-noout", "-text");
        text.Should().Contain("Subject: CN = kubernetes, O = demo").And.Contain("CA:TRUE").And.Contain("Certificate Sign")
            .And.Contain("id-ecPublicKey").And.Contain("prime256v1").And.NotContain("Key Encipherment");
        // The private key is the certificate's: kubeadm refuses a ca.key that does not match ca.crt.
        var keyFile = Write("ca.key", Ca.PrivateKeyPem);
        Tool.Run("bash", "-c", $"openssl pkey -in '{keyFile}' -pubout").Should().Be(Tool.Run("openssl", "x509", "-in", caFile, "-noout", "-pubkey"));

        // The hash kubeadm join --discovery-token-ca-cert-hash expects: the SHA-256 of the DER public key (SPKI).
        var spki = Tool.Run("bash", "-c", $"openssl x509 -pubkey -in '{caFile}' | openssl pkey -pubin -outform der 2>/dev/null | openssl dgst -sha256 -hex");
        Ca.CaCertHash.Should().Be("sha256:" + spki.Trim().Split(' ').Last());
    }

    [Fact]
    public void A_ca_made_before_ecdsa_with_an_rsa_key_still_signs_client_certificates()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=kubernetes, O=demo", key,
            HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var certificate = request.CreateSelfSigned(Now.AddMinutes(-5), Now.AddYears(10));
        var rsaCa = new CertificateAuthority(certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem(), ClusterPki.CaCertHashOf(certificate.ExportCertificatePem()));

        var certificatePem = ClusterPki.IssueClientCertificate(rsaCa, "alice", KubernetesGroups.Viewers, Now, TimeSpan.FromHours(1)).CertificatePem;

        Tool.Run("openssl", "verify", "-attime", VerifyAt, "-CAfile", Write("rsa-ca.crt", rsaCa.CertificatePem), "-purpose", "sslclient", Write("client.crt", certificatePem))
            .Should().Contain(": OK");
    }

    [Theory]
    [InlineData(null, 12)]
    [InlineData(1, 1)]
    [InlineData(24, 24)]
    public void A_client_certificate_verifies_against_the_ca_and_carries_subject_group_serial_and_notAfter(int? hours, int expectedHours)
    {
        var validity = ClusterPki.ClientValidity(hours);
        var (certificatePem, keyPem, notAfter, serialNumber) = ClusterPki.IssueClientCertificate(Ca, "alice@example.com", KubernetesGroups.Editors, Now, validity);

        var caFile = Write("ca.crt", Ca.CertificatePem);
        var certificateFile = Write("client.crt", certificatePem);
        Tool.Run("openssl", "verify", "-attime", VerifyAt, "-CAfile", caFile, "-purpose", "sslclient", certificateFile).Should().Contain(": OK");
        Tool.Run("openssl", "x509", "-in", certificateFile, "-noout", "-subject").Trim()
            .Should().Be("subject=O = palette:editors, CN = alice@example.com");
        // Certificates keep whole seconds: 10:30:15.250 plus the hours asked.
        var expected = new DateTimeOffset(2026, 12, 1, 10, 30, 15, TimeSpan.Zero).AddHours(expectedHours);
        notAfter.Should().Be(expected);
        var printed = Tool.Run("openssl", "x509", "-in", certificateFile, "-noout", "-enddate").Trim();
        var utc = expected.UtcDateTime;
        printed.Should().Be(string.Create(CultureInfo.InvariantCulture, $"notAfter={utc:MMM} {utc.Day,2} {utc:HH:mm:ss yyyy} GMT"));
        Tool.Run("openssl", "x509", "-in", certificateFile, "-noout", "-serial").Trim().Should().Be($"serial={serialNumber}");

        using var key = ECDsa.Create();
        key.ImportFromPem(keyPem);
        using var certificate = X509Certificate2.CreateFromPem(certificatePem);
        certificate.GetECDsaPublicKey()!.ExportSubjectPublicKeyInfo().Should().Equal(key.ExportSubjectPublicKeyInfo());
    }

    [Theory]
    [InlineData((byte)0x00)]
    [InlineData((byte)0x80)]
    [InlineData((byte)0xFF)]
    [InlineData((byte)0x3F)]
    public void A_serial_is_positive_and_its_hex_is_what_openssl_prints_whatever_its_random_first_byte(byte first)
    {
        var random = Enumerable.Range(0, 16).Select(i => i == 0 ? first : (byte)(0xF0 - i)).ToArray();

        var serial = ClusterPki.PositiveSerial(random);

        serial[0].Should().BeInRange(0x40, 0x7F, "positive, and no leading zero byte for .NET to keep and openssl to drop");
        serial.Skip(1).Should().Equal(random.Skip(1));
        // The certificate carries exactly these bytes: .NET's hex and openssl's agree.
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=serial", key, HashAlgorithmName.SHA256);
        using var certificate = request.Create(request.SubjectName, X509SignatureGenerator.CreateForECDsa(key), Now, Now.AddHours(1), serial);
        var path = Write("serial.crt", certificate.ExportCertificatePem());
        Tool.Run("openssl", "x509", "-in", path, "-noout", "-serial").Trim().Should().Be($"serial={certificate.SerialNumber}");
        certificate.SerialNumber.Should().Be(Convert.ToHexString(serial));
    }

    [Fact]
    public void A_certificate_signed_by_another_ca_does_not_verify()
    {
        var other = ClusterPki.CreateCertificateAuthority("other", Now);
        var certificatePem = ClusterPki.IssueClientCertificate(other, "mallory", KubernetesGroups.ClusterAdmins, Now, TimeSpan.FromHours(1)).CertificatePem;
        var result = Tool.TryRun("openssl", "verify", "-attime", VerifyAt, "-CAfile", Write("ca.crt", Ca.CertificatePem), Write("client.crt", certificatePem));
        result.ExitCode.Should().NotBe(0);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(25)]
    [InlineData(168)]
    public void A_validity_outside_1_to_24_hours_is_refused_naming_the_field(int hours)
    {
        var error = FluentActions.Invoking(() => ClusterPki.ClientValidity(hours, "validityHours"))
            .Should().Throw<ValidationFailedException>().Which.Errors.Should().ContainSingle().Subject;
        error.Field.Should().Be("validityHours");
        error.Message.Should().Contain("24");
        FluentActions.Invoking(() => ClusterPki.IssueClientCertificate(Ca, "alice", KubernetesGroups.Viewers, Now, TimeSpan.FromHours(hours)))
            .Should().Throw<ArgumentOutOfRangeException>("nothing issues a certificate past the cap, whoever calls");
    }

    [Theory]
    [InlineData("alice", "palette:user:alice")]
    [InlineData("3f1c9a2e-7b4d-4e1a-9c2f-0a1b2c3d4e5f", "palette:user:3f1c9a2e-7b4d-4e1a-9c2f-0a1b2c3d4e5f")]
    [InlineData("System:masters", "palette:user:System:masters")]
    public void A_product_user_s_kubernetes_name_is_prefixed_and_never_kubernetes_own(string subject, string name)
    {
        KubernetesUsers.NameOf(subject).Should().Be(name);
        KubernetesUsers.NameOf(subject).Should().NotStartWith("system:");
    }

    [Theory]
    [InlineData("system:masters")]
    [InlineData("system:serviceaccount:kube-system:default")]
    public void A_subject_that_looks_like_kubernetes_own_gets_no_name_and_so_no_certificate(string subject)
    {
        FluentActions.Invoking(() => KubernetesUsers.NameOf(subject)).Should().Throw<ForbiddenException>().WithMessage("*system:*reserves*");
    }

    [Theory]
    [InlineData("tenant-admin", KubernetesGroups.ClusterAdmins)]
    [InlineData("project-admin:demo", KubernetesGroups.ClusterAdmins)]
    [InlineData("project-editor:demo", KubernetesGroups.Editors)]
    [InlineData("project-viewer:demo", KubernetesGroups.Viewers)]
    public void The_group_follows_the_callers_strongest_role(string role, string group)
    {
        KubernetesGroups.For(new Caller("u1", "acme", ["project-viewer:demo", role]), "demo").Should().Be(group);
    }

    [Fact]
    public void A_caller_without_a_role_in_the_project_gets_no_group()
    {
        FluentActions.Invoking(() => KubernetesGroups.For(new Caller("u1", "acme", ["project-admin:other"]), "demo"))
            .Should().Throw<NotFoundException>();
    }

    [Fact]
    public void The_kubeconfig_parses_with_kubectl_and_embeds_the_ca_and_the_client_certificate()
    {
        var issued = ClusterPki.IssueKubeconfig(Ca, "demo", "demo-api-123.elb.us-east-1.amazonaws.com", "alice", KubernetesGroups.ClusterAdmins, Now, TimeSpan.FromHours(12));
        issued.Group.Should().Be(KubernetesGroups.ClusterAdmins);
        issued.NotAfter.Should().Be(new DateTimeOffset(2026, 12, 1, 22, 30, 15, TimeSpan.Zero));
        var kubeconfig = Write("kubeconfig", issued.Yaml);

        var view = Tool.Run("kubectl", "config", "view", "--kubeconfig", kubeconfig, "--raw", "-o", "jsonpath={.clusters[0].cluster.server} {.current-context} {.contexts[0].context.user}");
        view.Should().Be("https://demo-api-123.elb.us-east-1.amazonaws.com:6443 demo alice@demo");
        var caData = Tool.Run("kubectl", "config", "view", "--kubeconfig", kubeconfig, "--raw", "-o", "jsonpath={.clusters[0].cluster.certificate-authority-data}");
        System.Text.Encoding.ASCII.GetString(Convert.FromBase64String(caData)).Should().Be(Ca.CertificatePem);
        var certificateData = Tool.Run("kubectl", "config", "view", "--kubeconfig", kubeconfig, "--raw", "-o", "jsonpath={.users[0].user.client-certificate-data}");
        var certificateFile = Write("client.crt", System.Text.Encoding.ASCII.GetString(Convert.FromBase64String(certificateData)));
        Tool.Run("openssl", "verify", "-attime", VerifyAt, "-CAfile", Write("ca.crt", Ca.CertificatePem), certificateFile).Should().Contain(": OK");
        Tool.Run("openssl", "x509", "-in", certificateFile, "-noout", "-subject").Trim().Should().Be("subject=O = palette:cluster-admins, CN = alice");

        // kubectl redacts the key in a plain view: it was read as key data.
        Tool.Run("kubectl", "config", "view", "--kubeconfig", kubeconfig, "-o", "jsonpath={.users[0].user.client-key-data}").Should().Be("DATA+OMITTED");
    }

    [Fact]
    public void The_rbac_manifest_binds_each_group_to_its_cluster_role()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(KubernetesGroups.RbacBindingsManifest()));
        var bindings = stream.Documents.Select(d => (YamlMappingNode)d.RootNode).Select(n => (
            Group: ((YamlScalarNode)((YamlMappingNode)((YamlSequenceNode)n["subjects"])[0])["name"]).Value,
            Role: ((YamlScalarNode)((YamlMappingNode)n["roleRef"])["name"]).Value)).ToList();
        bindings.Should().Equal(("palette:cluster-admins", "cluster-admin"), ("palette:editors", "edit"), ("palette:viewers", "view"));
    }
}
