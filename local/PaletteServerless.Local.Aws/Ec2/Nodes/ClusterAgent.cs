using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.Iam;
using PaletteServerless.Local.Aws.Ssm;
using YamlDotNet.RepresentationModel;
using static PaletteServerless.Local.Aws.Ec2.UserDataDocument;

namespace PaletteServerless.Local.Aws.Ec2;

/// <summary>
/// An agent a node's user data installs: a script run by an enabled systemd timer that reads one SSM parameter
/// (its name from the environment file) and reports by tagging its own instance. Everything is learned from the
/// user data: the script (by what it calls), the timer's interval, the parameter, the two tag keys, whether the
/// parameter is gzip+base64 (<c>base64 -d | gunzip</c>) and whether only the control plane whose node name sorts
/// first acts (<c>sort | head -n 1</c> compared with the node's name).
/// </summary>
/// <param name="RunsKubeBench">The script runs the document's scans as kube-bench Jobs and uploads their output (<c>aws s3 cp</c>).</param>
/// <param name="CreatesVeleroObjects">The script creates Velero Backup and Restore objects (<c>velero.io/v1</c>) from the document's operations.</param>
public sealed record AgentBoot(string Script, string Parameter, string GenerationTag, string MessageTag, TimeSpan FirstRun, TimeSpan Interval, bool Compressed, bool LowestNameLeads,
    bool CreatesVeleroObjects = false, bool RunsKubeBench = false)
{
    /// <summary>The agent of a user data, or null when it installs none (or none cloud-init would start).</summary>
    public static AgentBoot? Read(UserDataDocument document, IReadOnlyDictionary<string, string> environment)
    {
        foreach (var (timerPath, timer) in document.Files.Where(f => f.Key.StartsWith("/etc/systemd/system/", StringComparison.Ordinal) && f.Key.EndsWith(".timer", StringComparison.Ordinal)))
        {
            var unit = timerPath[(timerPath.LastIndexOf('/') + 1)..];
            if (!document.Runcmd.Any(l => Regex.IsMatch(l, @"systemctl enable --now (?:\S+ )*" + Regex.Escape(unit) + @"(\s|$)")))
                continue;
            var service = document.Files.GetValueOrDefault(timerPath[..^".timer".Length] + ".service") ?? "";
            var exec = Regex.Match(service, @"^ExecStart=(\S+)", RegexOptions.Multiline);
            if (!exec.Success || document.Files.GetValueOrDefault(exec.Groups[1].Value) is not { } content || !content.StartsWith("#!", StringComparison.Ordinal)
                || OsPatchAgentBoot.IsPatchAgent(content))
                continue;
            var script = Expand(content, environment);
            var parameter = Regex.Match(script, @"ssm get-parameter [^\n]*--name ""?([^""\s]+)""?");
            var tags = Regex.Matches(script, @"ec2 create-tags [^\n]*").SelectMany(m => Regex.Matches(m.Value, @"Key=([^,""'\s]+),Value=")).Select(m => m.Groups[1].Value).Distinct().ToList();
            if (!parameter.Success || tags.Count < 2)
                continue;
            return new AgentBoot(exec.Groups[1].Value, parameter.Groups[1].Value, tags[0], tags[1],
                Seconds(timer, "OnActiveSec") ?? TimeSpan.Zero, Seconds(timer, "OnUnitActiveSec") ?? TimeSpan.FromMinutes(1),
                Regex.IsMatch(script, @"base64 -d \| gunzip"), Regex.IsMatch(script, @"\| sort \| head -n 1"),
                script.Contains("velero.io/v1", StringComparison.Ordinal) && Regex.IsMatch(script, @"kubectl create -f -"),
                Regex.IsMatch(script, @"""kube-bench"", ""run""") && Regex.IsMatch(script, @"aws s3 cp "));
        }
        return null;
    }

    private static TimeSpan? Seconds(string unit, string key) =>
        Regex.Match(unit, "^" + key + @"=(\d+)(s|min)?\s*$", RegexOptions.Multiline) is { Success: true } m
            ? m.Groups[2].Value == "min" ? TimeSpan.FromMinutes(int.Parse(m.Groups[1].Value)) : TimeSpan.FromSeconds(int.Parse(m.Groups[1].Value))
            : null;
}

/// <summary>What a node's agent has done: when it started, when it runs next, the generation it applied, and the report it is making.</summary>
public sealed class AgentState
{
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset NextRunAt { get; set; }
    public string? AppliedGeneration { get; set; }
    /// <summary>The packs it installed (by name), as the last generation it applied had them.</summary>
    public List<string> Installed { get; set; } = [];
    /// <summary>The on-demand operations (Velero Backups and Restores, by name) it created, each once.</summary>
    public List<string> Operations { get; set; } = [];
    /// <summary>The report of the apply under way (lost with a restart of the local stack: the next run applies again, as after a reboot).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public (string Generation, string Message, DateTimeOffset At, bool Applied, List<string> Packs)? Pending { get; set; }
}

