using System.Text.Json.Nodes;
using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.Ec2;

// The aws.ec2 events of the EC2 user guide: "EC2 Instance State-change Notification" for every
// state an instance enters, whatever made it change, and "EC2 Spot Instance Interruption Warning"
// two minutes before EC2 reclaims a spot instance.
public sealed partial class Ec2Service : ITicks
{
    public const string EventSource = "aws.ec2";
    public const string StateChangeDetailType = "EC2 Instance State-change Notification";
    public const string SpotInterruptionDetailType = "EC2 Spot Instance Interruption Warning";

    // When the fault profile's per-minute rates were last drawn; rates count whole modelled minutes.
    private DateTimeOffset? _faultsDrawnUntil;

    /// <summary>
    /// Announces the states instances have reached by time, then draws the fault profile's spot
    /// interruptions and impairments for each modelled minute that has passed.
    /// </summary>
    public void Tick(LocalAws aws, DateTimeOffset now)
    {
        foreach (var world in aws.Store.Worlds)
        {
            foreach (var instance in world.All<Instance>().OrderBy(i => i.Sequence))
                AnnounceDueStates(aws, instance, now);
            // Nodes boot, read their secrets and report on their own, whether or not anyone is calling EC2.
            NodeAgent.Advance(world, now, aws.Latency, aws.Faults, new NodeCredentials(aws, world));
        }
        DrawInstanceFaults(aws, now);
    }

    /// <summary>Sends a state-change event for each scheduled transition of <paramref name="instance"/> that is due and not yet announced.</summary>
    internal static void AnnounceDueStates(LocalAws aws, Instance instance, DateTimeOffset now)
    {
        while (instance.AnnouncedTransitions < instance.Transitions.Count && instance.Transitions[instance.AnnouncedTransitions].At <= now)
        {
            var transition = instance.Transitions[instance.AnnouncedTransitions];
            instance.AnnouncedTransitions++;
            AnnounceState(aws, instance, transition.State, transition.At);
        }
    }

    /// <summary>
    /// Puts <paramref name="instance"/> in <paramref name="state"/> now (with the states it reaches
    /// later), announcing what time had already decided first, then the new state.
    /// </summary>
    internal static void ChangeInstanceState(LocalAws aws, Instance instance, string state, DateTimeOffset now, params StateTransition[] later)
    {
        AnnounceDueStates(aws, instance, now);
        instance.SetState(state, now, later);
        instance.AnnouncedTransitions = 0;
        AnnounceState(aws, instance, state, now);
    }

    private static void AnnounceState(LocalAws aws, Instance instance, string state, DateTimeOffset at) =>
        aws.PutServiceEvent(new ServiceEvent(instance.Account, instance.Region, EventSource, StateChangeDetailType, [instance.Arn],
            new JsonObject { ["instance-id"] = instance.Id, ["state"] = state }, at));

    /// <summary>
    /// Interrupts a running spot instance: the warning now, and termination (shutting-down, then
    /// terminated) when the two-minute notice ends.
    /// </summary>
    internal static void InterruptSpotInstance(LocalAws aws, Instance instance, DateTimeOffset now)
    {
        AnnounceDueStates(aws, instance, now);
        var terminatesAt = now + aws.Latency.Of(LatencyModel.SpotInterruptionNotice);
        instance.InterruptedAt = now;
        // The running instance's own transitions are all past, so these come after them in time.
        instance.Transitions.Add(new StateTransition(terminatesAt, "shutting-down"));
        instance.Transitions.Add(new StateTransition(terminatesAt + aws.Latency.Of(LatencyModel.InstanceTerminated), "terminated"));
        aws.PutServiceEvent(new ServiceEvent(instance.Account, instance.Region, EventSource, SpotInterruptionDetailType, [instance.Arn],
            new JsonObject { ["instance-id"] = instance.Id, ["instance-action"] = "terminate" }, now));
    }

    private void DrawInstanceFaults(LocalAws aws, DateTimeOffset now)
    {
        var profile = aws.Faults.Profile;
        if (profile.SpotInterruptionRate <= 0 && profile.InstanceImpairmentRate <= 0)
            return;
        var minute = aws.Latency.Scale(TimeSpan.FromMinutes(1));
        _faultsDrawnUntil ??= now;
        while (now - _faultsDrawnUntil.Value >= minute && minute > TimeSpan.Zero)
        {
            _faultsDrawnUntil += minute;
            foreach (var world in aws.Store.Worlds.OrderBy(w => w.Account, StringComparer.Ordinal).ThenBy(w => w.Region, StringComparer.Ordinal))
            {
                foreach (var instance in world.All<Instance>().Where(i => IsRunningUninterrupted(i, now)).OrderBy(i => i.Sequence).ToList())
                {
                    if (instance.IsSpot && aws.Faults.Chance(profile.SpotInterruptionRate))
                        InterruptSpotInstance(aws, instance, now);
                    if (instance.SystemStatusImpairedSince is null && aws.Faults.Chance(profile.InstanceImpairmentRate))
                        instance.SystemStatusImpairedSince = now;
                }
            }
        }
    }

    private static bool IsRunningUninterrupted(Instance instance, DateTimeOffset now) =>
        instance.StateAt(now) == "running" && instance.InterruptedAt is null;
}
