using System.Net;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.Tests.Core;
using PaletteServerless.Local.Aws.Tests.Sts;
using PaletteServerless.Testing;

namespace PaletteServerless.Local.Aws.Tests.Ssm;

/// <summary>The local Parameter Store through the real AmazonSimpleSystemsManagementClient and AWS CLI.</summary>
public sealed class SsmTests : IAsyncLifetime
{
    private LocalAwsHost _host = null!;
    private AmazonSimpleSystemsManagementClient _ssm = null!;

    public async Task InitializeAsync()
    {
        _host = await LocalAwsHost.StartAsync();
        _ssm = Client(_host);
    }

    public async Task DisposeAsync()
    {
        _ssm.Dispose();
        await _host.DisposeAsync();
    }

    private static AmazonSimpleSystemsManagementClient Client(LocalAwsHost host, string accessKeyId = "test") =>
        new(new BasicAWSCredentials(accessKeyId, "test"), new AmazonSimpleSystemsManagementConfig
        {
            ServiceURL = host.Url,
            AuthenticationRegion = "us-east-1",
            MaxErrorRetry = 0,
        });

    private Task<PutParameterResponse> PutAsync(string name, string value, ParameterType? type = null, bool overwrite = false) =>
        _ssm.PutParameterAsync(new PutParameterRequest { Name = name, Value = value, Type = type ?? ParameterType.String, Overwrite = overwrite });

    private static async Task<AmazonSimpleSystemsManagementException> FailsWith(string code, Func<Task> call)
    {
        var error = (await call.Should().ThrowAsync<AmazonSimpleSystemsManagementException>()).Which;
        error.ErrorCode.Should().Be(code, error.Message);
        error.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        return error;
    }

    [Fact]
    public async Task Put_and_get_a_string_with_versions_on_overwrite()
    {
        var first = await PutAsync("/clusters/c1/endpoint", "one");
        first.Version.Should().Be(1);
        first.Tier.Should().Be(ParameterTier.Standard);
        await FailsWith("ParameterAlreadyExists", () => PutAsync("/clusters/c1/endpoint", "two"));
        (await PutAsync("/clusters/c1/endpoint", "two", overwrite: true)).Version.Should().Be(2);

        var current = (await _ssm.GetParameterAsync(new GetParameterRequest { Name = "/clusters/c1/endpoint" })).Parameter;
        current.Value.Should().Be("two");
        current.Version.Should().Be(2);
        current.Type.Should().Be(ParameterType.String);
        current.ARN.Should().Be("arn:aws:ssm:us-east-1:000000000000:parameter/clusters/c1/endpoint");
        current.LastModifiedDate.Should().Be(_host.Clock.GetUtcNow().UtcDateTime);
        var old = (await _ssm.GetParameterAsync(new GetParameterRequest { Name = "/clusters/c1/endpoint:1" })).Parameter;
        old.Value.Should().Be("one");
        old.Selector.Should().Be(":1");
        await FailsWith("ParameterVersionNotFound", () => _ssm.GetParameterAsync(new GetParameterRequest { Name = "/clusters/c1/endpoint:3" }));
        await FailsWith("ParameterNotFound", () => _ssm.GetParameterAsync(new GetParameterRequest { Name = "/clusters/c2/endpoint" }));
    }

    [Fact]
    public async Task The_last_100_versions_are_kept_and_an_empty_value_is_refused()
    {
        for (var i = 1; i <= 101; i++)
            await PutAsync("/v/many", $"value-{i}", overwrite: i > 1);

        (await _ssm.GetParameterAsync(new GetParameterRequest { Name = "/v/many" })).Parameter.Version.Should().Be(101);
        (await _ssm.GetParameterAsync(new GetParameterRequest { Name = "/v/many:2" })).Parameter.Value.Should().Be("value-2");
        await FailsWith("ParameterVersionNotFound", () => _ssm.GetParameterAsync(new GetParameterRequest { Name = "/v/many:1" }));
        (await FailsWith("ValidationException", () => PutAsync("/v/empty", ""))).Message.Should().Contain("length greater than or equal to 1");
    }

