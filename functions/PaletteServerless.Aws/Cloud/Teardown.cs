using PaletteServerless.Domain.Ports;
using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Aws.Cloud;

/// <summary>
/// The outcome of one teardown pass: done, or what it still waits for and what blocks it, and how
/// long until what it waits for is expected to be done (null: nothing with a known latency was started).
/// </summary>
public sealed record TeardownResult(bool Done, int Remaining, IReadOnlyList<string> WaitingFor, IReadOnlyList<Blocker> Blocking, IReadOnlyList<string> Errors, DateTimeOffset? ExpectedDoneAt = null)
{
    public IReadOnlyList<string> Blockers => Blocking.Select(b => b.Description).ToList();
}

/// <summary>
/// Removes everything a cluster owns, composed of each kind's delete. The reference order
/// (Cluster API Provider AWS's delete order) is kept where one resource holds another, and what does not depend on
/// anything else starts at once, side by side: first the instances, the load balancer and target
/// group, the route tables and the NAT gateways; once the instances and gateways are gone, the
/// secret parameters (no node can need them any more), security groups, Elastic IPs, subnets and
/// internet gateway; then the VPC. One call is
/// one pass: stages run until one is not finished yet; NotFound counts as done; dependency errors
/// mean "next pass"; other errors are collected, never thrown. Safe to run any number of times.
/// What it owns is what the inventory lists plus what carries the cluster's uid tag; nothing else
/// is ever touched, and what blocks without being ours is named.
/// </summary>
public sealed class Teardown(ClusterResources resources)
{
    /// <summary>
    /// One pass. <paramref name="attemptEveryStage"/> (force delete, orphan sweep) goes on past an
    /// unfinished stage to remove whatever can be removed now, out of order if need be.
    /// </summary>
    public async Task<TeardownResult> PassAsync(CancellationToken ct, bool attemptEveryStage = false)
    {
        var pass = new DeletePass(resources.Clock);
        await AdoptTaggedAsync(ct);
        var nats = new NatGatewayKind(resources);
        Func<DeletePass, CancellationToken, Task<bool>>[][] stages =
        [
            [new NodePoolKind(resources).DeleteAsync, new LoadBalancerKind(resources).DeleteAsync, new RouteTableKind(resources).DeleteAsync, nats.DeleteAsync],
            // The gateway detaches once no public address is mapped in the VPC (the NAT gateways and
            // instances are gone), so it goes beside the released addresses, not after them.
            [new SecretParameterKind(resources).DeleteAsync, new SecurityGroupKind(resources).DeleteAsync, nats.DeleteAddressesAsync,
                new SubnetKind(resources).DeleteAsync, new InternetGatewayKind(resources).DeleteAsync, new BackupBucketKind(resources).DeleteAsync],
            [new VpcKind(resources).DeleteAsync],
        ];
        var done = true;
        foreach (var stage in stages)
        {
            var finished = await Task.WhenAll(stage.Select(kind => kind(pass, ct)));
            if (finished.Any(f => !f))
            {
                done = false;
                if (!attemptEveryStage)
                    break;
            }
        }
        var remaining = resources.Items.Count;
        return new TeardownResult(done && remaining == 0, remaining, pass.WaitingFor, pass.Blockers, pass.Errors, pass.ExpectedDoneAt);
    }

    /// <summary>
    /// A crash between a create and its record leaves a tagged resource the inventory lacks; a
    /// load balancer someone made for the cluster by hand is tagged too. Both are ours to remove.
    /// </summary>
    private async Task AdoptTaggedAsync(CancellationToken ct)
    {
        var known = resources.Items.Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
        var adopted = (await FindOwnedAsync(resources.Cloud, resources.Cluster.Uid, ct)).Where(o => known.Add(o.Id)).ToList();
        // Side by side: a large pool's nodes leave hundreds of tagged volumes to record.
        await Parallel.ForEachAsync(adopted, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (owned, token) =>
            await resources.RecordAsync(new InventoryItem { Kind = owned.Kind, Id = owned.Id, Role = owned.Role, RecordedAt = resources.Clock.GetUtcNow() }, token));
    }

    /// <summary>
    /// The tagging API's types of the kinds a teardown removes (<see cref="KindAndId"/>): the listing leaves out what goes with
    /// its owner (a node's volumes and network interfaces), which a large pool has by the thousand.
    /// </summary>
    public static readonly IReadOnlyList<string> AdoptableTypes =
    [
        "ec2:vpc", "ec2:subnet", "ec2:internet-gateway", "ec2:elastic-ip", "ec2:natgateway", "ec2:route-table", "ec2:security-group", "ec2:instance",
        "elasticloadbalancing:loadbalancer", "elasticloadbalancing:targetgroup", "s3",
    ];

    /// <summary>Everything of every kind a teardown removes that carries a cluster's uid tag, through the tagging API: kind, id and role.</summary>
    public static async Task<IReadOnlyList<(string Kind, string Id, string Role)>> FindOwnedAsync(ICloudSession cloud, string clusterUid, CancellationToken ct)
    {
        var tagged = await cloud.TaggedResources.FindAsync(new OwnedBy(new Dictionary<string, string> { [OwnershipTags.ClusterUid] = clusterUid }, AdoptableTypes), ct);
        var owned = new List<(string, string, string)>();
        foreach (var resource in tagged)
        {
            var (kind, id) = KindAndId(resource.Arn);
            if (kind is not null)
                owned.Add((kind, id, resource.Tag(ResourceTags.CapaRole) ?? "adopted"));
        }
        return owned;
    }

    /// <summary>ARN -> (kind, id as the API takes it). ELB resources go by ARN; EC2 ones by their short id.</summary>
    public static (string? Kind, string Id) KindAndId(string arn)
    {
        var parts = arn.Split(':', 6);
        if (parts.Length < 6)
            return (null, arn);
        // A bucket's ARN has no region, account or type: arn:aws:s3:::name.
        if (parts[2] == "s3")
            return parts[5].Contains('/', StringComparison.Ordinal) ? (null, arn) : (ResourceKinds.Bucket, parts[5]);
        if (parts[2] == "elasticloadbalancing")
            return (parts[5].StartsWith("loadbalancer/", StringComparison.Ordinal) ? ResourceKinds.LoadBalancer
                : parts[5].StartsWith("targetgroup/", StringComparison.Ordinal) ? ResourceKinds.TargetGroup : null, arn);
        var slash = parts[5].Split('/');
        if (slash.Length != 2)
            return (null, arn);
        var kind = slash[0] switch
        {
            "vpc" => ResourceKinds.Vpc, "subnet" => ResourceKinds.Subnet, "internet-gateway" => ResourceKinds.InternetGateway,
            "elastic-ip" => ResourceKinds.ElasticIp, "natgateway" => ResourceKinds.NatGateway, "route-table" => ResourceKinds.RouteTable,
            "security-group" => ResourceKinds.SecurityGroup, "instance" => ResourceKinds.Instance,
            _ => null, // volumes go with their instance (DeleteOnTermination); interfaces with their owner
        };
        return (kind, slash[1]);
    }
}
