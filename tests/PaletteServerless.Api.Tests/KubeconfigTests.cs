using System.Security.Cryptography.X509Certificates;
using PaletteServerless.Api.Tests.Support;
using PaletteServerless.Domain.Tests;
using PaletteServerless.Testing;

namespace PaletteServerless.Api.Tests;

/// <summary>
/// GET .../clusters/{name}/kubeconfig: a kubeconfig kubectl reads, for the API load balancer, with
/// a client certificate the cluster CA signed for the caller as palette:user:{sub} in the group of their role,
/// valid 12 h unless ttlHours says otherwise (1..24); 404 before Running; each issue recorded and an event.
/// GET .../clusters/{name}/kubeconfigs lists the issues: admins everyone's, others their own.
/// </summary>
public sealed class KubeconfigTests(StoreFixture fixture) : IClassFixture<StoreFixture>, IDisposable
{
    private readonly ApiHarness _api = new(fixture);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("kubeconfig-");

    public void Dispose() => _directory.Delete(recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }

    private Task<ApiResponse> GetAsync(string cluster, Identity by, string? ttlHours = null)
    {
        var call = ApiCall.Get($"/v1/projects/demo/clusters/{cluster}/kubeconfig").By(by);
        return _api.SendAsync(ttlHours is null ? call : call.WithQuery("ttlHours", ttlHours));
    }

    [Theory]
    [InlineData("project-admin:demo", "palette:cluster-admins")]
    [InlineData("tenant-admin", "palette:cluster-admins")]
    [InlineData("project-editor:demo", "palette:editors")]
    [InlineData("project-viewer:demo", "palette:viewers")]
    public async Task Each_role_gets_a_certificate_for_its_subject_in_its_group_signed_by_the_cluster_CA(string role, string group)
    {
        await _api.SeedProjectAsync("demo");
        await _api.CreateRunningClusterAsync("demo", "live");

        var response = await GetAsync("live", _api.As(role));

        response.Status.Should().Be(200, response.ToString());
        response.Body!["subject"]!.GetValue<string>().Should().Be("palette:user:alice");
        response.Body["group"]!.GetValue<string>().Should().Be(group);
        var kubeconfig = Write("kubeconfig", response.Body["kubeconfig"]!.GetValue<string>());
        var view = Tool.Run("kubectl", "config", "view", "--kubeconfig", kubeconfig, "--raw", "-o",
            "jsonpath={.clusters[0].cluster.server}|{.clusters[0].cluster.certificate-authority-data}|{.users[0].user.client-certificate-data}");
        var parts = view.Split('|');
        parts[0].Should().Be($"https://{FixedClusterCredentials.ApiHost}:6443");
        System.Text.Encoding.ASCII.GetString(Convert.FromBase64String(parts[1])).Trim().Should().Be(_api.Credentials.Authority.CertificatePem.Trim());
        var certificate = Write("client.crt", System.Text.Encoding.ASCII.GetString(Convert.FromBase64String(parts[2])));
        var ca = Write("ca.crt", _api.Credentials.Authority.CertificatePem);
        // At the harness's time: the certificate is issued on its clock.
        var at = (ApiHarness.Start + TimeSpan.FromHours(1)).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        Tool.Run("openssl", "verify", "-attime", at, "-CAfile", ca, certificate).Should().Contain("OK");
        Tool.Run("openssl", "x509", "-in", certificate, "-noout", "-subject", "-nameopt", "RFC2253").Trim().Should().Be($"subject=CN=palette:user:alice,O={group}");
        Tool.Run("openssl", "x509", "-in", certificate, "-noout", "-serial").Trim().Should().Be($"serial={response.Body["serialNumber"]!.GetValue<string>()}");
    }

    [Fact]
    public async Task The_certificate_lasts_12_hours_by_default_and_ttlHours_up_to_24_and_each_issue_is_an_event_naming_who()
    {
        await _api.SeedProjectAsync("demo");
        await _api.CreateRunningClusterAsync("demo", "live");

        var byDefault = await GetAsync("live", _api.As("project-viewer:demo"));
        var day = await GetAsync("live", _api.As("project-viewer:demo"), "24");

        ExpiresIn(byDefault).Should().Be(TimeSpan.FromHours(12));
        ExpiresIn(day).Should().Be(TimeSpan.FromHours(24));
        using var certificate = X509Certificate2.CreateFromPem(ClientCertificate(day));
        new DateTimeOffset(certificate.NotAfter.ToUniversalTime()).Should().Be(ApiHarness.Start + TimeSpan.FromHours(24));
        var events = await _api.SendAsync(ApiCall.Get("/v1/projects/demo/clusters/live/events").By(_api.Admin));
        events.Body!["items"]!.AsArray().Where(e => e!["reason"]!.GetValue<string>() == "KubeconfigIssued")
            .Should().HaveCount(2).And.OnlyContain(e => e!["message"]!.GetValue<string>().Contains("alice"));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("25")]
    [InlineData("168")]
    [InlineData("twelve")]
    public async Task A_ttl_outside_1_to_24_hours_is_a_400_naming_ttlHours(string ttlHours)
    {
        await _api.SeedProjectAsync("demo");
        await _api.CreateRunningClusterAsync("demo", "live");

        var response = await GetAsync("live", _api.Admin, ttlHours);

        response.Status.Should().Be(400);
        response.ErrorFields.Should().Equal("ttlHours");
    }

