using System.Net;
using System.Net.Sockets;
using System.Text;
using PaletteServerless.Domain.Provisioning;
using static PaletteServerless.Domain.Tests.Provisioning.UserDataFixture;

namespace PaletteServerless.Domain.Tests.Provisioning;

/// <summary>
/// Every Kubernetes manifest the user data writes, applied by the real kubectl with <c>--dry-run=client</c>:
/// kubectl parses each document, maps its apiVersion and kind to a resource, and requires what the resource
/// needs (a name; a namespace for a namespaced one). With no API server here, a stand-in answers only
/// discovery, with the resources of the upstream API (so schema validation, which needs the server's
/// OpenAPI document, is off). kubeadm's configurations are not Kubernetes objects and are not applied.
/// </summary>
public sealed class ManifestKubectlTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("manifests-");
    private readonly HttpListener _listener = new();
    private readonly string _server;

    /// <summary>The discovery documents of the upstream API, for the kinds the product writes (kubectl asks for nothing else before a dry run).</summary>
    private static readonly Dictionary<string, string> Discovery = new()
    {
        ["/api"] = """{"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0","serverAddress":"127.0.0.1"}]}""",
        ["/apis"] = """{"kind":"APIGroupList","apiVersion":"v1","groups":[{"name":"rbac.authorization.k8s.io","versions":[{"groupVersion":"rbac.authorization.k8s.io/v1","version":"v1"}],"preferredVersion":{"groupVersion":"rbac.authorization.k8s.io/v1","version":"v1"}}]}""",
        ["/api/v1"] = """{"kind":"APIResourceList","groupVersion":"v1","resources":[{"name":"namespaces","singularName":"namespace","namespaced":false,"kind":"Namespace","verbs":["create","get","list","patch"]}]}""",
        ["/apis/rbac.authorization.k8s.io/v1"] = """{"kind":"APIResourceList","apiVersion":"v1","groupVersion":"rbac.authorization.k8s.io/v1","resources":[{"name":"clusterrolebindings","singularName":"clusterrolebinding","namespaced":false,"kind":"ClusterRoleBinding","verbs":["create","get","list","patch"]},{"name":"rolebindings","singularName":"rolebinding","namespaced":true,"kind":"RoleBinding","verbs":["create","get","list","patch"]}]}""",
    };

    public ManifestKubectlTests()
    {
        var port = FreePort();
        _server = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(_server + "/");
        _listener.Start();
        _ = ServeAsync();
    }

    public void Dispose()
    {
        _listener.Close();
        _directory.Delete(recursive: true);
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            var found = Discovery.TryGetValue(context.Request.Url!.AbsolutePath, out var body);
            var bytes = Encoding.UTF8.GetBytes(found ? body! : """{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}""");
            context.Response.StatusCode = found ? 200 : 404;
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    private ToolResult DryRun(string manifest)
    {
        var file = Path.Combine(_directory.FullName, "manifest.yaml");
        File.WriteAllText(file, manifest);
        // An empty kubeconfig: nothing of this machine's own kubectl configuration takes part.
        File.WriteAllText(Path.Combine(_directory.FullName, "none"), "");
        return Tool.TryRun("kubectl", "apply", "--dry-run=client", "--validate=false", "--kubeconfig", Path.Combine(_directory.FullName, "none"),
            "--server", _server, "-f", file);
    }

    [Fact]
    public void Kubectl_applies_the_rbac_manifest_of_the_first_control_plane()
    {
        var (runcmd, files) = Parse(UserDataOf("control-plane-init"));
        runcmd.Should().Contain(c => c.Contains("apply -f " + UserData.RbacManifestPath, StringComparison.Ordinal));
        var result = DryRun(files[UserData.RbacManifestPath]);
        result.ExitCode.Should().Be(0, result.StandardOutput + result.StandardError);
        result.StandardOutput.Should().Contain("namespace/team-a created (dry run)")
            .And.Contain("clusterrolebinding.rbac.authorization.k8s.io/palette-settings-0 created (dry run)")
            .And.Contain("rolebinding.rbac.authorization.k8s.io/palette-settings-1 created (dry run)");
    }

    [Fact]
    public void Kubectl_refuses_a_broken_manifest_so_that_its_acceptance_above_means_something()
    {
        var (_, files) = Parse(UserDataOf("control-plane-init"));
        DryRun(files[UserData.RbacManifestPath].Replace("kind: RoleBinding", "kind: RoleBindin", StringComparison.Ordinal)).ExitCode.Should().NotBe(0);
        DryRun(files[UserData.RbacManifestPath].Replace("rbac.authorization.k8s.io/v1", "rbac.authorization.k8s.io/v9", StringComparison.Ordinal)).ExitCode.Should().NotBe(0);
    }
}
