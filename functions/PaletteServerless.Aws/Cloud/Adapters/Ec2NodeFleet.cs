using System.Globalization;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Ports;

namespace PaletteServerless.Aws.Cloud.Adapters;

/// <summary>
/// <see cref="INodeFleet"/> over the AWS SDK's EC2 client. What EC2's API asks is decided here: a launch is one
/// RunInstances with MinCount = MaxCount, its tags on at creation (TagSpecifications), IMDSv2 only, a gp3 root volume
/// on the Ubuntu image's root device; a describe of many ids is filters of at most <see cref="IdsPerCall"/> values,
/// each read page by page (MaxResults and NextToken); the status checks are asked <see cref="StatusIdsPerCall"/> ids a
/// call; an owner's tags become <c>tag:</c> filters. Each operation is the same EC2 action it always was, since the
/// session policies name them. Errors EC2 answers with become <see cref="CloudServiceException"/>.
/// </summary>
public sealed class Ec2NodeFleet(IAmazonEC2 ec2) : INodeFleet
{
    /// <summary>Values per filter of one call (EC2 refuses more than 200 values in a filter).</summary>
    public const int IdsPerCall = 200;

    /// <summary>Instances per page (DescribeInstances' MaxResults allows 5 to 1000).</summary>
    public const int PageSize = 1000;

    /// <summary>DescribeInstanceStatus takes at most 100 explicitly named instances.</summary>
    public const int StatusIdsPerCall = 100;

    /// <summary>The root device of the Ubuntu images the nodes boot.</summary>
    public const string RootDevice = "/dev/sda1";

    public Task<IReadOnlyList<string>> LaunchAsync(NodeLaunchRequest request, CancellationToken ct) =>
        PortCalls.RunAsync<IReadOnlyList<string>>(async () =>
        {
            var response = await ec2.RunInstancesAsync(RunRequest(request), ct);
            return [.. (response.Reservation.Instances ?? []).OrderBy(i => i.AmiLaunchIndex ?? 0).Select(i => i.InstanceId)];
        });

    /// <summary>The RunInstances a launch is: all or nothing, tagged at creation.</summary>
    public static RunInstancesRequest RunRequest(NodeLaunchRequest request) => new()
    {
        ClientToken = request.ClientToken,
        // All or nothing: a batch that EC2 cannot fill whole fails and is asked again, never left half-made.
        MinCount = request.Count,
        MaxCount = request.Count,
        ImageId = request.ImageId,
        InstanceType = request.InstanceType,
        KeyName = request.KeyName,
        IamInstanceProfile = new IamInstanceProfileSpecification { Name = request.InstanceProfile },
        // IMDSv2 only, as many hops as the request allows (one: a pod cannot take the node's role).
        MetadataOptions = new InstanceMetadataOptionsRequest
        {
            HttpTokens = HttpTokensState.Required,
            HttpEndpoint = InstanceMetadataEndpointState.Enabled,
            HttpPutResponseHopLimit = request.MetadataHopLimit,
        },
        SubnetId = request.SubnetId,
        SecurityGroupIds = [.. request.SecurityGroupIds],
        UserData = request.UserData,
        BlockDeviceMappings =
        [
            new BlockDeviceMapping
            {
                DeviceName = RootDevice,
                Ebs = new EbsBlockDevice { VolumeSize = request.DiskSizeGiB, VolumeType = VolumeType.Gp3, DeleteOnTermination = true },
            },
        ],
        InstanceMarketOptions = request.Spot is { } spot
            ? new InstanceMarketOptionsRequest
            {
                MarketType = MarketType.Spot,
                SpotOptions = new SpotMarketOptions
                {
                    MaxPrice = spot.MaxPrice?.ToString(CultureInfo.InvariantCulture),
                    SpotInstanceType = SpotInstanceType.OneTime,
                },
            }
            : null,
        TagSpecifications =
        [
            new TagSpecification { ResourceType = ResourceType.Instance, Tags = Tags(request.InstanceTags) },
            new TagSpecification { ResourceType = ResourceType.Volume, Tags = Tags(request.VolumeTags) },
        ],
    };

    public Task<IReadOnlyList<NodeInstance>> DescribeAsync(IEnumerable<string> instanceIds, CancellationToken ct) =>
        DescribeAllAsync("instance-id", instanceIds, ct);

    public Task<IReadOnlyList<NodeInstance>> LaunchedWithAsync(IEnumerable<string> clientTokens, CancellationToken ct) =>
        DescribeAllAsync("client-token", clientTokens, ct);

