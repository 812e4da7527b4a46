using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.Iam;
using PaletteServerless.Local.Aws.Ssm;
using static PaletteServerless.Local.Aws.Ec2.UserDataDocument;

namespace PaletteServerless.Local.Aws.Ec2;

/// <summary>
/// The security updates Ubuntu publishes, as the node model sees them: one update every <see cref="Period"/> of
/// modelled time (counted from the Unix epoch, so every node of the stack sees the same ones), every fourth (the one
/// at 00:00 UTC) a kernel update that needs a reboot (<c>/var/run/reboot-required</c>). An image carries every update
/// published up to <see cref="ImageAge"/> before the node launched (Canonical republishes its images every few weeks).
/// </summary>
public static class SecurityUpdates
{
    public static readonly TimeSpan Period = TimeSpan.FromHours(6);
    public static readonly TimeSpan ImageAge = TimeSpan.FromDays(30);

    private static long Index(DateTimeOffset at, TimeSpan period) => (at - DateTimeOffset.UnixEpoch).Ticks / period.Ticks;

    /// <summary>The publication time of the newest update published by <paramref name="at"/>.</summary>
    public static DateTimeOffset LatestBy(DateTimeOffset at, LatencyModel latency)
    {
        var period = Scaled(latency);
        return DateTimeOffset.UnixEpoch + TimeSpan.FromTicks(Index(at, period) * period.Ticks);
    }

    /// <summary>How many updates were published after <paramref name="after"/> up to <paramref name="upTo"/>, and whether one needs a reboot.</summary>
    public static (long Count, bool Reboot) Between(DateTimeOffset after, DateTimeOffset upTo, LatencyModel latency)
    {
        var period = Scaled(latency);
        var first = Index(after, period) + 1;
        var last = Index(upTo, period);
        if (last < first)
            return (0, false);
        var count = last - first + 1;
        var reboot = count >= 4 || Enumerable.Range(0, (int)count).Any(i => (first + i) % 4 == 0);
        return (count, reboot);
    }

    /// <summary>What a node's image carries when it launched at <paramref name="launchedAt"/>.</summary>
    public static DateTimeOffset InImage(DateTimeOffset launchedAt, LatencyModel latency) => LatestBy(launchedAt - latency.Scale(ImageAge), latency);

    private static TimeSpan Scaled(LatencyModel latency) => latency.Scale(Period) is { Ticks: > 0 } p ? p : TimeSpan.FromTicks(1);
}

/// <summary>
/// A node's OS patch agent as its user data installs it: an enabled systemd timer whose script reads one SSM parameter
/// (the patch request), runs <c>unattended-upgrade</c> when the request lists its instance for a run it has not
/// applied, and reports by tagging its own instance with two keys (the run's outcome, the patch level). Learned from
/// the user data: the parameter, the keys, the timer's interval, whether it reboots when a reboot is required and
/// whether it drains first.
/// </summary>
public sealed record OsPatchAgentBoot(string Parameter, string ReportTag, string LevelTag, TimeSpan FirstRun, TimeSpan Interval, bool Reboots, bool Drains)
{
    public static OsPatchAgentBoot? Read(UserDataDocument document, IReadOnlyDictionary<string, string> environment)
    {
        foreach (var (timerPath, timer) in document.Files.Where(f => f.Key.StartsWith("/etc/systemd/system/", StringComparison.Ordinal) && f.Key.EndsWith(".timer", StringComparison.Ordinal)))
        {
            var unit = timerPath[(timerPath.LastIndexOf('/') + 1)..];
            if (!document.Runcmd.Any(l => Regex.IsMatch(l, @"systemctl enable --now (?:\S+ )*" + Regex.Escape(unit) + @"(\s|$)")))
                continue;
            var service = document.Files.GetValueOrDefault(timerPath[..^".timer".Length] + ".service") ?? "";
            var exec = Regex.Match(service, @"^ExecStart=(\S+)", RegexOptions.Multiline);
            if (!exec.Success || document.Files.GetValueOrDefault(exec.Groups[1].Value) is not { } content || !IsPatchAgent(content))
                continue;
            var script = Expand(content, environment);
            var parameter = Regex.Match(script, @"ssm get-parameter [^\n]*--name ""?([^""\s]+)""?");
            var tags = Regex.Matches(script, @"ec2 create-tags [^\n]*").SelectMany(m => Regex.Matches(m.Value, @"Key=([^,""'\s]+),Value=")).Select(m => m.Groups[1].Value).Distinct().ToList();
            if (!parameter.Success || tags.Count < 2)
                continue;
            return new OsPatchAgentBoot(parameter.Groups[1].Value, tags[0], tags[1], Seconds(timer, "OnBootSec") ?? TimeSpan.Zero, Seconds(timer, "OnUnitActiveSec") ?? TimeSpan.FromMinutes(1),
                script.Contains("/var/run/reboot-required", StringComparison.Ordinal) && script.Contains("systemctl reboot", StringComparison.Ordinal),
                Regex.IsMatch(script, @"kubectl [^\n]*\bdrain\b"));
        }
        return null;
    }

