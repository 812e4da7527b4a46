using Amazon.EC2;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Amazon.SimpleSystemsManagement;
using PaletteServerless.Aws.Clients;
using PaletteServerless.Aws.Cloud.Adapters;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Ports;

namespace PaletteServerless.Aws.Cloud;

/// <summary>
/// One cluster's account and region: the one seam through which the steps, the force delete and the orphan sweep reach
/// AWS, as ports shaped like what the product does (Domain/Ports); the SDK clients stay inside the session and its adapters.
/// </summary>
public interface ICloudSession : IDisposable
{
    string Region { get; }

    /// <summary>
    /// The cluster's parameters (SSM Parameter Store): its secrets (<see cref="Kinds.SecretParameterKind"/>), desired state,
    /// patch request and virtual clusters, through the product's port (<see cref="Adapters.SsmParameterStore"/>).
    /// </summary>
    IParameterStore Parameters { get; }

    /// <summary>The cluster's network (VPC, subnets, gateways, route tables, addresses, security groups) through the product's port (<see cref="Adapters.Ec2ClusterNetwork"/>).</summary>
    IClusterNetworkCloud Network { get; }

    /// <summary>What the account offers and uses in the region (key pairs, zones, instance types, images, VPCs, subnets, quotas) through the product's port (<see cref="Adapters.Ec2ComputeCatalog"/>).</summary>
    IComputeCatalog Catalog { get; }

    /// <summary>The cluster's load balancers, target groups and targets through the product's port (<see cref="Adapters.Elbv2LoadBalancers"/>).</summary>
    ILoadBalancers LoadBalancers { get; }

    /// <summary>What carries tags across the account's services (the teardown's adoption, the orphan sweep) through the product's port (<see cref="Adapters.TaggingApiResources"/>).</summary>
    ITaggedResources TaggedResources { get; }

    /// <summary>IAM, read only: whether the node instance profile exists (preflight).</summary>
    IIamClient Iam { get; }

    /// <summary>
    /// The buckets of backups and scans (Amazon S3): the cluster's own (<see cref="Kinds.BackupBucketKind"/>) and what Velero and
    /// kube-bench wrote to it, through the product's port (<see cref="Adapters.S3BackupBuckets"/>).
    /// </summary>
    IBackupBuckets Buckets { get; }

    /// <summary>
    /// The cluster's nodes (EC2 instances, their volumes, and the tags of its EC2 resources): launched, described, checked and
    /// terminated by the node kinds, rollout and remediation through the product's port (<see cref="Adapters.Ec2NodeFleet"/>).
    /// </summary>
    INodeFleet Nodes { get; }

    /// <summary>The account this session acts in.</summary>
    Task<string> AccountIdAsync(CancellationToken ct);
}

/// <summary>Opens a session in a cloud account's account and region; tests give fakes.</summary>
public interface ICloudSessionOpener
{
    /// <summary>A session of the account's cluster-builder role, bounded by <paramref name="scope"/>.</summary>
    Task<ICloudSession> OpenAsync(CloudAccount account, string region, SessionScope scope, CancellationToken ct);

    /// <summary>
    /// A session with the function's own credentials in the product account: only for what the function's
    /// own role allows there (reading the tags of an instance an EC2 event of this account names).
    /// </summary>
    ICloudSession OpenOwn(string region);
}

/// <summary>
/// Opens sessions against AWS. Every session is an STS AssumeRole: of the cloud account's role with the
/// external id the product generated for it, or, for a cloud account without a role, of the
/// cluster-builder role in the product's own account (which exists only where the deployer allows
/// such accounts). The session carries the scope's tags, policy and source identity.
/// </summary>
public sealed class AwsCloudSessionOpener(TimeProvider clock, string productAccountId) : ICloudSessionOpener
{
    // Every step and poll would otherwise call AssumeRole again (and be throttled at scale): a warm
    // Lambda container reuses a session's credentials until shortly before they expire.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Role, string? ExternalId, string Region, SessionScope Scope), (AWSCredentials Credentials, DateTimeOffset Expires)> AssumedRoles = new();

    public ICloudSession OpenOwn(string region) => new CloudSession(region, null);

    public async Task<ICloudSession> OpenAsync(CloudAccount account, string region, SessionScope scope, CancellationToken ct)
    {
        var roleArn = account.RoleArn ?? CloudAccountRules.ClusterBuilderRoleArn(productAccountId);
        var key = (roleArn, account.ExternalId, region, scope);
        if (AssumedRoles.TryGetValue(key, out var cached) && cached.Expires > clock.GetUtcNow().AddMinutes(5))
            return new CloudSession(region, cached.Credentials);
        using var sts = new AmazonSecurityTokenServiceClient(CloudSession.StsConfig(region));
        var response = await sts.AssumeRoleAsync(new AssumeRoleRequest
        {
            RoleArn = roleArn,
            RoleSessionName = scope.RoleSessionName,
            ExternalId = account.ExternalId,
            DurationSeconds = 3600,
            Tags = [.. scope.Tags.Select(t => new Tag { Key = t.Key, Value = t.Value })],
            SourceIdentity = scope.SourceIdentity,
            Policy = scope.PolicyJson(),
        }, ct);
        var c = response.Credentials;
        var credentials = new SessionAWSCredentials(c.AccessKeyId, c.SecretAccessKey, c.SessionToken);
        AssumedRoles[key] = (credentials, c.Expiration is { } expiration ? new DateTimeOffset(expiration.ToUniversalTime(), TimeSpan.Zero) : clock.GetUtcNow().AddMinutes(15));
        return new CloudSession(region, credentials);
    }
}