    public Task<IReadOnlyList<NodeInstance>> OwnedAsync(OwnedBy owner, IReadOnlyCollection<string> states, CancellationToken ct) =>
        PortCalls.RunAsync<IReadOnlyList<NodeInstance>>(async () =>
        {
            var instances = new List<NodeInstance>();
            string? next = null;
            do
            {
                var page = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest
                {
                    Filters = [.. owner.Tags.Select(t => new Filter($"tag:{t.Key}", [t.Value])), new Filter("instance-state-name", [.. states])],
                    NextToken = next,
                }, ct);
                instances.AddRange(Instances(page));
                next = string.IsNullOrEmpty(page.NextToken) ? null : page.NextToken;
            }
            while (next is not null);
            return instances;
        });

    public async Task<NodeInstance?> FindAsync(string instanceId, CancellationToken ct)
    {
        try
        {
            return await PortCalls.RunAsync(async () => Instances(await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [instanceId] }, ct)).FirstOrDefault());
        }
        catch (CloudServiceException ex) when (CloudErrors.IsNotFound(ex))
        {
            return null;
        }
    }

    public Task<IReadOnlyList<NodeStatusChecks>> StatusChecksAsync(IReadOnlyCollection<string> instanceIds, CancellationToken ct) =>
        PortCalls.RunAsync<IReadOnlyList<NodeStatusChecks>>(async () =>
        {
            var checks = new List<NodeStatusChecks>();
            foreach (var chunk in instanceIds.Chunk(StatusIdsPerCall))
            {
                var statuses = await ec2.DescribeInstanceStatusAsync(new DescribeInstanceStatusRequest { InstanceIds = [.. chunk], IncludeAllInstances = true }, ct);
                checks.AddRange((statuses.InstanceStatuses ?? []).Select(s => new NodeStatusChecks(s.InstanceId, s.Status?.Status?.Value, s.SystemStatus?.Status?.Value)));
            }
            return checks;
        });

    public Task TerminateAsync(IReadOnlyCollection<string> instanceIds, CancellationToken ct) =>
        PortCalls.RunAsync(async () => await ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [.. instanceIds] }, ct));

    public Task<IReadOnlyList<string>> OwnedVolumesAsync(OwnedBy owner, CancellationToken ct) =>
        PortCalls.RunAsync<IReadOnlyList<string>>(async () =>
        [
            .. ((await ec2.DescribeVolumesAsync(new DescribeVolumesRequest
            {
                Filters = [.. owner.Tags.Select(t => new Filter($"tag:{t.Key}", [t.Value]))],
            }, ct)).Volumes ?? []).Select(v => v.VolumeId),
        ]);

    public Task TagAsync(IReadOnlyCollection<string> resourceIds, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        PortCalls.RunAsync(async () => await ec2.CreateTagsAsync(new CreateTagsRequest { Resources = [.. resourceIds], Tags = Tags(tags) }, ct));

    public Task UntagAsync(IReadOnlyCollection<string> resourceIds, IReadOnlyCollection<string> keys, CancellationToken ct) =>
        PortCalls.RunAsync(async () => await ec2.DeleteTagsAsync(new DeleteTagsRequest { Resources = [.. resourceIds], Tags = [.. keys.Select(k => new Tag { Key = k })] }, ct));

    /// <summary>Every instance whose <paramref name="filter"/> is one of <paramref name="values"/>, in calls of at most <see cref="IdsPerCall"/> values.</summary>
    private Task<IReadOnlyList<NodeInstance>> DescribeAllAsync(string filter, IEnumerable<string> values, CancellationToken ct) =>
        PortCalls.RunAsync<IReadOnlyList<NodeInstance>>(async () =>
        {
            var instances = new List<NodeInstance>();
            foreach (var chunk in values.Distinct(StringComparer.Ordinal).Chunk(IdsPerCall))
            {
                string? next = null;
                do
                {
                    var response = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest
                    {
                        Filters = [new Filter(filter, [.. chunk])], MaxResults = PageSize, NextToken = next,
                    }, ct);
                    instances.AddRange(Instances(response));
                    next = string.IsNullOrEmpty(response.NextToken) ? null : response.NextToken;
                }
                while (next is not null);
            }
            return instances;
        });

    private static IEnumerable<NodeInstance> Instances(DescribeInstancesResponse response) =>
        (response.Reservations ?? []).SelectMany(r => r.Instances ?? []).Select(Node);

    /// <summary>One instance as the port reports it; an instance without a lifecycle is on-demand (EC2's own convention).</summary>
    public static NodeInstance Node(Instance instance) => new(
        instance.InstanceId,
        instance.State?.Name?.Value ?? "unknown",
        instance.Placement?.AvailabilityZone,
        (instance.Tags ?? []).GroupBy(t => t.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal),
        instance.StateReason?.Code,
        instance.StateReason?.Message,
        instance.SubnetId,
        instance.PrivateIpAddress,
        instance.InstanceType?.Value,
        instance.InstanceLifecycle?.Value is { } lifecycle ? lifecycle : CapacityTypes.OnDemand,
        instance.LaunchTime is { } launched ? new DateTimeOffset(launched.ToUniversalTime(), TimeSpan.Zero) : null,
        instance.ClientToken);

    private static List<Tag> Tags(IReadOnlyDictionary<string, string> tags) => [.. tags.Select(t => new Tag(t.Key, t.Value))];


}