/// <summary>
/// The in-cluster agent a control plane runs, modelled from what its script does: at each timer run, if it is the
/// node that acts, it reads the parameter with the instance's credentials (refused or missing: the run fails
/// silently, as the script would under <c>set -e</c>), and when the document's generation is not the one it applied,
/// "applies" it as helm and kubectl would judge it: a chart needs its repository, name, version and namespace and
/// values that are a YAML mapping; a manifest needs an https URL, Calico's pool modes must be ones Calico runs; the
/// RBAC manifest's documents need apiVersion, kind and metadata.name. The first refusal is reported with the pack
/// and the tool's error; else the generation is reported applied. Applying takes the modelled PacksApplied time.
/// </summary>
public static class ClusterAgent
{
    public static void Advance(AwsWorld world, Instance instance, DateTimeOffset now, LatencyModel latency, NodeCredentials? credentials)
    {
        var state = instance.Agent!.ClusterAgent!;
        var interval = latency.Scale(instance.Agent.Boot!.Agent!.Interval);
        // Run by run, as the timer fires: a run that finds nothing new stands for every idle run up to now.
        for (var guard = 0; guard < 1000; guard++)
        {
            if (state.Pending is { } pending)
            {
                if (pending.At > now || !Deliver(instance, state, pending, credentials))
                    return;
                continue;
            }
            if (state.NextRunAt > now)
                return;
            var runAt = state.NextRunAt;
            state.NextRunAt = runAt + interval;
            if (!Run(world, instance, state, runAt, latency, credentials, out var retry))
            {
                if (retry)
                {
                    state.NextRunAt = runAt; // IAM has not answered yet: the same run, at the next step
                    return;
                }
                var idle = (long)Math.Floor((now - state.NextRunAt) / interval);
                if (idle > 0)
                    state.NextRunAt += interval * idle;
            }
        }
    }

    /// <summary>The agent's report of the apply under way; false while IAM has not answered it.</summary>
    private static bool Deliver(Instance instance, AgentState state, (string Generation, string Message, DateTimeOffset At, bool Applied, List<string> Packs) pending, NodeCredentials? credentials)
    {
        var answer = Report(instance, instance.Agent!.Boot!.Agent!, pending.Generation, pending.Message, credentials);
        if (answer == NodeCallAnswer.Pending)
            return false;
        state.Pending = null;
        // A refused report fails the script before it records the generation: the next run applies it again.
        if (pending.Applied && answer == NodeCallAnswer.Allowed)
        {
            state.AppliedGeneration = pending.Generation;
            state.Installed = pending.Packs;
        }
        return true;
    }

    /// <summary>One run of the agent's script at <paramref name="runAt"/>: true when it started applying a new generation.</summary>
    private static bool Run(AwsWorld world, Instance instance, AgentState state, DateTimeOffset runAt, LatencyModel latency, NodeCredentials? credentials, out bool retry)
    {
        retry = false;
        var boot = instance.Agent!.Boot!.Agent!;
        if (boot.LowestNameLeads && !Leads(world, instance, runAt))
            return false;
        if (world.All<SsmParameter>().FirstOrDefault(p => p.Name == boot.Parameter) is not { } parameter)
            return false;
        var read = credentials?.Answer(instance, credentials.ParameterRead(parameter), out _) ?? NodeCallAnswer.Allowed;
        retry = read == NodeCallAnswer.Pending;
        if (read != NodeCallAnswer.Allowed || Document(parameter.Current.Value, boot.Compressed) is not { } document)
            return false;
        // What the installed charts do with the document's operations (Velero's backups and restores), whatever the generation.
        if ((boot.CreatesVeleroObjects && VeleroModel.Operate(world, instance, state, document, runAt, credentials))
            || (boot.RunsKubeBench && KubeBenchModel.Operate(world, instance, state, document, runAt, credentials)))
        {
            retry = true;
            return false;
        }
        var generation = document["generation"]?.ToString() ?? "";
        if (generation == state.AppliedGeneration)
            return false;
        var packs = document["packs"] as JsonArray ?? [];
        var failure = (document["schema"]?.GetValue<int>() ?? 1) > 1 ? "the desired state's schema is newer than this agent's"
            : packs.Select(p => Judge(p as JsonObject)).FirstOrDefault(f => f is not null)
            ?? RbacProblem(document["rbac"]?["manifest"]?.ToString());
        state.Pending = (generation, failure is null ? "applied" : "failed: " + failure, runAt + latency.Of(LatencyModel.PacksApplied), failure is null,
            [.. packs.Select(p => p?["name"]?.ToString() ?? "")]);
        return true;
    }