    [Fact]
    public async Task A_secure_string_reads_as_ciphertext_without_decryption_and_as_the_value_with_it()
    {
        const string secret = "-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----\n";
        await _ssm.PutParameterAsync(new PutParameterRequest { Name = "/clusters/c1/ca-key", Value = secret, Type = ParameterType.SecureString, Description = "CA key" });

        var hidden = (await _ssm.GetParameterAsync(new GetParameterRequest { Name = "/clusters/c1/ca-key" })).Parameter;
        hidden.Type.Should().Be(ParameterType.SecureString);
        hidden.Value.Should().NotContain("PRIVATE KEY").And.NotBe(secret);
        Convert.FromBase64String(hidden.Value).Length.Should().BeGreaterThan(secret.Length);
        var shown = (await _ssm.GetParameterAsync(new GetParameterRequest { Name = "/clusters/c1/ca-key", WithDecryption = true })).Parameter;
        shown.Value.Should().Be(secret);

        // The stored form is ciphertext too: neither the store nor its snapshot holds the plain value.
        var stored = JsonSerializer.Serialize(_host.Aws.Store.Worlds.SelectMany(w => w.Resources).ToList());
        stored.Should().NotContain("MIIEvQ");
    }

    [Fact]
    public async Task A_secure_string_under_a_named_key_and_key_rules()
    {
        await _ssm.PutParameterAsync(new PutParameterRequest { Name = "k1", Value = "v", Type = ParameterType.SecureString, KeyId = "alias/cluster-secrets" });
        (await _ssm.GetParameterAsync(new GetParameterRequest { Name = "k1", WithDecryption = true })).Parameter.Value.Should().Be("v");
        await FailsWith("InvalidKeyId", () => _ssm.PutParameterAsync(new PutParameterRequest { Name = "k2", Value = "v", Type = ParameterType.SecureString, KeyId = "key/unknown" }));
        await FailsWith("ValidationException", () => _ssm.PutParameterAsync(new PutParameterRequest { Name = "k3", Value = "v", Type = ParameterType.String, KeyId = "alias/aws/ssm" }));
        await FailsWith("HierarchyTypeMismatchException", () => PutAsync("k1", "plain", ParameterType.String, overwrite: true));
    }

    [Theory]
    [InlineData("a/b", "Parameter name must be a fully qualified name.")]
    [InlineData("/a//b", "can't be prefixed with \"aws\" or \"ssm\"")]
    [InlineData("/aws/x", "can't be prefixed with \"aws\" or \"ssm\"")]
    [InlineData("SSM-thing", "can't be prefixed with \"aws\" or \"ssm\"")]
    [InlineData("/a/b c", "each sub-path can be formed as a mix of letters, numbers")]
    public async Task Bad_names_are_ValidationException(string name, string message)
    {
        var error = await FailsWith("ValidationException", () => PutAsync(name, "v"));
        error.Message.Should().Contain(message);
    }

    [Fact]
    public async Task Hierarchy_depth_value_size_tags_and_overwrite_limits()
    {
        await PutAsync("/" + string.Join('/', Enumerable.Range(1, 15).Select(i => $"l{i}")), "fifteen levels");
        var deep = await FailsWith("HierarchyLevelLimitExceededException", () => PutAsync("/" + string.Join('/', Enumerable.Range(1, 16).Select(i => $"l{i}")), "v"));
        deep.Message.Should().StartWith("A hierarchy can have a maximum of 15 levels.");

        await PutAsync("/big/standard", new string('x', 4096));
        (await FailsWith("ValidationException", () => PutAsync("/big/too-big", new string('x', 4097)))).Message
            .Should().StartWith("Standard tier parameters support a maximum parameter value of 4096 characters.");
        (await _ssm.PutParameterAsync(new PutParameterRequest { Name = "/big/advanced", Value = new string('x', 8192), Type = ParameterType.String, Tier = ParameterTier.Advanced }))
            .Tier.Should().Be(ParameterTier.Advanced);

        var tooMany = Enumerable.Range(0, 51).Select(i => new Tag { Key = $"k{i}", Value = "v" }).ToList();
        await FailsWith("TooManyTagsError", () => _ssm.PutParameterAsync(new PutParameterRequest { Name = "/tags/many", Value = "v", Type = ParameterType.String, Tags = tooMany }));
        await FailsWith("ParameterNotFound", () => _ssm.GetParameterAsync(new GetParameterRequest { Name = "/tags/many" }));
        (await FailsWith("ValidationException", () => _ssm.PutParameterAsync(new PutParameterRequest { Name = "/big/standard", Value = "v", Overwrite = true, Tags = [new Tag { Key = "a", Value = "b" }] })))
            .Message.Should().StartWith("Invalid request: tags and overwrite can't be used together.");
        (await FailsWith("ValidationException", () => _ssm.PutParameterAsync(new PutParameterRequest { Name = "/no/type", Value = "v" })))
            .Message.Should().Be("A parameter type is required when you create a parameter.");
    }

