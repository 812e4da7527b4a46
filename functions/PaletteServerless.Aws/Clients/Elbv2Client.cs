using System.Globalization;
using System.Xml.Linq;

namespace PaletteServerless.Aws.Clients;

/// <summary>
/// Elastic Load Balancing v2 over the query protocol (API 2015-12-01, signing name
/// <c>elasticloadbalancing</c>): the load balancer, target group, listener and target calls the
/// API server load balancer needs, and no others. Errors surface as <see cref="AwsServiceException"/> with
/// AWS's codes (LoadBalancerNotFound, TargetGroupNotFound, ResourceInUse, TooManyLoadBalancers, ...).
/// </summary>
public sealed class Elbv2Client : IElbv2Client
{
    public const string ApiVersion = "2015-12-01";
    private readonly AwsQueryProtocolClient _query;

    public Elbv2Client(AwsClientOptions options)
    {
        Options = options;
        _query = new AwsQueryProtocolClient(AwsService.ElasticLoadBalancingV2, ApiVersion, options);
    }

    public Uri Endpoint => _query.Endpoint;

    /// <summary>The options the client was made with (region, credentials, endpoint).</summary>
    public AwsClientOptions Options { get; }

    public async Task<LoadBalancer> CreateLoadBalancerAsync(CreateLoadBalancerRequest request, CancellationToken cancellationToken = default)
    {
        var parameters = new QueryParameters()
            .Add("Name", request.Name)
            .AddList("Subnets", request.Subnets)
            .AddList("SecurityGroups", request.SecurityGroups)
            .Add("Scheme", request.Scheme)
            .AddTags("Tags", request.Tags)
            .Add("Type", request.Type);
        var result = await _query.InvokeAsync("CreateLoadBalancer", parameters, cancellationToken).ConfigureAwait(false);
        return Members(result, "LoadBalancers").Select(ReadLoadBalancer).Single();
    }

    /// <summary>One page of load balancers, all of them when neither ARNs nor names are given.</summary>
    public async Task<Page<LoadBalancer>> DescribeLoadBalancersAsync(
        IReadOnlyList<string>? loadBalancerArns = null, IReadOnlyList<string>? names = null, string? marker = null, CancellationToken cancellationToken = default)
    {
        var parameters = new QueryParameters().AddList("LoadBalancerArns", loadBalancerArns).AddList("Names", names).Add("Marker", marker);
        var result = await _query.InvokeAsync("DescribeLoadBalancers", parameters, cancellationToken).ConfigureAwait(false);
        return new Page<LoadBalancer>(Members(result, "LoadBalancers").Select(ReadLoadBalancer).ToList(), NextMarker(result));
    }

    public Task DeleteLoadBalancerAsync(string loadBalancerArn, CancellationToken cancellationToken = default) =>
        _query.InvokeAsync("DeleteLoadBalancer", new QueryParameters().Add("LoadBalancerArn", loadBalancerArn), cancellationToken);

    public async Task<TargetGroup> CreateTargetGroupAsync(CreateTargetGroupRequest request, CancellationToken cancellationToken = default)
    {
        var parameters = new QueryParameters()
            .Add("Name", request.Name)
            .Add("Protocol", request.Protocol)
            .Add("Port", request.Port)
            .Add("VpcId", request.VpcId)
            .Add("HealthCheckProtocol", request.HealthCheckProtocol)
            .Add("HealthCheckPort", request.HealthCheckPort)
            .Add("HealthCheckEnabled", request.HealthCheckEnabled)
            .Add("HealthCheckPath", request.HealthCheckPath)
            .Add("HealthCheckIntervalSeconds", request.HealthCheckIntervalSeconds)
            .Add("HealthCheckTimeoutSeconds", request.HealthCheckTimeoutSeconds)
            .Add("HealthyThresholdCount", request.HealthyThresholdCount)
            .Add("UnhealthyThresholdCount", request.UnhealthyThresholdCount)
            .Add("TargetType", request.TargetType)
            .AddTags("Tags", request.Tags);
        var result = await _query.InvokeAsync("CreateTargetGroup", parameters, cancellationToken).ConfigureAwait(false);
        return Members(result, "TargetGroups").Select(ReadTargetGroup).Single();
    }

