using PaletteServerless.Aws.Clients;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.Tests.Core;
using PaletteServerless.Local.Aws.Tests.Sts;

namespace PaletteServerless.Local.Aws.Tests.Iam;

/// <summary>The local IAM's one call, GetInstanceProfile, through our client and the AWS CLI.</summary>
public sealed class IamTests
{
    [Fact]
    public async Task The_node_instance_profile_exists_in_every_account_and_any_other_is_NoSuchEntity()
    {
        await using var host = await LocalAwsHost.StartAsync();
        using var tenant = new IamClient(OurClients.Options(host, "111122223333", "eu-west-1"));

        (await tenant.InstanceProfileExistsAsync("PaletteServerlessWorker")).Should().BeTrue();
        (await tenant.InstanceProfileExistsAsync("SomeoneElsesProfile")).Should().BeFalse();
    }

    [Fact]
    public async Task An_account_without_the_profile_answers_NoSuchEntity_as_IAM_does_to_the_AWS_CLI()
    {
        await using var host = await LocalAwsHost.StartAsync(new LocalAwsOptions { InstanceProfiles = new HashSet<string>() });
        using var client = new IamClient(OurClients.Options(host));

        (await client.InstanceProfileExistsAsync("PaletteServerlessWorker")).Should().BeFalse();
        var cli = await AwsCli.RunAsync(host, "test", "iam", "get-instance-profile", "--instance-profile-name", "PaletteServerlessWorker");
        cli.ExitCode.Should().NotBe(0);
        cli.StandardError.Should().Contain("NoSuchEntity").And.Contain("Instance Profile PaletteServerlessWorker cannot be found.");
    }

    [Fact]
    public async Task The_AWS_CLI_reads_the_profile_with_its_role()
    {
        await using var host = await LocalAwsHost.StartAsync();

        var cli = await AwsCli.RunAsync(host, "111122223333", "iam", "get-instance-profile", "--instance-profile-name", "PaletteServerlessWorker");

        cli.ExitCode.Should().Be(0, cli.StandardError);
        var profile = cli.Json.GetProperty("InstanceProfile");
        profile.GetProperty("Arn").GetString().Should().Be("arn:aws:iam::111122223333:instance-profile/PaletteServerlessWorker");
        profile.GetProperty("Roles")[0].GetProperty("RoleName").GetString().Should().Be("PaletteServerlessWorker");
    }
}