    [Fact]
    public async Task Tags_are_added_listed_and_removed_on_parameters_only()
    {
        await _ssm.PutParameterAsync(new PutParameterRequest { Name = "/t/p", Value = "v", Type = ParameterType.String, Tags = [new Tag { Key = "palette:cluster", Value = "c1" }] });
        await _ssm.AddTagsToResourceAsync(new AddTagsToResourceRequest { ResourceType = ResourceTypeForTagging.Parameter, ResourceId = "/t/p", Tags = [new Tag { Key = "team", Value = "a" }] });
        var tags = (await _ssm.ListTagsForResourceAsync(new ListTagsForResourceRequest { ResourceType = ResourceTypeForTagging.Parameter, ResourceId = "/t/p" })).TagList;
        tags.Select(t => (t.Key, t.Value)).Should().Equal(("palette:cluster", "c1"), ("team", "a"));
        await _ssm.RemoveTagsFromResourceAsync(new RemoveTagsFromResourceRequest { ResourceType = ResourceTypeForTagging.Parameter, ResourceId = "/t/p", TagKeys = ["team"] });
        (await _ssm.ListTagsForResourceAsync(new ListTagsForResourceRequest { ResourceType = ResourceTypeForTagging.Parameter, ResourceId = "/t/p" })).TagList.Should().ContainSingle();

        await FailsWith("InvalidResourceId", () => _ssm.ListTagsForResourceAsync(new ListTagsForResourceRequest { ResourceType = ResourceTypeForTagging.Parameter, ResourceId = "/t/missing" }));
        await FailsWith("InvalidResourceType", () => _ssm.ListTagsForResourceAsync(new ListTagsForResourceRequest { ResourceType = ResourceTypeForTagging.Document, ResourceId = "/t/p" }));
        await FailsWith("TooManyTagsError", () => _ssm.AddTagsToResourceAsync(new AddTagsToResourceRequest
        {
            ResourceType = ResourceTypeForTagging.Parameter,
            ResourceId = "/t/p",
            Tags = [.. Enumerable.Range(0, 50).Select(i => new Tag { Key = $"k{i}", Value = "v" })],
        }));
    }

    [Fact]
    public async Task GetParameters_and_DeleteParameters_name_the_missing_ones()
    {
        await PutAsync("/m/a", "1");
        await PutAsync("/m/b", "2");

        var got = await _ssm.GetParametersAsync(new GetParametersRequest { Names = ["/m/a", "/m/x", "/m/b"] });
        got.Parameters.Select(p => p.Value).Should().BeEquivalentTo(["1", "2"]);
        got.InvalidParameters.Should().Equal("/m/x");
        await FailsWith("ValidationException", () => _ssm.GetParametersAsync(new GetParametersRequest { Names = [.. Enumerable.Range(0, 11).Select(i => $"/m/{i}")] }));

        var deleted = await _ssm.DeleteParametersAsync(new DeleteParametersRequest { Names = ["/m/a", "/m/y"] });
        deleted.DeletedParameters.Should().Equal("/m/a");
        deleted.InvalidParameters.Should().Equal("/m/y");
        await _ssm.DeleteParameterAsync(new DeleteParameterRequest { Name = "/m/b" });
        await FailsWith("ParameterNotFound", () => _ssm.DeleteParameterAsync(new DeleteParameterRequest { Name = "/m/b" }));
    }

    [Fact]
    public async Task GetParametersByPath_pages_and_goes_down_only_when_recursive()
    {
        foreach (var name in new[] { "/p/a", "/p/b", "/p/c", "/p/sub/d", "/p/sub/deeper/e", "/pq/not-under", "/other" })
            await PutAsync(name, name);

        var direct = await _ssm.GetParametersByPathAsync(new GetParametersByPathRequest { Path = "/p" });
        direct.Parameters.Select(p => p.Name).Should().Equal("/p/a", "/p/b", "/p/c");

        var names = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await _ssm.GetParametersByPathAsync(new GetParametersByPathRequest { Path = "/p/", Recursive = true, MaxResults = 2, NextToken = token });
            page.Parameters.Count.Should().BeLessThanOrEqualTo(2);
            names.AddRange(page.Parameters.Select(p => p.Name));
            token = page.NextToken;
            pages++;
        }
        while (token is not null);
        pages.Should().Be(3);
        names.Should().Equal("/p/a", "/p/b", "/p/c", "/p/sub/d", "/p/sub/deeper/e");