    /// <summary>A script that applies Ubuntu's security updates: not an agent of anything else.</summary>
    public static bool IsPatchAgent(string script) => Regex.IsMatch(script, @"\bunattended-upgrade\b");

    private static TimeSpan? Seconds(string unit, string key) =>
        Regex.Match(unit, "^" + key + @"=(\d+)(s|min)?\s*$", RegexOptions.Multiline) is { Success: true } m
            ? m.Groups[2].Value == "min" ? TimeSpan.FromMinutes(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)) : TimeSpan.FromSeconds(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))
            : null;
}

/// <summary>A node's packages and its patch agent: what it has applied, whether a reboot is pending, and the report it is making.</summary>
public sealed class OsPatchNodeState
{
    /// <summary>The publication time of the newest security update installed.</summary>
    public DateTimeOffset PatchedThrough { get; set; }
    /// <summary>An installed update needs a reboot the node has not had.</summary>
    public bool RebootRequired { get; set; }
    /// <summary>When the node last applied every security update (<c>date -u +%Y-%m-%dT%H:%MZ</c>), or null when it never has.</summary>
    public string? Level { get; set; }
    public DateTimeOffset? NextRunAt { get; set; }
    public string? AppliedRun { get; set; }
    public string? PendingRun { get; set; }
    public string? PendingMessage { get; set; }
    public DateTimeOffset? PendingAt { get; set; }
}

/// <summary>
/// The OS patch model of a node: its packages (<see cref="SecurityUpdates"/>), applied at boot when its runcmd runs
/// <c>unattended-upgrade</c> before kubeadm (which takes <see cref="LatencyModel"/>'s OsPatchOnBoot longer), and its
/// patch agent (<see cref="OsPatchAgentBoot"/>) run by its timer: it reads the request with the instance's credentials
/// (refused or missing: the run does nothing, as the script's <c>|| exit 0</c>), and when its instance is listed for a
/// new run applies what was published since its last patch (OsPatchApply), drains and reboots when an update needs it
/// (OsPatchReboot), then reports <c>RUN patched N security updates[ and rebooted]</c> and its level.
/// </summary>
public static class OsPatchModel
{
    public const string OsPatchOnBoot = "OsPatchOnBoot";
    public const string OsPatchApply = "OsPatchApply";
    public const string OsPatchReboot = "OsPatchReboot";

    /// <summary>Modelled durations: unattended-upgrade at boot, in a run, and a drain with a reboot until the kubelet is Ready again.</summary>
    public static readonly IReadOnlyDictionary<string, TimeSpan> Latencies = new Dictionary<string, TimeSpan>
    {
        [OsPatchOnBoot] = TimeSpan.FromSeconds(60),
        [OsPatchApply] = TimeSpan.FromSeconds(90),
        [OsPatchReboot] = TimeSpan.FromSeconds(120),
    };

    public static TimeSpan Of(LatencyModel latency, string name) => latency.Of(name, Latencies[name]);

    /// <summary>The node's packages at boot: its image's, or (patching at boot) every update published by then.</summary>
    public static OsPatchNodeState AtBoot(NodeBoot boot, DateTimeOffset launchedAt, DateTimeOffset patchedAt, LatencyModel latency)
    {
        var image = SecurityUpdates.InImage(launchedAt, latency);
        if (!boot.PatchesOnBoot)
            return new OsPatchNodeState { PatchedThrough = image };
        return new OsPatchNodeState
        {
            PatchedThrough = SecurityUpdates.LatestBy(patchedAt, latency),
            // Installed at boot, live only after a reboot the boot does not make.
            RebootRequired = SecurityUpdates.Between(image, patchedAt, latency).Reboot,
            Level = Level(patchedAt),
        };
    }

