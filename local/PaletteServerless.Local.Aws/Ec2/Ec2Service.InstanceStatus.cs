using PaletteServerless.Local.Aws.Core;
using static PaletteServerless.Local.Aws.Ec2.Ec2Filters;

namespace PaletteServerless.Local.Aws.Ec2;

// DescribeInstanceStatus: the instance and system status checks of running instances.
public sealed partial class Ec2Service
{
    private static LocalAwsResponse DescribeInstanceStatus(Ec2Request r)
    {
        if (r.P.Has("MaxResults") && r.P.List("InstanceId").Count > 0)
            throw new AwsErrorException("InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults");
        // The API reference: "Maximum 100 explicitly specified instance IDs".
        if (r.P.List("InstanceId").Count > MaxStatusInstanceIds)
            throw new AwsErrorException("InvalidParameterValue", $"The request names {r.P.List("InstanceId").Count} instance IDs: at most {MaxStatusInstanceIds} may be specified");
        var includeAll = r.P.Bool("IncludeAllInstances") == true;
        var latency = r.Aws.Latency;
        // The filters of the EC2 API Reference for DescribeInstanceStatus that this EC2 models (no scheduled events, no EBS status).
        var instances = r.Select("InstanceId", "InvalidInstanceID.NotFound", "instance", new Ec2FilterSet<Instance>
        {
            ["availability-zone"] = i => [i.AvailabilityZone],
            ["instance-state-name"] = i => [i.StateAt(r.Now)],
            ["instance-state-code"] = i => [Text(Ec2Xml.InstanceStateCode(i.StateAt(r.Now)))],
            ["instance-status.status"] = i => [InstanceCheck(i, r.Now, latency).Status],
            ["instance-status.reachability"] = i => [InstanceCheck(i, r.Now, latency).Reachability],
            ["system-status.status"] = i => [SystemCheck(i, r.Now, latency).Status],
            ["system-status.reachability"] = i => [SystemCheck(i, r.Now, latency).Reachability],
        }).Where(i => includeAll || i.StateAt(r.Now) == "running").ToList();
        var (page, next) = Page(instances, r.P);
        return r.Respond(x => x
            .List("instanceStatusSet", page, (x, i) => x
                .Element("instanceId", i.Id)
                .Element("availabilityZone", i.AvailabilityZone)
                .Open("eventsSet").Close()
                .Call(Ec2Xml.InstanceState, ("instanceState", i.StateAt(r.Now)))
                .Call(WriteStatusSummary, ("systemStatus", SystemCheck(i, r.Now, latency)))
                .Call(WriteStatusSummary, ("instanceStatus", InstanceCheck(i, r.Now, latency))))
            .Element("nextToken", next));
    }

    /// <summary>DescribeInstanceStatus takes at most this many explicit instance IDs.</summary>
    public const int MaxStatusInstanceIds = 100;

    /// <summary>One status check: its summary status and its <c>reachability</c> detail (null when not applicable).</summary>
    internal readonly record struct StatusCheck(string Status, string? Reachability, DateTimeOffset? ImpairedSince);

    internal static StatusCheck InstanceCheck(Instance instance, DateTimeOffset now, LatencyModel latency) =>
        Check(instance, instance.InstanceStatusImpairedSince, now, latency);

    internal static StatusCheck SystemCheck(Instance instance, DateTimeOffset now, LatencyModel latency) =>
        Check(instance, instance.SystemStatusImpairedSince, now, latency);

    /// <summary>
    /// Checks apply only to running instances; they report initializing for a while after the
    /// instance starts running, then ok, or impaired (reachability failed) once marked so.
    /// </summary>
    private static StatusCheck Check(Instance instance, DateTimeOffset? impairedSince, DateTimeOffset now, LatencyModel latency)
    {
        if (instance.StateAt(now) != "running")
            return new StatusCheck("not-applicable", null, null);
        if (impairedSince is { } since)
            return new StatusCheck("impaired", "failed", since);
        return now - instance.StateSince(now) < latency.Of(LatencyModel.StatusChecksPassed)
            ? new StatusCheck("initializing", "initializing", null)
            : new StatusCheck("ok", "passed", null);
    }

    private static void WriteStatusSummary(XmlBuilder x, (string Element, StatusCheck Check) summary) => x
        .Open(summary.Element)
        .Element("status", summary.Check.Status)
        .List("details", summary.Check.Reachability is null ? [] : new[] { summary.Check }, (x, check) => x
            .Element("name", "reachability")
            .Element("status", check.Reachability)
            .Element("impairedSince", check.ImpairedSince))
        .Close();
}
