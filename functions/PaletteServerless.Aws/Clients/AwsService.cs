namespace PaletteServerless.Aws.Clients;

/// <summary>
/// What a client needs to know about one AWS service to reach it: the SDK service id (which names
/// the <c>AWS_ENDPOINT_URL_&lt;SERVICE&gt;</c> variable), the endpoint prefix of the regional host
/// name and the SigV4 signing name.
/// </summary>
public sealed record AwsService(string ServiceId, string EndpointPrefix, string SigningName, string? GlobalEndpoint = null)
{
    public static readonly AwsService StepFunctions = new("SFN", "states", "states");
    public static readonly AwsService EventBridge = new("EventBridge", "events", "events");
    public static readonly AwsService ElasticLoadBalancingV2 = new("Elastic Load Balancing v2", "elasticloadbalancing", "elasticloadbalancing");
    public static readonly AwsService ResourceGroupsTagging = new("Resource Groups Tagging API", "tagging", "tagging");
    public static readonly AwsService ServiceQuotas = new("Service Quotas", "servicequotas", "servicequotas");
    public static readonly AwsService Sts = new("STS", "sts", "sts");
    public static readonly AwsService Ec2 = new("EC2", "ec2", "ec2");
    public static readonly AwsService DynamoDb = new("DynamoDB", "dynamodb", "dynamodb");
    /// <summary>IAM is global: one endpoint, requests signed for us-east-1 (IAM API Reference, "Making query requests").</summary>
    public static readonly AwsService Iam = new("IAM", "iam", "iam", "https://iam.amazonaws.com/");

    /// <summary>The service-specific variable, as the SDKs derive it: upper case, spaces become underscores.</summary>
    public string EndpointEnvironmentVariable => "AWS_ENDPOINT_URL_" + ServiceId.ToUpperInvariant().Replace(' ', '_');
}