    /// <summary>Whether this control plane's node name sorts first among the cluster's control planes that had joined by <paramref name="at"/> and run.</summary>
    internal static bool Leads(AwsWorld world, Instance instance, DateTimeOffset at)
    {
        var endpoint = instance.Agent!.ApiEndpoint;
        var names = world.All<Instance>()
            .Where(i => i.Agent is { Role: NodeAgent.Init or NodeAgent.JoinControlPlane, Boot: not null, JoinedAt: { } joined } a
                && a.ApiEndpoint == endpoint && joined <= at && a.Phase is not NodeAgent.Failed && i.StateAt(at) == "running")
            .Select(i => i.Agent!.Boot!.NodeName).Order(StringComparer.Ordinal).ToList();
        return names.Count > 0 && names[0] == instance.Agent.Boot!.NodeName;
    }

    private static JsonObject? Document(string value, bool compressed)
    {
        try
        {
            return JsonNode.Parse(compressed ? Text(value) : value) as JsonObject;
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>Why helm or kubectl would refuse a pack, named as the agent reports it (<c>NAME-VERSION: error</c>), or null.</summary>
    private static string? Judge(JsonObject? pack)
    {
        string? Field(string name) => pack?[name]?.ToString() is { Length: > 0 } v ? v : null;
        var name = $"{Field("name") ?? "unnamed"}-{Field("version") ?? ""}";
        switch (Field("kind"))
        {
            case "helm":
                if (Field("chart") is null || Field("chartVersion") is null || Field("namespace") is null)
                    return $"{name}: Error: INSTALLATION FAILED: a chart, its version and a namespace are required";
                if (Field("repository") is not { } repo || !repo.StartsWith("https://", StringComparison.Ordinal))
                    return $"{name}: Error: looks like \"{Field("repository")}\" is not a valid chart repository or cannot be reached";
                return ValuesProblem(Field("values")) is { } values ? $"{name}: {values}" : null;
            case "manifest":
                if (Field("url") is not { } url || !url.StartsWith("https://", StringComparison.Ordinal))
                    return $"{name}: error: the path \"{Field("url")}\" does not exist";
                if (pack!["calico"] is JsonObject calico
                    && $"{calico["ipip"]}/{calico["vxlan"]}" is not ("Always/Never" or "CrossSubnet/Never" or "Never/Always" or "Never/CrossSubnet" or "Never/Never"))
                    return $"{name}: CALICO_IPV4POOL_IPIP {calico["ipip"]} with CALICO_IPV4POOL_VXLAN {calico["vxlan"]} is not a pool Calico runs";
                return null;
            default:
                return $"{name}: no install is known for this pack";
        }
    }

    /// <summary>Helm reads a values file as one YAML mapping (or nothing).</summary>
    private static string? ValuesProblem(string? values)
    {
        if (string.IsNullOrWhiteSpace(values))
            return null;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(values));
            return stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlMappingNode ? null
                : "Error: failed to parse values.yaml: error unmarshaling JSON: json: cannot unmarshal into Go value of type map[string]interface {}";
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            return $"Error: failed to parse values.yaml: error converting YAML to JSON: yaml: line {ex.Start.Line}: {ex.Message}";
        }
    }

    /// <summary>kubectl apply validates each object of the manifest: apiVersion, kind and metadata.name.</summary>
    private static string? RbacProblem(string? manifest)
    {
        if (manifest is null)
            return "rbac-bindings: error: no objects passed to apply";
        var documents = Documents(manifest);
        if (documents.Count == 0)
            return "rbac-bindings: error: no objects passed to apply";
        foreach (var document in documents)
        {
            if (Scalar(document, "apiVersion") is null || Scalar(document, "kind") is null || Child(document, "metadata") is not YamlMappingNode metadata || Scalar(metadata, "name") is null)
                return "rbac-bindings: error: error validating data: apiVersion, kind or metadata.name not set";
        }
        return null;
    }

    /// <summary>The agent's report: CreateTags on its own instance with its two keys, as IAM judges it.</summary>
    private static NodeCallAnswer Report(Instance instance, AgentBoot boot, string generation, string message, NodeCredentials? credentials)
    {
        var context = AuthorizationContext.Empty().WithResourceTags(instance.Tags, "ec2").With("aws:TagKeys", [boot.GenerationTag, boot.MessageTag]);
        context["aws:RequestTag/" + boot.GenerationTag] = [generation];
        context["aws:RequestTag/" + boot.MessageTag] = [message];
        var answer = credentials?.Answer(instance, [AuthorizationCheck.Of("ec2:CreateTags", instance.Arn, context)], out _) ?? NodeCallAnswer.Allowed;
        if (answer != NodeCallAnswer.Allowed)
            return answer;
        // As the script makes it: one line of the characters EC2 takes, at most 256.
        instance.Tags[boot.GenerationTag] = generation;
        var clean = Regex.Replace(message, @"[^A-Za-z0-9 +=._:/@-]", " ");
        instance.Tags[boot.MessageTag] = clean.Length <= 256 ? clean : clean[..256];
        return answer;
    }
}
