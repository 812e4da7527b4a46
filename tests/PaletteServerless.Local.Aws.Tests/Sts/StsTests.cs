using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using PaletteServerless.Aws.Clients;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.Sts;
using PaletteServerless.Local.Aws.Tests.Core;

namespace PaletteServerless.Local.Aws.Tests.Sts;

public class StsTests
{
    private const string TenantAccount = "111122223333";
    private static readonly string DefaultRoleArn = $"arn:aws:iam::{TenantAccount}:role/{StsRoleCatalog.DefaultRoleName}";

    private static StsService Sts(LocalAwsHost host) => host.Aws.Services.OfType<StsService>().Single();

    [Fact]
    public async Task AssumeRole_with_the_trusted_external_id_returns_credentials_that_act_in_the_role_account()
    {
        await using var host = await LocalAwsHost.StartAsync();
        using var sts = host.Sts();

        var assumed = await sts.AssumeRoleAsync(new AssumeRoleRequest
        {
            RoleArn = DefaultRoleArn,
            RoleSessionName = "provision-c1",
            ExternalId = "palette-local",
        });

        assumed.Credentials.AccessKeyId.Should().Be(TenantAccount);
        assumed.Credentials.SecretAccessKey.Should().NotBeNullOrEmpty();
        assumed.Credentials.SessionToken.Should().NotBeNullOrEmpty();
        assumed.Credentials.Expiration!.Value.ToUniversalTime().Should().Be(host.Clock.GetUtcNow().UtcDateTime.AddHours(1));
        assumed.AssumedRoleUser.Arn.Should().Be($"arn:aws:sts::{TenantAccount}:assumed-role/PaletteServerlessClusterBuilder/provision-c1");
        assumed.AssumedRoleUser.AssumedRoleId.Should().MatchRegex("^AROA[A-Z2-7]{17}:provision-c1$");

        using var asRole = new AmazonSecurityTokenServiceClient(
            new SessionAWSCredentials(assumed.Credentials.AccessKeyId, assumed.Credentials.SecretAccessKey, assumed.Credentials.SessionToken),
            new AmazonSecurityTokenServiceConfig { ServiceURL = host.Url, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });
        var identity = await asRole.GetCallerIdentityAsync(new GetCallerIdentityRequest());
        identity.Account.Should().Be(TenantAccount);
        identity.Arn.Should().Be(assumed.AssumedRoleUser.Arn);
        identity.UserId.Should().Be(assumed.AssumedRoleUser.AssumedRoleId);
    }

