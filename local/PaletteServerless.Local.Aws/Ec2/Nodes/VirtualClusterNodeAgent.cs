using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.Ssm;
using static PaletteServerless.Local.Aws.Ec2.UserDataDocument;

namespace PaletteServerless.Local.Aws.Ec2;

/// <summary>
/// A virtual-cluster agent a control plane's user data installs, as learned from it: an enabled timer whose script
/// reads one parameter (<c>ssm get-parameter --name</c>, its name from the environment file), installs Helm releases
/// (<c>helm upgrade --install</c>) and reports with <c>ssm put-parameter --overwrite</c> of a SecureString under a KMS
/// key it names; whether only the control plane whose node name sorts first acts.
/// </summary>
public sealed record VirtualClusterAgentBoot(string Parameter, string KeyId, TimeSpan FirstRun, TimeSpan Interval, bool LowestNameLeads)
{
    public static VirtualClusterAgentBoot? Read(UserDataDocument document, IReadOnlyDictionary<string, string> environment)
    {
        foreach (var (timerPath, timer) in document.Files.Where(f => f.Key.StartsWith("/etc/systemd/system/", StringComparison.Ordinal) && f.Key.EndsWith(".timer", StringComparison.Ordinal)))
        {
            var unit = timerPath[(timerPath.LastIndexOf('/') + 1)..];
            if (!document.Runcmd.Any(l => Regex.IsMatch(l, @"systemctl enable --now (?:\S+ )*" + Regex.Escape(unit) + @"(\s|$)")))
                continue;
            var service = document.Files.GetValueOrDefault(timerPath[..^".timer".Length] + ".service") ?? "";
            var exec = Regex.Match(service, @"^ExecStart=(\S+)", RegexOptions.Multiline);
            if (!exec.Success || document.Files.GetValueOrDefault(exec.Groups[1].Value) is not { } content || !content.StartsWith("#!", StringComparison.Ordinal))
                continue;
            var script = Expand(content, environment);
            var parameter = Regex.Match(script, @"ssm get-parameter [^\n]*--name ""?([^""\s]+)""?");
            var put = Regex.Match(script, @"ssm put-parameter [^\n]*--type SecureString [^\n]*--key-id '?([^'\s]+)'?[^\n]*--overwrite");
            if (!parameter.Success || !put.Success || !script.Contains("helm upgrade --install", StringComparison.Ordinal))
                continue;
            return new VirtualClusterAgentBoot(parameter.Groups[1].Value, put.Groups[1].Value,
                Seconds(timer, "OnActiveSec") ?? TimeSpan.Zero, Seconds(timer, "OnUnitActiveSec") ?? TimeSpan.FromMinutes(1),
                Regex.IsMatch(script, @"\| sort \| head -n 1"));
        }
        return null;
    }

    private static TimeSpan? Seconds(string unit, string key) =>
        Regex.Match(unit, "^" + key + @"=(\d+)(s|min)?\s*$", RegexOptions.Multiline) is { Success: true } m
            ? m.Groups[2].Value == "min" ? TimeSpan.FromMinutes(int.Parse(m.Groups[1].Value)) : TimeSpan.FromSeconds(int.Parse(m.Groups[1].Value))
            : null;
}

