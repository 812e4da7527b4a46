using Amazon.CDK;
using Amazon.CDK.AWS.CloudFront;
using Amazon.CDK.AWS.CloudFront.Origins;
using Amazon.CDK.AWS.S3;
using Amazon.CDK.AWS.S3.Deployment;
using Constructs;

namespace PaletteServerless.Infra;

/// <summary>
/// The web console in AWS: its static files in a private S3 bucket (all public access blocked,
/// encrypted, TLS only) that only CloudFront reads, through an origin access control. The API's CORS
/// allows <see cref="Origin"/>; <see cref="Deploy"/> uploads the files with a config.json naming the
/// API and the OIDC issuer and client the API's JWT authorizer trusts.
/// </summary>
public sealed class ConsoleHosting : Construct
{
    public Bucket Bucket { get; }
    public Distribution Distribution { get; }

    /// <summary>The console's origin, https://{distribution domain}: what the API's CORS allows.</summary>
    public string Origin => $"https://{Distribution.DistributionDomainName}";

    public ConsoleHosting(Construct scope, string id) : base(scope, id)
    {
        Bucket = new Bucket(this, "Files", new BucketProps
        {
            BlockPublicAccess = BlockPublicAccess.BLOCK_ALL,
            Encryption = BucketEncryption.S3_MANAGED,
            EnforceSSL = true,
            ObjectOwnership = ObjectOwnership.BUCKET_OWNER_ENFORCED,
            // Kept when the stack goes (the default), as CloudFormation cannot delete a bucket with files in it.
            RemovalPolicy = RemovalPolicy.RETAIN,
        });
        Distribution = new Distribution(this, "Distribution", new DistributionProps
        {
            Comment = "PaletteServerless web console",
            DefaultRootObject = "index.html",
            DefaultBehavior = new BehaviorOptions
            {
                Origin = S3BucketOrigin.WithOriginAccessControl(Bucket),
                ViewerProtocolPolicy = ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                ResponseHeadersPolicy = ResponseHeadersPolicy.SECURITY_HEADERS,
                CachePolicy = CachePolicy.CACHING_OPTIMIZED,
            },
            MinimumProtocolVersion = SecurityPolicyProtocol.TLS_V1_2_2021,
            HttpVersion = HttpVersion.HTTP2_AND_3,
        });
        _ = new CfnOutput(this, "ConsoleUrl", new CfnOutputProps { Value = Origin, Description = "The web console" });
    }

    /// <summary>Uploads console/ and a generated config.json, then invalidates the distribution's cache.</summary>
    public void Deploy(string consoleDirectory, string apiUrl, string issuer, string clientId)
    {
        if (!File.Exists(Path.Combine(consoleDirectory, "index.html")))
            throw new InvalidOperationException($"{consoleDirectory}/index.html does not exist: the console's files are deployed from that folder");
        _ = new BucketDeployment(this, "Deployment", new BucketDeploymentProps
        {
            DestinationBucket = Bucket,
            Sources =
            [
                Source.Asset(consoleDirectory, new Amazon.CDK.AWS.S3.Assets.AssetOptions { Exclude = ["docs", "node_modules", "*.md", "package*.json"] }),
                Source.JsonData("config.json", new Dictionary<string, object>
                {
                    ["apiUrl"] = apiUrl,
                    ["auth"] = new Dictionary<string, object>
                    {
                        ["mode"] = "oidc",
                        ["issuer"] = issuer,
                        ["clientId"] = clientId,
                        ["scope"] = "openid",
                    },
                    ["pollMilliseconds"] = 5000,
                }),
            ],
            Distribution = Distribution,
            DistributionPaths = ["/*"],
            Prune = true,
        });
    }
}
