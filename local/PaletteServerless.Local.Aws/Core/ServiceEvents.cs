using System.Text.Json.Nodes;

namespace PaletteServerless.Local.Aws.Core;

/// <summary>
/// An event an AWS service itself sends to the default event bus of the resource's account and
/// region (EC2's <c>aws.ec2</c> state-change notifications, EventBridge's scheduled events).
/// </summary>
public sealed record ServiceEvent(
    string Account, string Region, string Source, string DetailType, IReadOnlyList<string> Resources, JsonObject Detail, DateTimeOffset Time);

/// <summary>The service that takes <see cref="ServiceEvent"/>s: the local EventBridge.</summary>
public interface IServiceEventBus
{
    /// <summary>Puts one event on the default bus; called under <see cref="ResourceStore.Sync"/> so events keep their order.</summary>
    void PutServiceEvent(LocalAws aws, ServiceEvent serviceEvent);
}

/// <summary>
/// A service that acts by itself as time passes (events for states reached by time, scheduled
/// rules, injected interruptions). <see cref="LocalAws.Tick"/> calls it under the store lock.
/// </summary>
public interface ITicks
{
    void Tick(LocalAws aws, DateTimeOffset now);
}

/// <summary>
/// Invokes a function of the local stack asynchronously (Lambda's <c>Event</c> invocation type)
/// with <paramref name="payload"/>, as EventBridge invokes a Lambda target. The host sets it
/// (<see cref="LocalAws.LambdaInvoker"/>), since only the host knows the functions.
/// </summary>
public delegate Task LambdaInvoker(string functionArn, string payload, CancellationToken cancellationToken);
