using System.Net;
using System.Text.Json.Nodes;
using Amazon.S3.Model;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.Iam;
using PaletteServerless.Local.Aws.S3;

namespace PaletteServerless.Local.Aws.Tests.S3;

/// <summary>
/// S3's IAM map (actions and ARNs as the Service Authorization Reference names them) and a denial
/// on the wire: S3's AccessDenied document, with the call refused before it acts.
/// </summary>
public sealed class S3AuthorizationTests : S3TestBase
{
    private IReadOnlyList<string>? Checks(string method, string path, string query = "", params (string Name, string Value)[] headers)
    {
        var request = LocalAwsRequest.Create(method, path, query, headers.Select(h => KeyValuePair.Create(h.Name, h.Value)), []);
        var service = Host.Aws.Services.OfType<S3Service>().Single();
        var call = new AwsCall
        {
            Request = request, Operation = service.OperationOf(request), Account = SigV4Credential.DefaultAccount, Region = "us-east-1",
            AccessKeyId = "test", RequestId = "r", Parameters = QueryParameters.Empty, Aws = Host.Aws, Now = Host.Clock.GetUtcNow(),
        };
        lock (Host.Aws.Store.Sync)
            return service.Authorizations(call)?.Select(Iam.AuthorizationCalls.Line).ToList();
    }

    [Fact]
    public async Task Each_operation_is_checked_as_the_Service_Authorization_Reference_names_it()
    {
        await S3.PutBucketAsync(new PutBucketRequest { BucketName = "mapped" });
        await S3.PutObjectAsync(new PutObjectRequest { BucketName = "mapped", Key = "a/b.tar", ContentBody = "x" });

        Checks("GET", "/").Should().Equal("s3:ListAllMyBuckets *");
        Checks("PUT", "/fresh").Should().Equal("s3:CreateBucket arn:aws:s3:::fresh | s3:LocationConstraint=us-east-1");
        Checks("HEAD", "/mapped").Should().Equal("s3:ListBucket arn:aws:s3:::mapped");
        Checks("DELETE", "/mapped").Should().Equal("s3:DeleteBucket arn:aws:s3:::mapped");
        Checks("GET", "/mapped", "location").Should().Equal("s3:GetBucketLocation arn:aws:s3:::mapped");
        Checks("GET", "/mapped", "list-type=2&prefix=a%2F&delimiter=%2F").Should().Equal("s3:ListBucket arn:aws:s3:::mapped | s3:delimiter=/; s3:prefix=a/");
        Checks("PUT", "/mapped/a/b.tar", "", ("x-amz-server-side-encryption", "AES256"))
            .Should().Equal("s3:PutObject arn:aws:s3:::mapped/a/b.tar | s3:x-amz-server-side-encryption=AES256");
        Checks("PUT", "/mapped/a/c.tar", "", ("x-amz-tagging", "k=v"))
            .Should().Equal("s3:PutObject arn:aws:s3:::mapped/a/c.tar", "s3:PutObjectTagging arn:aws:s3:::mapped/a/c.tar");
        Checks("GET", "/mapped/a/b.tar").Should().Equal("s3:GetObject arn:aws:s3:::mapped/a/b.tar");
        Checks("HEAD", "/mapped/a/b.tar").Should().Equal("s3:GetObject arn:aws:s3:::mapped/a/b.tar");
        Checks("DELETE", "/mapped/a/b.tar").Should().Equal("s3:DeleteObject arn:aws:s3:::mapped/a/b.tar");
        foreach (var (method, query, action) in new[]
        {
            ("PUT", "tagging", "s3:PutBucketTagging"), ("GET", "tagging", "s3:GetBucketTagging"), ("DELETE", "tagging", "s3:PutBucketTagging"),
            ("PUT", "publicAccessBlock", "s3:PutBucketPublicAccessBlock"), ("GET", "publicAccessBlock", "s3:GetBucketPublicAccessBlock"), ("DELETE", "publicAccessBlock", "s3:PutBucketPublicAccessBlock"),
            ("PUT", "encryption", "s3:PutEncryptionConfiguration"), ("GET", "encryption", "s3:GetEncryptionConfiguration"), ("DELETE", "encryption", "s3:PutEncryptionConfiguration"),
            ("PUT", "lifecycle", "s3:PutLifecycleConfiguration"), ("GET", "lifecycle", "s3:GetLifecycleConfiguration"), ("DELETE", "lifecycle", "s3:PutLifecycleConfiguration"),
        })
            Checks(method, "/mapped", query).Should().Equal($"{action} arn:aws:s3:::mapped");
        // A bucket that does not exist is not authorized on: S3 answers NoSuchBucket.
        Checks("GET", "/nowhere", "tagging").Should().BeEmpty();
    }

    [Fact]
    public async Task A_denied_call_is_S3s_AccessDenied_and_changes_nothing()
    {
        await S3.PutBucketAsync(new PutBucketRequest { BucketName = "guarded" });
        var evaluator = new PolicyEvaluator(new Uri("http://evaluator.invalid/"), new DenyingEvaluator("s3:PutLifecycleConfiguration"));
        var iam = new LocalIam(evaluator, Host.Clock);
        Host.Aws.Iam = iam;
        var role = new IamRole("backups", SigV4Credential.DefaultAccount, $"arn:aws:iam::{SigV4Credential.DefaultAccount}:role/backup-writer", "backup-writer",
            new JsonObject(), [("s3-no-lifecycle", new JsonObject())]);
        iam.AddRole(role);
        var principal = await iam.IssueAsync(role, "test-session", CancellationToken.None);
        var writer = Client(accessKeyId: principal.AccessKeyId, sessionToken: principal.SessionToken);

        await writer.PutObjectAsync(new PutObjectRequest { BucketName = "guarded", Key = "allowed.txt", ContentBody = "x" });
        var denied = await FailsAsync(() => writer.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest
        {
            BucketName = "guarded",
            Configuration = new LifecycleConfiguration { Rules = [new LifecycleRule { Id = "r", Status = Amazon.S3.LifecycleRuleStatus.Enabled, Filter = new LifecycleFilter { LifecycleFilterPredicate = new LifecyclePrefixPredicate { Prefix = "" } }, Expiration = new LifecycleRuleExpiration { Days = 1 } }] },
        }));

        denied.ErrorCode.Should().Be("AccessDenied");
        denied.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        denied.Message.Should().Contain("s3:PutLifecycleConfiguration").And.Contain("arn:aws:s3:::guarded");
        iam.TakeDenials(d => d.Action == "s3:PutLifecycleConfiguration").Should().ContainSingle().Which.Resource.Should().Be("arn:aws:s3:::guarded");
        lock (Host.Aws.Store.Sync)
            S3Service.Find(Host.Aws, "guarded")!.Lifecycle.Should().BeNull();
    }

    /// <summary>An evaluator that allows every action but one, answering the local IAM's evaluator protocol.</summary>
    private sealed class DenyingEvaluator(string deniedAction) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method != HttpMethod.Post)
                return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{}") };
            var checks = JsonNode.Parse(await request.Content!.ReadAsStringAsync(cancellationToken))!["checks"]!.AsArray();
            var results = new JsonArray([.. checks.Select(c => (JsonNode)new JsonObject
            {
                ["decision"] = (string?)c!["action"] == deniedAction ? "ImplicitlyDenied" : "Allowed",
            })]);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(new JsonObject { ["results"] = results }.ToJsonString()) };
        }
    }
}
