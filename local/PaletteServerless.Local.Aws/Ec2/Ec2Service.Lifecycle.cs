using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.Ec2;

// The calls that move an instance through EC2's instance life cycle after launch.
public sealed partial class Ec2Service
{
    // The messages of the state reason codes of the EC2 API Reference (StateReason).
    private static string StateReasonMessage(string code) => code switch
    {
        "Server.SpotInstanceTermination" => "Spot instance termination",
        "Client.InstanceInitiatedShutdown" => "Instance initiated shutdown",
        _ => "User initiated shutdown",
    };

    /// <summary>Begins terminating an instance that is not shutting down already, as TerminateInstances does.</summary>
    internal static void Terminate(LocalAws aws, Instance instance, DateTimeOffset now)
    {
        instance.StateReasonCode = "Client.UserInitiatedShutdown";
        ChangeInstanceState(aws, instance, "shutting-down", now, new StateTransition(now + aws.Latency.Of(LatencyModel.InstanceTerminated), "terminated"));
    }

    private static LocalAwsResponse TerminateInstances(Ec2Request r)
    {
        var ids = r.P.List("InstanceId");
        if (ids.Count == 0)
            throw new AwsErrorException("MissingParameter", "The request must contain the parameter InstanceId");
        var instances = ids.Select(id => r.World.Find<Instance>(id) is { } i && !r.IsStillPropagating(i) ? i : throw Ec2Request.NotFound("InvalidInstanceID.NotFound", "instance", id)).ToList();
        if (instances.FirstOrDefault(i => i.DisableApiTermination && i.IsLiveAt(r.Now)) is { } protectedInstance)
        {
            throw new AwsErrorException("OperationNotPermitted",
                $"The instance '{protectedInstance.Id}' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.");
        }
        var changes = new List<(string Id, string Previous, string Current)>();
        foreach (var instance in instances)
        {
            var previous = instance.StateAt(r.Now);
            if (previous is "pending" or "running" or "stopping" or "stopped")
            {
                Terminate(r.Aws, instance, r.Now);
            }
            changes.Add((instance.Id, previous, instance.StateAt(r.Now)));
        }
        return r.Respond(x => x.List("instancesSet", changes, (x, c) => x
            .Element("instanceId", c.Id)
            .Call(Ec2Xml.InstanceState, ("currentState", c.Current))
            .Call(Ec2Xml.InstanceState, ("previousState", c.Previous))));
    }
}
