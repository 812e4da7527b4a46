using Amazon.CDK;
using Amazon.CDK.AWS.CloudFront;
using Amazon.CDK.AWS.CloudFront.Origins;
using Amazon.CDK.AWS.S3;
using Amazon.CDK.AWS.S3.Deployment;
using Constructs;
using PaletteServerless.Manifest;

namespace PaletteServerless.Infra;

/// <summary>
/// The web console in AWS: its static files in a private S3 bucket (all public access blocked,
/// encrypted, TLS only) that only CloudFront reads, through an origin access control. The API's CORS
/// allows <see cref="Origin"/>; <see cref="Deploy"/> uploads the files with a config.json naming the
/// API and the OIDC issuer and client the API's JWT authorizer trusts. Every answer carries the console's
/// security headers (<see cref="ConsoleSecurityHeaders"/>, which the local stack sends too).
/// </summary>
public sealed class ConsoleHosting : Construct
{
    public Bucket Bucket { get; }
    public Distribution Distribution { get; }

    /// <summary>The console's origin, https://{distribution domain}: what the API's CORS allows.</summary>
    public string Origin => $"https://{Distribution.DistributionDomainName}";

    public ResponseHeadersPolicy SecurityHeaders { get; }

    /// <param name="issuer">The OIDC issuer the console signs in with (a deploy-time parameter): its origin may be called.</param>
    public ConsoleHosting(Construct scope, string id, string issuer) : base(scope, id)
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
        SecurityHeaders = CreateSecurityHeaders(issuer);
        Distribution = new Distribution(this, "Distribution", new DistributionProps
        {
            Comment = "PaletteServerless web console",
            DefaultRootObject = "index.html",
            DefaultBehavior = new BehaviorOptions
            {
                Origin = S3BucketOrigin.WithOriginAccessControl(Bucket),
                ViewerProtocolPolicy = ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                ResponseHeadersPolicy = SecurityHeaders,
                CachePolicy = CachePolicy.CACHING_OPTIMIZED,
            },
            MinimumProtocolVersion = SecurityPolicyProtocol.TLS_V1_2_2021,
            HttpVersion = HttpVersion.HTTP2_AND_3,
        });
        _ = new CfnOutput(this, "ConsoleUrl", new CfnOutputProps { Value = Origin, Description = "The web console" });
    }

    /// <summary>
    /// The console's response headers. Its Content-Security-Policy lets it call, besides its own origin: the API
    /// (named by the region's API Gateway domain, not by the API's id: the API's CORS names this distribution, and
    /// CloudFormation cannot have each name the other), the issuer's origin (discovery), and the origins the
    /// <c>ConsoleConnectSources</c> parameter adds (a token endpoint the provider serves elsewhere than its issuer,
    /// such as a Cognito domain).
    /// </summary>
    private ResponseHeadersPolicy CreateSecurityHeaders(string issuer)
    {
        var extraSources = new CfnParameter(Stack.Of(this), "ConsoleConnectSources", new CfnParameterProps
        {
            Type = "String",
            Default = "",
            AllowedPattern = "^(https://[A-Za-z0-9.*:-]+( https://[A-Za-z0-9.*:-]+)*)?$",
            Description = "Origins the web console may call besides the API and the JwtIssuer's origin, space-separated: the OIDC token endpoint's origin when it is not the issuer's, e.g. https://<domain>.auth.<region>.amazoncognito.com",
        });
        // https://host/path -> https://host: a CSP source with a path would match that path only.
        var issuerOrigin = "https://" + Fn.Select(2, Fn.Split("/", issuer));
        var api = $"https://*.execute-api.{Aws.REGION}.{Aws.URL_SUFFIX}";
        return new ResponseHeadersPolicy(this, "SecurityHeaders", new ResponseHeadersPolicyProps
        {
            Comment = "PaletteServerless web console: CSP, HSTS, nosniff, no framing, no referrer",
            SecurityHeadersBehavior = new ResponseSecurityHeadersBehavior
            {
                ContentSecurityPolicy = new ResponseHeadersContentSecurityPolicy
                {
                    ContentSecurityPolicy = ConsoleSecurityHeaders.ContentSecurityPolicy(api, issuerOrigin, extraSources.ValueAsString),
                    Override = true,
                },
                StrictTransportSecurity = new ResponseHeadersStrictTransportSecurity
                {
                    AccessControlMaxAge = Duration.Seconds(ConsoleSecurityHeaders.StrictTransportSecurityMaxAge.TotalSeconds),
                    IncludeSubdomains = true,
                    Override = true,
                },
                ContentTypeOptions = new ResponseHeadersContentTypeOptions { Override = true },
                FrameOptions = new ResponseHeadersFrameOptions { FrameOption = HeadersFrameOption.DENY, Override = true },
                ReferrerPolicy = new ResponseHeadersReferrerPolicy { ReferrerPolicy = HeadersReferrerPolicy.NO_REFERRER, Override = true },
            },
        });
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
