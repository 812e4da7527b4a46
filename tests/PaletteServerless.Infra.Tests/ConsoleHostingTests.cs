using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using PaletteServerless.Infra.Tests.Support;
using PaletteServerless.Manifest;
using Match = Amazon.CDK.Assertions.Match;

namespace PaletteServerless.Infra.Tests;

/// <summary>The product stack with the console, synthesized once for the class (synth through jsii takes seconds).</summary>
public sealed class ConsoleSynth : IDisposable
{
    private readonly string _outdir = Directory.CreateTempSubdirectory("infra-cdk-out-").FullName;

    public Template Template { get; }
    public TemplateJson Json { get; }

    public ConsoleSynth()
    {
        var app = new App(new AppProps { Outdir = _outdir });
        var stack = new ProductStack(app, "PaletteServerless", new ProductStackProps
        {
            StateMachinesDirectory = StateMachineFiles.DirectoryForTests(),
            FunctionCode = new StubFunctionCode(),
            ConsoleDirectory = RepositoryLayout.ConsoleDirectory(RepositoryLayout.FindRootOfBinaries()),
        });
        var assembly = app.Synth();
        Json = TemplateJson.Load(assembly.GetStackByName(stack.StackName).TemplateFullPath);
        Template = Template.FromStack(stack);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_outdir, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}

/// <summary>The web console's hosting: a private bucket behind CloudFront, its files and config.json deployed, CORS for its origin.</summary>
public sealed class ConsoleHostingTests(ConsoleSynth synth) : IClassFixture<ConsoleSynth>
{
    private readonly Template _template = synth.Template;
    private readonly TemplateJson _json = synth.Json;

    private static Dictionary<string, object> Props(params (string Key, object Value)[] entries) => entries.ToDictionary(e => e.Key, e => e.Value);