    public async Task<Page<TargetGroup>> DescribeTargetGroupsAsync(
        string? loadBalancerArn = null, IReadOnlyList<string>? targetGroupArns = null, IReadOnlyList<string>? names = null, string? marker = null,
        CancellationToken cancellationToken = default)
    {
        var parameters = new QueryParameters()
            .Add("LoadBalancerArn", loadBalancerArn)
            .AddList("TargetGroupArns", targetGroupArns)
            .AddList("Names", names)
            .Add("Marker", marker);
        var result = await _query.InvokeAsync("DescribeTargetGroups", parameters, cancellationToken).ConfigureAwait(false);
        return new Page<TargetGroup>(Members(result, "TargetGroups").Select(ReadTargetGroup).ToList(), NextMarker(result));
    }

    public Task DeleteTargetGroupAsync(string targetGroupArn, CancellationToken cancellationToken = default) =>
        _query.InvokeAsync("DeleteTargetGroup", new QueryParameters().Add("TargetGroupArn", targetGroupArn), cancellationToken);

    /// <summary>A listener whose default action forwards to one target group.</summary>
    public async Task<Listener> CreateListenerAsync(
        string loadBalancerArn, string protocol, int port, string targetGroupArn, IReadOnlyList<ResourceTag>? tags = null, CancellationToken cancellationToken = default)
    {
        var parameters = new QueryParameters()
            .Add("LoadBalancerArn", loadBalancerArn)
            .Add("Protocol", protocol)
            .Add("Port", port)
            .Add("DefaultActions.member.1.Type", "forward")
            .Add("DefaultActions.member.1.TargetGroupArn", targetGroupArn)
            .AddTags("Tags", tags);
        var result = await _query.InvokeAsync("CreateListener", parameters, cancellationToken).ConfigureAwait(false);
        return Members(result, "Listeners").Select(ReadListener).Single();
    }

    public async Task<Page<Listener>> DescribeListenersAsync(
        string? loadBalancerArn = null, IReadOnlyList<string>? listenerArns = null, string? marker = null, CancellationToken cancellationToken = default)
    {
        var parameters = new QueryParameters().Add("LoadBalancerArn", loadBalancerArn).AddList("ListenerArns", listenerArns).Add("Marker", marker);
        var result = await _query.InvokeAsync("DescribeListeners", parameters, cancellationToken).ConfigureAwait(false);
        return new Page<Listener>(Members(result, "Listeners").Select(ReadListener).ToList(), NextMarker(result));
    }

    public Task RegisterTargetsAsync(string targetGroupArn, IReadOnlyList<TargetDescription> targets, CancellationToken cancellationToken = default) =>
        _query.InvokeAsync("RegisterTargets", TargetParameters(targetGroupArn, targets), cancellationToken);

    /// <summary>Adds or overwrites tags of load balancers and target groups (at most 20 ARNs a call).</summary>
    public Task AddTagsAsync(IReadOnlyList<string> resourceArns, IReadOnlyList<ResourceTag> tags, CancellationToken cancellationToken = default) =>
        _query.InvokeAsync("AddTags", new QueryParameters().AddList("ResourceArns", resourceArns).AddTags("Tags", tags), cancellationToken);

    public Task RemoveTagsAsync(IReadOnlyList<string> resourceArns, IReadOnlyList<string> tagKeys, CancellationToken cancellationToken = default) =>
        _query.InvokeAsync("RemoveTags", new QueryParameters().AddList("ResourceArns", resourceArns).AddList("TagKeys", tagKeys), cancellationToken);

    /// <summary>Starts draining the targets; they leave the group when the target group's deregistration delay ends.</summary>
    public Task DeregisterTargetsAsync(string targetGroupArn, IReadOnlyList<TargetDescription> targets, CancellationToken cancellationToken = default) =>
        _query.InvokeAsync("DeregisterTargets", TargetParameters(targetGroupArn, targets), cancellationToken);

    /// <summary>Health of the given targets, or of every registered target when none are given.</summary>
    public async Task<IReadOnlyList<TargetHealthDescription>> DescribeTargetHealthAsync(
        string targetGroupArn, IReadOnlyList<TargetDescription>? targets = null, CancellationToken cancellationToken = default)
    {
        var result = await _query.InvokeAsync("DescribeTargetHealth", TargetParameters(targetGroupArn, targets), cancellationToken).ConfigureAwait(false);
        return Members(result, "TargetHealthDescriptions").Select(ReadTargetHealth).ToList();
    }

    public void Dispose() => _query.Dispose();

