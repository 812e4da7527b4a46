namespace PaletteServerless.Domain.Provisioning;

/// <summary>What a control plane's in-cluster agent last reported on its instance (<see cref="NodePhases.AgentGenerationTagKey"/>).</summary>
public sealed record AgentReport(string InstanceId, string? Generation, string? Message);

/// <summary>Where the agent is with a generation: applied, failed (with the pack and the error), or not reported yet.</summary>
public sealed record AgentProgress(bool Applied, string? Failure)
{
    public static readonly AgentProgress Pending = new(false, null);

    /// <summary>
    /// The agent's progress with <paramref name="generation"/>, from the reports of the cluster's running control
    /// planes: applied when one reports that generation (or a newer one) applied; failed when one reports that
    /// generation failed (its message names the pack and the tool's error); pending otherwise.
    /// </summary>
    public static AgentProgress Of(long generation, IEnumerable<AgentReport> reports)
    {
        AgentProgress progress = Pending;
        foreach (var report in reports)
        {
            if (!long.TryParse(report.Generation, out var reported) || reported < generation)
                continue;
            if (report.Message == NodePhases.AgentApplied)
                return new AgentProgress(true, null);
            if (reported == generation && report.Message is { } message && message.StartsWith(NodePhases.AgentFailedPrefix, StringComparison.Ordinal))
                progress = new AgentProgress(false, message[NodePhases.AgentFailedPrefix.Length..].Trim());
        }
        return progress;
    }
}