    [Fact]
    public async Task A_cluster_that_is_not_Running_yet_has_no_kubeconfig()
    {
        await _api.SeedProjectAsync("demo");
        await _api.CreateClusterAsync("demo", "pending");

        var response = await GetAsync("pending", _api.Admin);

        response.Status.Should().Be(404);
        response.Body!["detail"]!.GetValue<string>().Should().Contain("Pending");
    }

    [Fact]
    public async Task A_subject_that_looks_like_kubernetes_own_gets_a_403_and_no_certificate()
    {
        await _api.SeedProjectAsync("demo");
        await _api.CreateRunningClusterAsync("demo", "live");

        var response = await GetAsync("live", new Identity(_api.Tenant, ["project-admin:demo"], "system:kube-controller-manager"));

        response.Status.Should().Be(403, response.ToString());
        response.Body!["detail"]!.GetValue<string>().Should().Contain("'system:'");
        var listed = await ListAsync("live", _api.Admin);
        listed.Body!["items"]!.AsArray().Should().BeEmpty();
    }

    [Fact]
    public async Task Each_issue_is_listed_with_subject_group_serial_and_times_admins_see_everyone_s_and_others_their_own()
    {
        await _api.SeedProjectAsync("demo");
        await _api.CreateRunningClusterAsync("demo", "live");
        var viewer = await GetAsync("live", _api.As("project-viewer:demo"), "2");
        _api.Clock.Advance(TimeSpan.FromMinutes(5));
        var editor = await GetAsync("live", new Identity(_api.Tenant, ["project-editor:demo"], "bob"));
        _api.Clock.Advance(TimeSpan.FromMinutes(5));
        var admin = await GetAsync("live", _api.Admin);

        var all = await ListAsync("live", _api.As("project-admin:demo"));
        var own = await ListAsync("live", _api.As("project-viewer:demo"));

        all.Status.Should().Be(200, all.ToString());
        var items = all.Body!["items"]!.AsArray().Select(i => i!.AsObject()).ToList();
        items.Select(i => i["subject"]!.GetValue<string>()).Should().Equal("palette:user:alice", "palette:user:bob", "palette:user:root");
        items.Select(i => i["issuedBy"]!.GetValue<string>()).Should().Equal("alice", "bob", "root");
        items.Select(i => i["group"]!.GetValue<string>()).Should().Equal("palette:viewers", "palette:editors", "palette:cluster-admins");
        items.Select(i => i["serialNumber"]!.GetValue<string>()).Should().Equal(
            new[] { viewer, editor, admin }.Select(r => r.Body!["serialNumber"]!.GetValue<string>()));
        items[0]["issuedAt"]!.GetValue<DateTimeOffset>().Should().Be(ApiHarness.Start);
        items[0]["expiresAt"]!.GetValue<DateTimeOffset>().Should().Be(ApiHarness.Start + TimeSpan.FromHours(2));
        items[1]["issuedAt"]!.GetValue<DateTimeOffset>().Should().Be(ApiHarness.Start + TimeSpan.FromMinutes(5));
        items[0].Select(p => p.Key).Should().BeEquivalentTo("subject", "group", "serialNumber", "issuedAt", "expiresAt", "issuedBy");

        own.Status.Should().Be(200, own.ToString());
        own.Body!["items"]!.AsArray().Select(i => i!["issuedBy"]!.GetValue<string>()).Should().Equal("alice");
    }

    [Fact]
    public async Task The_list_pages_and_is_not_visible_outside_the_project()
    {
        await _api.SeedProjectAsync("demo");
        await _api.CreateRunningClusterAsync("demo", "live");
        for (var i = 0; i < 3; i++)
            (await GetAsync("live", _api.Admin)).Status.Should().Be(200);

        var first = await _api.SendAsync(ApiCall.Get("/v1/projects/demo/clusters/live/kubeconfigs").By(_api.Admin).WithQuery("limit", "2"));
        var second = await _api.SendAsync(ApiCall.Get("/v1/projects/demo/clusters/live/kubeconfigs").By(_api.Admin)
            .WithQuery("cursor", first.Body!["nextCursor"]!.GetValue<string>()));
        var stranger = await ListAsync("live", _api.As("project-admin:other"));
        var otherTenant = await ListAsync("live", _api.As("tenant-admin", tenant: "t" + Guid.NewGuid().ToString("N")[..10]));

        first.Body!["items"]!.AsArray().Should().HaveCount(2);
        second.Body!["items"]!.AsArray().Should().HaveCount(1);
        second.Body["nextCursor"].Should().BeNull();
        stranger.Status.Should().Be(404);
        otherTenant.Status.Should().Be(404);
    }

    private Task<ApiResponse> ListAsync(string cluster, Identity by) =>
        _api.SendAsync(ApiCall.Get($"/v1/projects/demo/clusters/{cluster}/kubeconfigs").By(by));

    private static TimeSpan ExpiresIn(ApiResponse response) =>
        DateTimeOffset.Parse(response.Body!["expiresAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) - ApiHarness.Start;

    private static string ClientCertificate(ApiResponse response)
    {
        var yaml = response.Body!["kubeconfig"]!.GetValue<string>();
        var line = yaml.Split('\n').Single(l => l.TrimStart().StartsWith("client-certificate-data:", StringComparison.Ordinal));
        return System.Text.Encoding.ASCII.GetString(Convert.FromBase64String(line.Split(':', 2)[1].Trim()));
    }
}
