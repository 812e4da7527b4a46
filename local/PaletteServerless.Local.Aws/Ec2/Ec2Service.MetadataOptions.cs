using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.Ec2;

// The instance metadata options of the EC2 API Reference: RunInstances' MetadataOptions
// (InstanceMetadataOptionsRequest), DescribeInstances' metadataOptions and ModifyInstanceMetadataOptions.
public sealed partial class Ec2Service
{
    /// <summary>
    /// How long a launch's or a change's options stay <c>pending</c> before they are <c>applied</c>;
    /// not in <see cref="LatencyModel.Defaults"/>, so the fallback here holds unless overridden.
    /// </summary>
    public const string MetadataOptionsApplied = "MetadataOptionsApplied";
    private static readonly TimeSpan MetadataOptionsAppliedDefault = TimeSpan.FromSeconds(5);

    private static readonly string[] EnabledOrDisabled = ["enabled", "disabled"];

    /// <summary>
    /// The options a launch gets: EC2's defaults for its image, then each option the request sets.
    /// An image registered with ImdsSupport v2.0 (Amazon Linux 2023's are) launches with tokens
    /// required and a hop limit of 2, any other with tokens optional and a hop limit of 1 (the
    /// account-level defaults, which this EC2 does not model, are taken as "no preference").
    /// </summary>
    private static InstanceMetadataOptions MetadataOptionsForLaunch(Ec2Request r, ImageInfo image)
    {
        var v2Only = HasImdsSupportV2(image);
        var options = new InstanceMetadataOptions { HttpTokens = v2Only ? "required" : "optional", HttpPutResponseHopLimit = v2Only ? 2 : 1 };
        ApplyMetadataOptions(options, r.P.Prefixed("MetadataOptions"));
        options.AppliedAt = r.Now + r.Aws.Latency.Of(MetadataOptionsApplied, MetadataOptionsAppliedDefault);
        return options;
    }

    // The catalog records no ImdsSupport; Amazon's own Amazon Linux 2023 images are the catalog's only ones registered with v2.0.
    private static bool HasImdsSupportV2(ImageInfo image) =>
        image.OwnerId == "137112412989" && image.Name.StartsWith("al2023-ami-", StringComparison.Ordinal);

    /// <summary>
    /// Sets each option <paramref name="given"/> names, refusing values outside the EC2 model's enums
    /// and a hop limit outside 1-64 with EC2's <c>InvalidParameterValue</c>. Nothing is changed
    /// unless every given option is valid.
    /// </summary>
    private static bool ApplyMetadataOptions(InstanceMetadataOptions options, QueryParameters given)
    {
        var tokens = EnumValue(given, "HttpTokens", "optional", "required");
        var endpoint = EnumValue(given, "HttpEndpoint", EnabledOrDisabled);
        var ipv6 = EnumValue(given, "HttpProtocolIpv6", EnabledOrDisabled);
        var tags = EnumValue(given, "InstanceMetadataTags", EnabledOrDisabled);
        var hopLimit = given.Int("HttpPutResponseHopLimit");
        if (hopLimit is < 1 or > 64)
        {
            throw new AwsErrorException("InvalidParameterValue",
                $"Value ({hopLimit}) for parameter HttpPutResponseHopLimit is invalid. The HTTP PUT response hop limit must be an integer from 1 to 64.");
        }
        options.HttpTokens = tokens ?? options.HttpTokens;
        options.HttpEndpoint = endpoint ?? options.HttpEndpoint;
        options.HttpProtocolIpv6 = ipv6 ?? options.HttpProtocolIpv6;
        options.InstanceMetadataTags = tags ?? options.InstanceMetadataTags;
        options.HttpPutResponseHopLimit = hopLimit ?? options.HttpPutResponseHopLimit;
        return tokens is not null || endpoint is not null || ipv6 is not null || tags is not null || hopLimit is not null;
    }

    private static string? EnumValue(QueryParameters given, string name, params string[] values) =>
        given[name] is not { } value ? null
        : values.Contains(value, StringComparer.Ordinal) ? value
        : throw new AwsErrorException("InvalidParameterValue", $"Value ({value}) for parameter {name} is invalid. Valid values are: {string.Join(", ", values)}.");

    /// <summary>
    /// Changes a live instance's options (only those the request names) and answers the new
    /// options, <c>pending</c> until they reach the instance. A stopped instance's change applies
    /// as well: EC2 keeps the options across stop and start.
    /// </summary>
    private static LocalAwsResponse ModifyInstanceMetadataOptions(Ec2Request r)
    {
        var id = r.P["InstanceId"] ?? throw new AwsErrorException("MissingParameter", "The request must contain the parameter InstanceId");
        var instance = r.FindVisible<Instance>(id) ?? throw Ec2Request.NotFound("InvalidInstanceID.NotFound", "instance", id);
        var state = instance.StateAt(r.Now);
        if (state is "shutting-down" or "terminated")
            throw new AwsErrorException("IncorrectInstanceState", $"The instance '{instance.Id}' is not in a state from which its metadata options can be modified.");
        // Validate on a copy, so a refused request leaves the instance's options as they were.
        var changed = new InstanceMetadataOptions
        {
            HttpTokens = instance.MetadataOptions.HttpTokens, HttpPutResponseHopLimit = instance.MetadataOptions.HttpPutResponseHopLimit,
            HttpEndpoint = instance.MetadataOptions.HttpEndpoint, HttpProtocolIpv6 = instance.MetadataOptions.HttpProtocolIpv6,
            InstanceMetadataTags = instance.MetadataOptions.InstanceMetadataTags,
        };
        if (!ApplyMetadataOptions(changed, r.P))
        {
            throw new AwsErrorException("MissingParameter",
                "The request must contain at least one of the parameters HttpTokens, HttpPutResponseHopLimit, HttpEndpoint, HttpProtocolIpv6 or InstanceMetadataTags.");
        }
        changed.AppliedAt = r.Now + r.Aws.Latency.Of(MetadataOptionsApplied, MetadataOptionsAppliedDefault);
        instance.MetadataOptions = changed;
        return r.Respond(x => x
            .Element("instanceId", instance.Id)
            .Call(WriteMetadataOptions, ("instanceMetadataOptions", changed, r.Now)));
    }

    /// <summary>The options in the EC2 model's InstanceMetadataOptionsResponse shape, under <c>Element</c>.</summary>
    private static void WriteMetadataOptions(XmlBuilder x, (string Element, InstanceMetadataOptions Options, DateTimeOffset Now) entry) => x
        .Open(entry.Element)
        .Element("state", entry.Options.StateAt(entry.Now))
        .Element("httpTokens", entry.Options.HttpTokens)
        .Element("httpPutResponseHopLimit", entry.Options.HttpPutResponseHopLimit)
        .Element("httpEndpoint", entry.Options.HttpEndpoint)
        .Element("httpProtocolIpv6", entry.Options.HttpProtocolIpv6)
        .Element("instanceMetadataTags", entry.Options.InstanceMetadataTags)
        .Close();
}