/// <summary>What a node's virtual-cluster agent has done: its timer, the releases it installed (deployed by when) with the kubeconfig vcluster wrote, and what it last reported.</summary>
public sealed class VirtualClusterAgentState
{
    public DateTimeOffset NextRunAt { get; set; }
    public Dictionary<string, DateTimeOffset> DeployedAt { get; set; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> Kubeconfigs { get; set; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> Reported { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// The virtual-cluster agent of a control plane, modelled from what its script does: at each run, if it is the node
/// that acts, it reads the list (refused or missing: nothing), and for each item: <c>absent</c>, the release and its
/// namespace are removed and it reports Deleted; <c>present</c> with the list not enabled, Failed; else helm judges the
/// chart (an https repository, a chart and a version), installs it (deployed after the modelled PacksApplied time; the
/// run waits, as <c>helm --wait</c> does), and vcluster writes its kubeconfig secret (a CA and a client certificate of
/// its own, the server <c>https://localhost:8443</c>), which it reports Running. A report is an overwrite of the
/// item's parameter, as IAM judges the instance's call; only a changed report is written.
/// </summary>
public static class VirtualClusterNodeAgent
{
    public static void Advance(AwsWorld world, Instance instance, DateTimeOffset now, LatencyModel latency, NodeCredentials? credentials)
    {
        var boot = instance.Agent!.Boot!.VirtualClusters!;
        var state = instance.Agent.VirtualClusters!;
        var interval = latency.Scale(boot.Interval);
        if (state.NextRunAt > now)
            return;
        // Runs that found nothing to do since the last one are the same as this one: one run stands for them.
        var runAt = now;
        state.NextRunAt = now + interval;
        if (boot.LowestNameLeads && !ClusterAgent.Leads(world, instance, runAt))
            return;
        if (world.All<SsmParameter>().FirstOrDefault(p => p.Name == boot.Parameter) is not { } parameter)
            return;
        var read = credentials?.Answer(instance, credentials.ParameterRead(parameter), out _) ?? NodeCallAnswer.Allowed;
        if (read == NodeCallAnswer.Pending)
            state.NextRunAt = now;
        if (read != NodeCallAnswer.Allowed || Parse(parameter.Current.Value) is not { } list || (list["schema"]?.GetValue<int>() ?? 1) > 1)
            return;
        var enabled = list["enabled"]?.GetValue<bool>() == true;
        foreach (var item in (list["items"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var name = item["name"]?.ToString() ?? "";
            var report = item["report"]?.ToString() ?? "";
            if (name.Length == 0 || report.Length == 0)
                continue;
            string value;
            if (item["state"]?.ToString() == "absent")
            {
                state.DeployedAt.Remove(name);
                state.Kubeconfigs.Remove(name);
                value = Json(new JsonObject { ["status"] = "Deleted" });
            }
            else if (!enabled)
            {
                value = Json(new JsonObject { ["status"] = "Failed", ["message"] = "settings.virtualClusters.enabled is off" });
            }
            else if (ChartProblem(list["chart"] as JsonObject) is { } problem)
            {
                value = Json(new JsonObject { ["status"] = "Failed", ["message"] = problem });
            }
            else
            {
                if (!state.DeployedAt.TryGetValue(name, out var deployedAt))
                    state.DeployedAt[name] = deployedAt = runAt + latency.Of(LatencyModel.PacksApplied);
                if (deployedAt > now)
                {
                    // helm --wait holds the run until the release is deployed: the next run starts after it.
                    state.NextRunAt = deployedAt;
                    return;
                }
                if (!state.Kubeconfigs.TryGetValue(name, out var kubeconfig))
                    state.Kubeconfigs[name] = kubeconfig = Kubeconfig(name);
                value = Json(new JsonObject { ["status"] = "Running", ["kubeconfig"] = kubeconfig });
            }
            if (state.Reported.GetValueOrDefault(report) == value)
                continue;
            if (Report(world, instance, boot, report, value, now, credentials) == NodeCallAnswer.Allowed)
                state.Reported[report] = value;
        }
    }

    private static NodeCallAnswer Report(AwsWorld world, Instance instance, VirtualClusterAgentBoot boot, string name, string value, DateTimeOffset now, NodeCredentials? credentials)
    {
        var existing = world.All<SsmParameter>().FirstOrDefault(p => p.Name == name);
        var arn = SsmService.ArnOf(world.Account, world.Region, name);
        var answer = credentials?.Answer(instance, [.. SsmService.OverwriteChecks(credentials.Aws, world.Account, world.Region, arn, existing, "SecureString", boot.KeyId)], out _)
            ?? NodeCallAnswer.Allowed;
        // The product creates every report parameter; the role may not create one, so a missing one is refused above.
        if (answer != NodeCallAnswer.Allowed || existing is null)
            return answer == NodeCallAnswer.Allowed ? NodeCallAnswer.Refused : answer;
        return SsmService.Overwrite(existing, world.Account, world.Region, "SecureString", boot.KeyId, value, now) ? NodeCallAnswer.Allowed : NodeCallAnswer.Refused;
    }

    /// <summary>Why helm would refuse the chart, named as the script reports it, or null.</summary>
    private static string? ChartProblem(JsonObject? chart)
    {
        string? Field(string name) => chart?[name]?.ToString() is { Length: > 0 } v ? v : null;
        var release = $"{Field("chart") ?? "chart"}-{Field("version") ?? ""}";
        if (Field("chart") is null || Field("version") is null)
            return $"{release}: Error: INSTALLATION FAILED: a chart and its version are required";
        if (Field("repository") is not { } repository || !repository.StartsWith("https://", StringComparison.Ordinal))
            return $"{release}: Error: looks like \"{Field("repository")}\" is not a valid chart repository or cannot be reached";
        return null;
    }

    private static JsonObject? Parse(string value)
    {
        try
        {
            return JsonNode.Parse(value) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static string Json(JsonObject value) => value.ToJsonString();

    /// <summary>A kubeconfig as vcluster writes to its secret: its own CA, a client certificate it signed for its admin, the server it listens on in its pod.</summary>
    private static string Kubeconfig(string name)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest($"CN=vcluster-{name}-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-5);
        using var ca = caRequest.CreateSelfSigned(notBefore, notBefore.AddYears(10));
        using var clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var clientRequest = new CertificateRequest("CN=kube-admin, O=system:masters", clientKey, HashAlgorithmName.SHA256);
        using var client = clientRequest.Create(ca, notBefore, notBefore.AddYears(1), RandomNumberGenerator.GetBytes(16));
        static string B64(string pem) => Convert.ToBase64String(Encoding.ASCII.GetBytes(pem));
        var context = $"vcluster_{name}";
        return $"""
            apiVersion: v1
            kind: Config
            clusters:
            - cluster:
                certificate-authority-data: {B64(ca.ExportCertificatePem())}
                server: https://localhost:8443
              name: {context}
            contexts:
            - context:
                cluster: {context}
                user: {context}
              name: {context}
            current-context: {context}
            users:
            - name: {context}
              user:
                client-certificate-data: {B64(client.ExportCertificatePem())}
                client-key-data: {B64(clientKey.ExportECPrivateKeyPem())}

            """;
    }
}