/// <summary>A session over the real AWS SDK's EC2 client, the parameter store over its SSM client, the backup buckets over its S3 client, and our own ELBv2, tagging, IAM and Service Quotas clients.</summary>
public sealed class CloudSession : ICloudSession
{
    internal CloudSession(string region, AWSCredentials? credentials)
    {
        Region = region;
        _credentials = credentials;
        var regionEndpoint = Amazon.RegionEndpoint.GetBySystemName(region);
        // Endpoints come from AWS_ENDPOINT_URL when set (the local stack), else AWS's regional ones.
        // AuthenticationRegion: with an endpoint override (AWS_ENDPOINT_URL) the SDK cannot infer the
        // signing region from the host name, and the region is what selects the AWS world.
        var config = new AmazonEC2Config { RegionEndpoint = regionEndpoint, AuthenticationRegion = region };
        _ec2 = credentials is null ? new AmazonEC2Client(config) : new AmazonEC2Client(credentials, config);
        var options = new AwsClientOptions(region) { Credentials = credentials };
        _loadBalancing = new Elbv2Client(options);
        _tagging = new TaggingClient(options);
        _quotas = new ServiceQuotasClient(options);
        var ssmConfig = new AmazonSimpleSystemsManagementConfig { RegionEndpoint = regionEndpoint, AuthenticationRegion = region };
        _ssm = credentials is null ? new AmazonSimpleSystemsManagementClient(ssmConfig) : new AmazonSimpleSystemsManagementClient(credentials, ssmConfig);
        Parameters = new SsmParameterStore(_ssm);
        Network = new Ec2ClusterNetwork(_ec2, _loadBalancing);
        Catalog = new Ec2ComputeCatalog(_ec2, _quotas);
        LoadBalancers = new Elbv2LoadBalancers(_loadBalancing);
        TaggedResources = new TaggingApiResources(_tagging);
        Iam = new IamClient(options);
        // Path-style where an endpoint is configured (AWS_ENDPOINT_URL): a custom endpoint's host does not resolve per bucket.
        var s3Config = new Amazon.S3.AmazonS3Config
        {
            RegionEndpoint = regionEndpoint, AuthenticationRegion = region,
            ForcePathStyle = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL")),
        };
        _s3 = credentials is null ? new Amazon.S3.AmazonS3Client(s3Config) : new Amazon.S3.AmazonS3Client(credentials, s3Config);
        Buckets = new S3BackupBuckets(_s3, region);
        Nodes = new Ec2NodeFleet(_ec2);
    }

    public string Region { get; }
    public IParameterStore Parameters { get; }
    public IClusterNetworkCloud Network { get; }
    public IComputeCatalog Catalog { get; }
    public ILoadBalancers LoadBalancers { get; }
    public ITaggedResources TaggedResources { get; }
    public IIamClient Iam { get; }
    public IBackupBuckets Buckets { get; }
    public INodeFleet Nodes { get; }

    private readonly AWSCredentials? _credentials;
    private readonly AmazonEC2Client _ec2;
    private readonly Elbv2Client _loadBalancing;
    private readonly TaggingClient _tagging;
    private readonly ServiceQuotasClient _quotas;
    private readonly AmazonSimpleSystemsManagementClient _ssm;
    private readonly Amazon.S3.AmazonS3Client _s3;
    private string? _accountId;

    /// <summary>The account this session acts in (from STS GetCallerIdentity, asked once).</summary>
    public async Task<string> AccountIdAsync(CancellationToken ct)
    {
        if (_accountId is not null)
            return _accountId;
        using var sts = _credentials is null
            ? new AmazonSecurityTokenServiceClient(StsConfig(Region))
            : new AmazonSecurityTokenServiceClient(_credentials, StsConfig(Region));
        return _accountId = (await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest(), ct)).Account;
    }

    internal static AmazonSecurityTokenServiceConfig StsConfig(string region) => new()
    {
        RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(region),
        AuthenticationRegion = region,
    };

    public void Dispose()
    {
        _ec2.Dispose();
        _loadBalancing.Dispose();
        _tagging.Dispose();
        _quotas.Dispose();
        _ssm.Dispose();
        Iam.Dispose();
        _s3.Dispose();
    }
}
