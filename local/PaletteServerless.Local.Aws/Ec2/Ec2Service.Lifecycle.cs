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
        var instances = ids.Select(id => r.FindVisible<Instance>(id) ?? throw Ec2Request.NotFound("InvalidInstanceID.NotFound", "instance", id)).ToList();
        if (instances.FirstOrDefault(i => i.DisableApiTermination && i.IsLiveAt(r.Now)) is { } protectedInstance)
        {
            throw new AwsErrorException("OperationNotPermitted",
                $"The instance '{protectedInstance.Id}' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.");
        }
        // The resource bucket counts the instances the call terminates.
        r.Aws.TakeResourceTokens(r.World.Account, r.World.Region, "TerminateInstances",
            instances.Count(i => i.StateAt(r.Now) is "pending" or "running" or "stopping" or "stopped"));
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
        return RespondStateChanges(r, changes);
    }

    /// <summary>The EC2 model's InstanceStateChangeList, as Terminate-, Stop- and StartInstances answer it.</summary>
    private static LocalAwsResponse RespondStateChanges(Ec2Request r, List<(string Id, string Previous, string Current)> changes) =>
        r.Respond(x => x.List("instancesSet", changes, (x, c) => x
            .Element("instanceId", c.Id)
            .Call(Ec2Xml.InstanceState, ("currentState", c.Current))
            .Call(Ec2Xml.InstanceState, ("previousState", c.Previous))));

    /// <summary>
    /// The instances a Stop-, Start- or RebootInstances call names. Every one must exist and be
    /// in a state <paramref name="refusal"/> accepts (it answers null, or the error) before any
    /// is changed: EC2 refuses the whole call rather than acting on part of it.
    /// </summary>
    private static List<Instance> NamedInstances(Ec2Request r, Func<Instance, string, AwsErrorException?> refusal)
    {
        var ids = r.P.List("InstanceId");
        if (ids.Count == 0)
            throw new AwsErrorException("MissingParameter", "The request must contain the parameter InstanceId");
        var instances = ids.Distinct(StringComparer.Ordinal)
            .Select(id => r.FindVisible<Instance>(id) ?? throw Ec2Request.NotFound("InvalidInstanceID.NotFound", "instance", id))
            .ToList();
        foreach (var instance in instances)
        {
            if (refusal(instance, instance.StateAt(r.Now)) is { } error)
                throw error;
        }
        return instances;
    }

    /// <summary>
    /// Stops an instance: running, then stopping, then stopped after <see cref="LatencyModel.InstanceStopped"/>.
    /// Its auto-assigned public address is released (an Elastic IP stays); volumes, interface and private address stay.
    /// </summary>
    internal static void Stop(AwsWorld world, LocalAws aws, Instance instance, DateTimeOffset now)
    {
        instance.StateReasonCode = "Client.UserInitiatedShutdown";
        if (!HasElasticIp(world, instance))
            instance.PublicIpAddress = null;
        ChangeInstanceState(aws, instance, "stopping", now, new StateTransition(now + aws.Latency.Of(LatencyModel.InstanceStopped), "stopped"));
    }

    private static bool HasElasticIp(AwsWorld world, Instance instance) =>
        world.All<ElasticIp>().Any(a => a.InstanceId == instance.Id || (a.NetworkInterfaceId is { } eni && eni == instance.NetworkInterfaceId));

    private static LocalAwsResponse StopInstances(Ec2Request r)
    {
        var instances = NamedInstances(r, (instance, state) => state switch
        {
            "shutting-down" or "terminated" =>
                new AwsErrorException("IncorrectInstanceState", $"This instance '{instance.Id}' is not in a state from which it can be stopped."),
            // EC2's answer for a launch still pending; one pending after a start is refused too (stricter than unknown).
            "pending" => new AwsErrorException("IncorrectInstanceState", $"Instance '{instance.Id}' cannot be stopped as it has never reached the 'running' state."),
            // The EC2 user guide: only Spot Instances of persistent requests can be stopped; the local EC2 launches one-time ones only.
            _ when instance.IsSpot => new AwsErrorException("UnsupportedOperation",
                $"You can't stop the Spot Instance '{instance.Id}' because it is associated with a one-time Spot Instance request. You can only stop Spot Instances associated with persistent Spot Instance requests."),
            _ when instance.DisableApiStop => new AwsErrorException("OperationNotPermitted",
                $"The instance '{instance.Id}' may not be stopped. Modify its 'disableApiStop' instance attribute and try again."),
            // Hibernation needs HibernationOptions at launch, which this EC2 does not take.
            _ when r.P.Bool("Hibernate") == true => new AwsErrorException("UnsupportedHibernationConfiguration",
                $"The instance '{instance.Id}' was not launched with hibernation enabled, so it cannot be hibernated."),
            _ => null,
        });
        var changes = new List<(string Id, string Previous, string Current)>();
        foreach (var instance in instances)
        {
            // Stopping one that is stopping or stopped already changes nothing and is no error.
            var previous = instance.StateAt(r.Now);
            if (previous == "running")
                Stop(r.World, r.Aws, instance, r.Now);
            changes.Add((instance.Id, previous, instance.StateAt(r.Now)));
        }
        return RespondStateChanges(r, changes);
    }

    private static LocalAwsResponse StartInstances(Ec2Request r)
    {
        var instances = NamedInstances(r, (instance, state) => state is "pending" or "running" or "stopped"
            ? null
            : new AwsErrorException("IncorrectInstanceState", $"The instance '{instance.Id}' is not in a state from which it can be started."));
        // Started on-demand instances count against the vCPU quota again; EC2 starts none when they do not all fit.
        var starting = instances.Where(i => !i.IsSpot && i.StateAt(r.Now) == "stopped").Sum(i => i.VCpus);
        if (starting > 0 && OnDemandVcpusInUse(r) + starting > r.Aws.Options.OnDemandVcpuQuota)
            throw VcpuLimitExceeded(r);
        var changes = new List<(string Id, string Previous, string Current)>();
        foreach (var instance in instances)
        {
            var previous = instance.StateAt(r.Now);
            if (previous == "stopped")
                Start(r, instance);
            changes.Add((instance.Id, previous, instance.StateAt(r.Now)));
        }
        return RespondStateChanges(r, changes);
    }

    /// <summary>
    /// Starts a stopped instance: pending, then running after <see cref="LatencyModel.InstanceRunning"/>,
    /// on a new host (so a failed system status check is gone) with a new public address if it
    /// was launched with one and holds no Elastic IP.
    /// </summary>
    private static void Start(Ec2Request r, Instance instance)
    {
        instance.StateReasonCode = null;
        instance.SystemStatusImpairedSince = null;
        if (instance.AssignsPublicIp && !HasElasticIp(r.World, instance))
            instance.PublicIpAddress = r.NewPublicIp();
        ChangeInstanceState(r.Aws, instance, "pending", r.Now, new StateTransition(r.Now + r.Aws.Latency.Of(LatencyModel.InstanceRunning), "running"));
    }

    /// <summary>
    /// Reboots running instances: the operating system restarts, the instance stays running (no
    /// state change, so no state-change event) on the same host, with the same addresses.
    /// </summary>
    private static LocalAwsResponse RebootInstances(Ec2Request r)
    {
        NamedInstances(r, (instance, state) => state == "running"
            ? null
            : new AwsErrorException("IncorrectInstanceState", $"The instance '{instance.Id}' is not in a state from which it can be rebooted."));
        return r.RespondTrue();
    }
}