    /// <summary>The timer is enabled (the node's last runcmd line ran).</summary>
    public static void Start(NodeAgentState agent, DateTimeOffset at, LatencyModel latency)
    {
        if (agent.Boot?.PatchAgent is not { } boot || agent.OsPatch is not { } state || state.NextRunAt is not null)
            return;
        state.NextRunAt = at + latency.Scale(boot.FirstRun);
    }

    public static void Advance(AwsWorld world, Instance instance, DateTimeOffset now, LatencyModel latency, NodeCredentials? credentials)
    {
        var agent = instance.Agent!;
        if (agent.Boot?.PatchAgent is not { } boot || agent.OsPatch is not { NextRunAt: not null } state)
            return;
        var interval = latency.Scale(boot.Interval) is { Ticks: > 0 } i ? i : TimeSpan.FromSeconds(1);
        for (var guard = 0; guard < 1000; guard++)
        {
            if (state.PendingRun is { } run)
            {
                if (state.PendingAt > now)
                    return;
                var answer = Report(instance, boot, $"{run} {state.PendingMessage}", state.Level ?? "none", credentials);
                if (answer == NodeCallAnswer.Pending)
                    return;
                state.PendingRun = null;
                continue;
            }
            if (state.NextRunAt > now)
                return;
            var runAt = state.NextRunAt!.Value;
            state.NextRunAt = runAt + interval;
            if (!Run(world, instance, boot, state, runAt, latency, credentials, out var retry))
            {
                if (retry)
                {
                    state.NextRunAt = runAt;
                    return;
                }
                var idle = (now - state.NextRunAt.Value).Ticks / interval.Ticks;
                if (idle > 0)
                    state.NextRunAt += TimeSpan.FromTicks(interval.Ticks * idle);
            }
        }
    }

    private static bool Run(AwsWorld world, Instance instance, OsPatchAgentBoot boot, OsPatchNodeState state, DateTimeOffset runAt, LatencyModel latency, NodeCredentials? credentials, out bool retry)
    {
        retry = false;
        if (world.All<SsmParameter>().FirstOrDefault(p => p.Name == boot.Parameter) is not { } parameter)
            return false;
        var read = credentials?.Answer(instance, credentials.ParameterRead(parameter), out _) ?? NodeCallAnswer.Allowed;
        retry = read == NodeCallAnswer.Pending;
        if (read != NodeCallAnswer.Allowed)
            return false;
        JsonObject? request;
        try
        {
            request = JsonNode.Parse(parameter.Current.Value) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
        var run = request?["run"]?.ToString();
        var listed = (request?["instances"] as JsonArray ?? []).Any(i => i?.ToString() == instance.Id);
        if (run is null || !listed || run == state.AppliedRun)
            return false;
        state.AppliedRun = run;
        var (count, needsReboot) = SecurityUpdates.Between(state.PatchedThrough, runAt, latency);
        var reboot = boot.Reboots && (state.RebootRequired || needsReboot);
        state.PatchedThrough = SecurityUpdates.LatestBy(runAt, latency);
        state.RebootRequired = !reboot && (state.RebootRequired || needsReboot);
        state.Level = Level(runAt);
        state.PendingRun = run;
        state.PendingMessage = $"patched {count} security updates" + (reboot ? " and rebooted" : "");
        state.PendingAt = runAt + Of(latency, OsPatchApply) + (reboot ? Of(latency, OsPatchReboot) : TimeSpan.Zero);
        return true;
    }

    private static string Level(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture);

    /// <summary>The agent's report: CreateTags on its own instance with its two keys, as IAM judges it.</summary>
    private static NodeCallAnswer Report(Instance instance, OsPatchAgentBoot boot, string outcome, string level, NodeCredentials? credentials)
    {
        var context = AuthorizationContext.Empty().WithResourceTags(instance.Tags, "ec2").With("aws:TagKeys", [boot.ReportTag, boot.LevelTag]);
        context["aws:RequestTag/" + boot.ReportTag] = [outcome];
        context["aws:RequestTag/" + boot.LevelTag] = [level];
        var answer = credentials?.Answer(instance, [AuthorizationCheck.Of("ec2:CreateTags", instance.Arn, context)], out _) ?? NodeCallAnswer.Allowed;
        if (answer != NodeCallAnswer.Allowed)
            return answer;
        var clean = Regex.Replace(outcome, @"[^A-Za-z0-9 +=._:/@-]", " ");
        instance.Tags[boot.ReportTag] = clean.Length <= 256 ? clean : clean[..256];
        instance.Tags[boot.LevelTag] = level;
        return answer;
    }
}