    [Theory]
    [InlineData("wrong-id")]
    [InlineData(null)]
    public async Task AssumeRole_with_a_wrong_or_missing_external_id_is_AccessDenied(string? externalId)
    {
        await using var host = await LocalAwsHost.StartAsync();
        using var sts = host.Sts();

        var act = () => sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = DefaultRoleArn, RoleSessionName = "s1", ExternalId = externalId });

        var error = (await act.Should().ThrowAsync<AmazonSecurityTokenServiceException>()).Which;
        error.ErrorCode.Should().Be("AccessDenied");
        error.StatusCode.Should().Be(System.Net.HttpStatusCode.Forbidden);
        error.Message.Should().Be($"User: arn:aws:iam::000000000000:root is not authorized to perform: sts:AssumeRole on resource: {DefaultRoleArn}");
    }

    [Fact]
    public async Task Seeded_roles_trust_their_own_external_id_and_unknown_roles_are_refused()
    {
        await using var host = await LocalAwsHost.StartAsync();
        Sts(host).Roles.Seed(new StsRole(TenantAccount, StsRoleCatalog.DefaultRoleName, "tenant-42"));
        Sts(host).Roles.Seed(new StsRole("444455556666", "Deployer", ExternalId: null, TrustedAccount: "123456789012"));
        using var sts = host.Sts();
        using var controlPlane = host.Sts("123456789012");

        var withOldId = () => sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = DefaultRoleArn, RoleSessionName = "s1", ExternalId = "palette-local" });
        var unknown = () => sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = $"arn:aws:iam::{TenantAccount}:role/Nope", RoleSessionName = "s1", ExternalId = "tenant-42" });
        var untrustedCaller = () => sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = "arn:aws:iam::444455556666:role/Deployer", RoleSessionName = "s1" });

        (await withOldId.Should().ThrowAsync<AmazonSecurityTokenServiceException>()).Which.ErrorCode.Should().Be("AccessDenied");
        (await unknown.Should().ThrowAsync<AmazonSecurityTokenServiceException>()).Which.ErrorCode.Should().Be("AccessDenied");
        (await untrustedCaller.Should().ThrowAsync<AmazonSecurityTokenServiceException>()).Which.ErrorCode.Should().Be("AccessDenied");
        (await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = DefaultRoleArn, RoleSessionName = "s1", ExternalId = "tenant-42" }))
            .Credentials.AccessKeyId.Should().Be(TenantAccount);
        (await controlPlane.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = "arn:aws:iam::444455556666:role/Deployer", RoleSessionName = "s1" }))
            .Credentials.AccessKeyId.Should().Be("444455556666");
    }

    [Fact]
    public async Task Roles_can_be_seeded_from_a_json_file()
    {
        await using var host = await LocalAwsHost.StartAsync();
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, """{ "roles": [ { "account": "111122223333", "name": "Provisioner", "externalId": "from-file" } ] }""");
            Sts(host).Roles.LoadFile(file);
        }
        finally
        {
            File.Delete(file);
        }
        using var sts = host.Sts();

        var assumed = await sts.AssumeRoleAsync(new AssumeRoleRequest
        {
            RoleArn = $"arn:aws:iam::{TenantAccount}:role/Provisioner", RoleSessionName = "s1", ExternalId = "from-file",
        });

        assumed.AssumedRoleUser.Arn.Should().Be($"arn:aws:sts::{TenantAccount}:assumed-role/Provisioner/s1");
    }

    [Theory]
    [InlineData("RoleSessionName", "has space")]
    [InlineData("DurationSeconds", "60")]
    [InlineData("RoleArn", "arn:aws:iam::12:role/x")]
    public async Task Invalid_session_names_durations_and_arns_are_validation_errors(string parameter, string value)
    {
        await using var host = await LocalAwsHost.StartAsync();
        // Our query client, because the SDK refuses these values before sending them.
        using var query = new AwsQueryProtocolClient(AwsService.Sts, "2011-06-15", OurClients.Options(host));
        var parameters = new Dictionary<string, string> { ["RoleArn"] = DefaultRoleArn, ["RoleSessionName"] = "s1", ["ExternalId"] = "palette-local" };
        parameters[parameter] = value;

        var act = () => query.InvokeAsync("AssumeRole", parameters, CancellationToken.None);

        var error = (await act.Should().ThrowAsync<AwsServiceException>()).Which;
        error.ErrorCode.Should().Be("ValidationError");
        error.StatusCode.Should().Be(System.Net.HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("123456789012", "123456789012", "arn:aws:iam::123456789012:root")]
    [InlineData("AKIDEXAMPLE", SigV4Credential.DefaultAccount, "arn:aws:iam::000000000000:root")]
    public async Task GetCallerIdentity_reports_the_account_the_key_selects(string accessKeyId, string account, string arn)
    {
        await using var host = await LocalAwsHost.StartAsync();
        using var sts = host.Sts(accessKeyId);

        var identity = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest());

        identity.Account.Should().Be(account);
        identity.Arn.Should().Be(arn);
    }

    [Fact]
    public async Task Assumed_credentials_see_the_role_account_world_through_our_clients()
    {
        await using var host = await LocalAwsHost.StartAsync();
        using var sts = host.Sts();
        var assumed = (await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = DefaultRoleArn, RoleSessionName = "s1", ExternalId = "palette-local" })).Credentials;
        using var asRole = host.Events(credentials: new SessionAWSCredentials(assumed.AccessKeyId, assumed.SecretAccessKey, assumed.SessionToken));
        using var tenant = host.Events(TenantAccount);
        using var defaultAccount = host.Events();

        await asRole.CreateEventBusAsync("clusters");

        (await tenant.ListEventBusesAsync()).EventBuses!.Select(b => b.Arn)
            .Should().Contain($"arn:aws:events:us-east-1:{TenantAccount}:event-bus/clusters");
        (await defaultAccount.ListEventBusesAsync()).EventBuses!.Select(b => b.Name).Should().Equal("default");
    }

    [Fact]
    public async Task The_AWS_CLI_assumes_roles_and_is_refused_with_a_wrong_external_id()
    {
        await using var host = await LocalAwsHost.StartAsync();

        // Independent commands run side by side: each CLI start costs about a second.
        var refusedRun = AwsCli.RunAsync(host, "test", "sts", "assume-role",
            "--role-arn", DefaultRoleArn, "--role-session-name", "cli", "--external-id", "wrong");
        var assumedRun = AwsCli.RunAsync(host, "test", "sts", "assume-role",
            "--role-arn", DefaultRoleArn, "--role-session-name", "cli", "--external-id", "palette-local");
        var identityRun = AwsCli.RunAsync(host, TenantAccount, "sts", "get-caller-identity");
        var (refused, assumed, identity) = (await refusedRun, await assumedRun, await identityRun);

        refused.ExitCode.Should().NotBe(0);
        refused.StandardError.Should().Contain("AccessDenied");
        assumed.ExitCode.Should().Be(0, assumed.StandardError);
        assumed.Json.GetProperty("Credentials").GetProperty("AccessKeyId").GetString().Should().Be(TenantAccount);
        identity.Json.GetProperty("Account").GetString().Should().Be(TenantAccount);
    }
}