    [Fact]
    public void The_bucket_is_private_encrypted_and_refuses_plain_http()
    {
        _template.ResourceCountIs("AWS::S3::Bucket", 1);
        _template.HasResourceProperties("AWS::S3::Bucket", Props(
            ("PublicAccessBlockConfiguration", Props(("BlockPublicAcls", true), ("BlockPublicPolicy", true), ("IgnorePublicAcls", true), ("RestrictPublicBuckets", true))),
            ("BucketEncryption", Props(("ServerSideEncryptionConfiguration", new object[] { Props(("ServerSideEncryptionByDefault", Props(("SSEAlgorithm", "AES256")))) })))));
        var statements = _json.Resources("AWS::S3::BucketPolicy").Single().Resource["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray()
            .Select(s => s!.AsObject()).ToList();
        statements.Should().Contain(s => s["Effect"]!.GetValue<string>() == "Deny"
            && s["Condition"]!["Bool"]!["aws:SecureTransport"]!.GetValue<string>() == "false", "requests without TLS are refused");
        var reads = statements.Where(s => s["Effect"]!.GetValue<string>() == "Allow" && TemplateJson.Strings(s["Action"]).Contains("s3:GetObject")).ToList();
        reads.Should().ContainSingle().Which["Principal"]!["Service"]!.GetValue<string>().Should().Be("cloudfront.amazonaws.com");
        reads[0]["Condition"]!["StringEquals"]!["AWS:SourceArn"].Should().NotBeNull("only this distribution may read the files");
    }

    [Fact]
    public void CloudFront_reads_the_bucket_through_an_origin_access_control_over_https_only()
    {
        _template.ResourceCountIs("AWS::CloudFront::OriginAccessControl", 1);
        _template.HasResourceProperties("AWS::CloudFront::OriginAccessControl", Props(
            ("OriginAccessControlConfig", Match.ObjectLike(Props(("OriginAccessControlOriginType", "s3"), ("SigningBehavior", "always"), ("SigningProtocol", "sigv4"))))));
        var config = _json.Resources("AWS::CloudFront::Distribution").Single().Resource["Properties"]!["DistributionConfig"]!;
        config["DefaultRootObject"]!.GetValue<string>().Should().Be("index.html");
        config["DefaultCacheBehavior"]!["ViewerProtocolPolicy"]!.GetValue<string>().Should().Be("redirect-to-https");
        var origin = config["Origins"]!.AsArray().Single()!;
        origin["OriginAccessControlId"].Should().NotBeNull();
        origin["S3OriginConfig"]!["OriginAccessIdentity"]!.GetValue<string>().Should().BeEmpty("no legacy origin access identity");
    }

    [Fact]
    public void The_default_behavior_sends_the_console_s_security_headers_with_the_manifest_s_content_security_policy()
    {
        var (policyId, policy) = _json.Resources("AWS::CloudFront::ResponseHeadersPolicy").Single();
        var behavior = _json.Resources("AWS::CloudFront::Distribution").Single().Resource["Properties"]!["DistributionConfig"]!["DefaultCacheBehavior"]!;
        behavior["ResponseHeadersPolicyId"]!.ToJsonString().Should().Be($$"""{"Ref":"{{policyId}}"}""", "the console's own policy, not CloudFront's managed one");

        var headers = policy["Properties"]!["ResponseHeadersPolicyConfig"]!["SecurityHeadersConfig"]!;
        headers["StrictTransportSecurity"]!["AccessControlMaxAgeSec"]!.GetValue<int>().Should().Be((int)ConsoleSecurityHeaders.StrictTransportSecurityMaxAge.TotalSeconds);
        headers["StrictTransportSecurity"]!["IncludeSubdomains"]!.GetValue<bool>().Should().BeTrue();
        headers["ContentTypeOptions"]!["Override"]!.GetValue<bool>().Should().BeTrue();
        headers["FrameOptions"]!["FrameOption"]!.GetValue<string>().Should().Be(ConsoleSecurityHeaders.FrameOptions);
        headers["ReferrerPolicy"]!["ReferrerPolicy"]!.GetValue<string>().Should().Be(ConsoleSecurityHeaders.ReferrerPolicy);
        var csp = headers["ContentSecurityPolicy"]!;
        csp["Override"]!.GetValue<bool>().Should().BeTrue();

        // The policy is joined at deploy time from the region, the issuer parameter and the extra origins: with
        // example values in their place it is exactly the manifest's policy, the one the local stack sends.
        var deployTime = new Dictionary<string, string>
        {
            ["""{"Ref":"AWS::Region"}"""] = "eu-west-1",
            ["""{"Ref":"AWS::URLSuffix"}"""] = "amazonaws.com",
            ["""{"Fn::Select":[2,{"Fn::Split":["/",{"Ref":"JwtIssuer"}]}]}"""] = "idp.example.com",
            ["""{"Ref":"ConsoleConnectSources"}"""] = "https://login.example.com",
        };
        var parts = csp["ContentSecurityPolicy"]!["Fn::Join"]![1]!.AsArray()
            .Select(part => part is JsonValue text ? text.GetValue<string>() : deployTime[part!.ToJsonString()]);
        string.Concat(parts).Should().Be(ConsoleSecurityHeaders.ContentSecurityPolicy(
            "https://*.execute-api.eu-west-1.amazonaws.com", "https://idp.example.com", "https://login.example.com"));
        ConsoleSecurityHeaders.ContentSecurityPolicy().Should().Contain("script-src 'self';").And.NotContain("unsafe-inline").And.NotContain("unsafe-eval")
            .And.Contain("frame-ancestors 'none'");
    }

    [Fact]
    public void The_files_are_deployed_with_a_config_json_naming_the_api_and_the_issuer_and_client_the_authorizer_trusts()
    {
        var (_, deployment) = _json.Resources("Custom::CDKBucketDeployment").Single();
        var properties = deployment["Properties"]!;
        properties["SourceObjectKeys"]!.AsArray().Should().HaveCount(2, "console/ and config.json");
        properties["DistributionPaths"]!.AsArray().Select(p => p!.GetValue<string>()).Should().Equal("/*");
        // config.json's deploy-time values: the API's URL and the authorizer's issuer and audience (the OIDC client).
        var config = properties["SourceMarkers"]!.AsArray().Select(m => m!.ToJsonString()).Single(m => m.Contains("JwtIssuer", StringComparison.Ordinal));
        config.Should().Contain("\"Ref\":\"JwtAudience\"").And.Contain("HttpApi");

        var authorizer = _json.Resources("AWS::ApiGatewayV2::Authorizer").Single().Resource["Properties"]!["JwtConfiguration"]!;
        authorizer["Issuer"]!.ToJsonString().Should().Be("""{"Ref":"JwtIssuer"}""");
        authorizer["Audience"]!.AsArray().Single()!.ToJsonString().Should().Be("""{"Ref":"JwtAudience"}""");
    }

    [Fact]
    public void The_api_allows_cross_origin_calls_from_the_console_only()
    {
        var cors = _json.Resources("AWS::ApiGatewayV2::Api").Single().Resource["Properties"]!["CorsConfiguration"]!.AsObject();
        var origin = cors["AllowOrigins"]!.AsArray().Single()!.ToJsonString();
        var distribution = _json.Resources("AWS::CloudFront::Distribution").Single().LogicalId;
        origin.Should().Contain("https://").And.Contain(distribution).And.Contain("DomainName");
        TemplateJson.Strings(cors["AllowHeaders"]).Should().Contain(["Authorization", "Content-Type"]);
        TemplateJson.Strings(cors["AllowMethods"]).Should().Contain(["GET", "POST", "PATCH", "PUT", "DELETE"]);
        TemplateJson.Strings(cors["ExposeHeaders"]).Should().Contain("ETag");
        cors["AllowCredentials"]?.GetValue<bool>().Should().NotBe(true, "a bearer token, never cookies");
    }

    [Fact]
    public void Without_a_console_folder_nothing_of_the_console_is_deployed()
    {
        var app = new App(new AppProps { Outdir = Directory.CreateTempSubdirectory("infra-cdk-out-").FullName });
        var stack = new ProductStack(app, "PaletteServerless", new ProductStackProps
        {
            StateMachinesDirectory = StateMachineFiles.DirectoryForTests(),
            FunctionCode = new StubFunctionCode(),
        });
        var template = Template.FromStack(stack);
        template.ResourceCountIs("AWS::CloudFront::Distribution", 0);
        template.ResourceCountIs("AWS::S3::Bucket", 0);
        template.FindResources("AWS::ApiGatewayV2::Api").Values.Single().Should().NotBeNull();
        JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(template.ToJSON()))!["Resources"]!.AsObject()
            .Where(r => r.Value!["Type"]!.GetValue<string>() == "AWS::ApiGatewayV2::Api")
            .Single().Value!["Properties"]!["CorsConfiguration"].Should().BeNull();
    }
}