        await FailsWith("ValidationException", () => _ssm.GetParametersByPathAsync(new GetParametersByPathRequest { Path = "p" }));
        var tooMany = 11; // a variable, past the SDK's own check, to see the service's answer
        await FailsWith("ValidationException", () => _ssm.GetParametersByPathAsync(new GetParametersByPathRequest { Path = "/p", MaxResults = tooMany }));
        await FailsWith("InvalidNextToken", () => _ssm.GetParametersByPathAsync(new GetParametersByPathRequest { Path = "/p", NextToken = "bogus" }));
    }

    [Fact]
    public async Task Parameters_are_per_account_in_the_inventory_and_survive_a_restart()
    {
        var directory = Directory.CreateTempSubdirectory("local-ssm-");
        try
        {
            await using (var host = await LocalAwsHost.StartAsync(new LocalAwsOptions { DataDirectory = directory.FullName }))
            using (var ssm = Client(host, "111122223333"))
            {
                await ssm.PutParameterAsync(new PutParameterRequest { Name = "/c1/token", Value = "s3cret", Type = ParameterType.SecureString });
                using var other = Client(host, "444455556666");
                await FailsWith("ParameterNotFound", () => other.GetParameterAsync(new GetParameterRequest { Name = "/c1/token" }));
                var inventory = await host.Http().GetStringAsync("/local/inventory");
                inventory.Should().Contain("\"type\":\"ssm:parameter\"").And.Contain("arn:aws:ssm:us-east-1:111122223333:parameter/c1/token").And.NotContain("s3cret");
            }

            await using var restarted = await LocalAwsHost.StartAsync(new LocalAwsOptions { DataDirectory = directory.FullName });
            using var again = Client(restarted, "111122223333");
            (await again.GetParameterAsync(new GetParameterRequest { Name = "/c1/token", WithDecryption = true })).Parameter.Value.Should().Be("s3cret");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_aws_cli_puts_gets_lists_and_deletes_parameters()
    {
        Task<AwsCliResult> Ssm(params string[] arguments) => AwsCli.RunAsync(_host, "test", ["ssm", .. arguments]);

        var put = await Ssm("put-parameter", "--name", "/cli/token", "--value", "abc.def", "--type", "SecureString", "--tags", "Key=palette:cluster,Value=c1");
        put.ExitCode.Should().Be(0, put.StandardError);
        put.Json.GetProperty("Version").GetInt64().Should().Be(1);

        var hidden = Ssm("get-parameter", "--name", "/cli/token");
        var shown = Ssm("get-parameter", "--name", "/cli/token", "--with-decryption");
        var again = Ssm("put-parameter", "--name", "/cli/token", "--value", "x", "--type", "SecureString");
        (await hidden).Json.GetProperty("Parameter").GetProperty("Value").GetString().Should().NotBe("abc.def");
        (await shown).Json.GetProperty("Parameter").GetProperty("Value").GetString().Should().Be("abc.def");
        (await again).StandardError.Should().Contain("(ParameterAlreadyExists)").And.Contain("The parameter already exists.");

        var byPath = Ssm("get-parameters-by-path", "--path", "/cli", "--with-decryption");
        var tags = Ssm("list-tags-for-resource", "--resource-type", "Parameter", "--resource-id", "/cli/token");
        (await byPath).Json.GetProperty("Parameters")[0].GetProperty("Value").GetString().Should().Be("abc.def");
        (await tags).Json.GetProperty("TagList")[0].GetProperty("Key").GetString().Should().Be("palette:cluster");

        (await Ssm("delete-parameter", "--name", "/cli/token")).ExitCode.Should().Be(0);
        var missing = await Ssm("get-parameter", "--name", "/cli/token");
        missing.ExitCode.Should().NotBe(0);
        missing.StandardError.Should().Contain("(ParameterNotFound)");
    }
}
