using System.Security.Cryptography;
using System.Text.RegularExpressions;
using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.Elbv2;

/// <summary>
/// Elastic Load Balancing v2 (query protocol, API 2015-12-01): network and application load
/// balancers that provision before they turn active, target groups with health checks, listeners,
/// target registration and health, tags. Names, codes and messages follow the AWS service model.
/// </summary>
public sealed partial class Elbv2Service : ILocalAwsService
{
    public const string Namespace = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";

    /// <summary>AWS's default quota of load balancers of each type per region.</summary>
    public const int LoadBalancerQuota = 50;

    /// <summary>The modelled deregistration delay (AWS's default target group attribute is 300 s).</summary>
    public const string TargetDeregistration = "TargetDeregistration";

    public string ServiceName => "elasticloadbalancing";
    public AwsProtocol Protocol => AwsProtocol.Query;
    public string RouteKey => "2015-12-01";
    public AwsErrorStyle ErrorStyle => AwsErrorStyle.Query;
    public string? XmlNamespace => Namespace;
    public string ThrottlingErrorCode => "Throttling";

    [GeneratedRegex("^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?$")]
    private static partial Regex NamePattern();

    public Task<LocalAwsResponse> HandleAsync(AwsCall call, CancellationToken cancellationToken)
    {
        lock (call.Aws.Store.Sync)
        {
            call.World.Settle(call.Now, call.Aws.TerminalRetention);
            return Task.FromResult(call.Operation switch
            {
                "CreateLoadBalancer" => CreateLoadBalancer(call),
                "DescribeLoadBalancers" => DescribeLoadBalancers(call),
                "DeleteLoadBalancer" => DeleteLoadBalancer(call),
                "CreateTargetGroup" => CreateTargetGroup(call),
                "DescribeTargetGroups" => DescribeTargetGroups(call),
                "DeleteTargetGroup" => DeleteTargetGroup(call),
                "CreateListener" => CreateListener(call),
                "DescribeListeners" => DescribeListeners(call),
                "DeleteListener" => DeleteListener(call),
                "RegisterTargets" => RegisterTargets(call),
                "DeregisterTargets" => DeregisterTargets(call),
                "DescribeTargetHealth" => DescribeTargetHealth(call),
                "AddTags" => AddTags(call),
                "RemoveTags" => RemoveTags(call),
                "DescribeTags" => DescribeTags(call),
                _ => throw new AwsErrorException("InvalidAction", $"The action {call.Operation} is not valid for this web service."),
            });
        }
    }

    // ---- helpers ----

    /// <summary>Within the fault profile's eventual-consistency window a new ARN is not yet visible to Describe calls.</summary>
    private static bool IsStillPropagating(AwsCall call, AwsResource resource)
    {
        var seconds = call.Aws.Faults.Profile.EventualConsistencySeconds;
        return seconds > 0 && call.Now - resource.CreatedAt < call.Aws.Latency.Scale(TimeSpan.FromSeconds(seconds));
    }

    private static IEnumerable<ElbLoadBalancer> LiveLoadBalancers(AwsCall call) =>
        call.World.All<ElbLoadBalancer>().Where(lb => lb.IsLiveAt(call.Now));

    private static ElbLoadBalancer? FindLoadBalancer(AwsCall call, string arn) =>
        call.World.Find<ElbLoadBalancer>(arn) is { } lb && lb.IsLiveAt(call.Now) ? lb : null;

    private static IEnumerable<ElbListener> ListenersOf(AwsCall call, string loadBalancerArn) =>
        call.World.All<ElbListener>().Where(l => l.LoadBalancerArn == loadBalancerArn);

    private static Dictionary<string, string> ReadTags(QueryParameters p)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in p.MemberStructures("Tags"))
        {
            var key = tag.Required("Key");
            if (!tags.TryAdd(key, tag["Value"] ?? ""))
                throw new AwsErrorException("DuplicateTagKeys", $"Tag key '{key}' is duplicated");
        }

        if (tags.Count > 50)
            throw new AwsErrorException("TooManyTags", "The quota for the number of tags that can be assigned to a load balancer has been reached");
        return tags;
    }

    private static string ValidName(string name, string what) =>
        NamePattern().IsMatch(name)
            ? name
            : throw Validation($"The {what} name '{name}' must have at most 32 characters, contain only alphanumeric characters or hyphens, and must not begin or end with a hyphen");

    private static (List<T> Page, string? NextMarker) Paginate<T>(List<T> items, QueryParameters p)
    {
        var pageSize = p.Int("PageSize") ?? 400;
        if (pageSize is < 1 or > 400)
            throw Validation("Page size must be between 1 and 400");
        var start = 0;
        if (p["Marker"] is { Length: > 0 } marker && (!int.TryParse(marker, out start) || start < 0))
            throw Validation($"The marker '{marker}' is not valid");
        var page = items.Skip(start).Take(pageSize).ToList();
        return (page, start + pageSize < items.Count ? (start + pageSize).ToString(System.Globalization.CultureInfo.InvariantCulture) : null);
    }

    private static LocalAwsResponse Result(AwsCall call, Action<XmlBuilder> writeResult) =>
        QueryResponses.Query(call.Operation, Namespace, call.RequestId, writeResult);

    private static AwsErrorException Validation(string message) => new("ValidationError", message);

    private static string HexId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    private static string DecimalId() => RandomNumberGenerator.GetInt32(100_000_000, 999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