    private static QueryParameters TargetParameters(string targetGroupArn, IReadOnlyList<TargetDescription>? targets) =>
        new QueryParameters()
            .Add("TargetGroupArn", targetGroupArn)
            .AddStructures("Targets", targets, (parameters, prefix, target) => parameters.Add(prefix + "Id", target.Id).Add(prefix + "Port", target.Port));

    private static LoadBalancer ReadLoadBalancer(XElement element)
    {
        var state = Element(element, "State");
        return new LoadBalancer
        {
            LoadBalancerArn = Text(element, "LoadBalancerArn") ?? string.Empty,
            LoadBalancerName = Text(element, "LoadBalancerName") ?? string.Empty,
            DnsName = Text(element, "DNSName"),
            CanonicalHostedZoneId = Text(element, "CanonicalHostedZoneId"),
            CreatedTime = Timestamp(element, "CreatedTime"),
            Scheme = Text(element, "Scheme"),
            VpcId = Text(element, "VpcId"),
            State = Text(state, "Code"),
            StateReason = Text(state, "Reason"),
            Type = Text(element, "Type"),
            AvailabilityZones = Members(element, "AvailabilityZones")
                .Select(zone => new LoadBalancerAvailabilityZone(Text(zone, "ZoneName") ?? string.Empty, Text(zone, "SubnetId") ?? string.Empty))
                .ToList(),
            SecurityGroups = Members(element, "SecurityGroups").Select(group => group.Value).ToList(),
        };
    }

    private static TargetGroup ReadTargetGroup(XElement element) => new()
    {
        TargetGroupArn = Text(element, "TargetGroupArn") ?? string.Empty,
        TargetGroupName = Text(element, "TargetGroupName") ?? string.Empty,
        Protocol = Text(element, "Protocol"),
        Port = Integer(element, "Port"),
        VpcId = Text(element, "VpcId"),
        TargetType = Text(element, "TargetType"),
        HealthCheckProtocol = Text(element, "HealthCheckProtocol"),
        HealthCheckPort = Text(element, "HealthCheckPort"),
        HealthCheckPath = Text(element, "HealthCheckPath"),
        HealthCheckEnabled = Text(element, "HealthCheckEnabled") is { } enabled ? enabled == "true" : null,
        HealthCheckIntervalSeconds = Integer(element, "HealthCheckIntervalSeconds"),
        HealthCheckTimeoutSeconds = Integer(element, "HealthCheckTimeoutSeconds"),
        HealthyThresholdCount = Integer(element, "HealthyThresholdCount"),
        UnhealthyThresholdCount = Integer(element, "UnhealthyThresholdCount"),
        LoadBalancerArns = Members(element, "LoadBalancerArns").Select(arn => arn.Value).ToList(),
    };

    private static Listener ReadListener(XElement element) => new()
    {
        ListenerArn = Text(element, "ListenerArn") ?? string.Empty,
        LoadBalancerArn = Text(element, "LoadBalancerArn"),
        Port = Integer(element, "Port"),
        Protocol = Text(element, "Protocol"),
        DefaultActions = Members(element, "DefaultActions")
            .Select(action => new ListenerAction(Text(action, "Type") ?? string.Empty, Text(action, "TargetGroupArn")))
            .ToList(),
    };

    private static TargetHealthDescription ReadTargetHealth(XElement element)
    {
        var target = Element(element, "Target");
        var health = Element(element, "TargetHealth");
        return new TargetHealthDescription(
            new TargetDescription(Text(target, "Id") ?? string.Empty, Integer(target, "Port")),
            Text(element, "HealthCheckPort"),
            Text(health, "State") ?? string.Empty,
            Text(health, "Reason"),
            Text(health, "Description"));
    }

    private static XElement? Element(XElement? parent, string localName) =>
        parent?.Elements().FirstOrDefault(e => e.Name.LocalName == localName);

    private static string? Text(XElement? parent, string localName) => AwsQueryProtocolClient.Child(parent, localName);

    private static int? Integer(XElement? parent, string localName) =>
        Text(parent, localName) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : null;

    private static DateTimeOffset? Timestamp(XElement? parent, string localName) =>
        Text(parent, localName) is { } text ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal) : null;

    /// <summary>The <c>&lt;member&gt;</c> children of a list element.</summary>
    private static IEnumerable<XElement> Members(XElement? parent, string listName) =>
        Element(parent, listName)?.Elements().Where(e => e.Name.LocalName == "member") ?? [];

    private static string? NextMarker(XElement result) => Text(result, "NextMarker") is { Length: > 0 } marker ? marker : null;
}
