using PaletteServerless.Local.Aws.Tests.Sts;
using PaletteServerless.Testing;

namespace PaletteServerless.Local.Aws.Tests.S3;

/// <summary>
/// The AWS CLI against the local S3 (<c>aws s3api ...</c> and <c>aws s3 cp/ls</c> with --endpoint-url):
/// botocore's own wire format (its checksums, its encoding-type=url listings, its LocationConstraint).
/// </summary>
public sealed class S3CliTests : S3TestBase
{
    private Task<AwsCliResult> Cli(params string[] arguments) => AwsCli.RunAsync(Host, "test", arguments);

    private static AwsCliResult Succeeded(AwsCliResult result)
    {
        result.ExitCode.Should().Be(0, result.StandardError);
        return result;
    }

    [Fact]
    public async Task The_CLI_configures_a_backup_bucket_copies_a_file_in_and_out_and_lists_it()
    {
        Succeeded(await Cli("s3api", "create-bucket", "--bucket", "cli-backups"));
        var configured = await Task.WhenAll(
            Cli("s3api", "put-bucket-tagging", "--bucket", "cli-backups", "--tagging", "TagSet=[{Key=cluster,Value=c1}]"),
            Cli("s3api", "put-public-access-block", "--bucket", "cli-backups", "--public-access-block-configuration",
                "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true"),
            Cli("s3api", "put-bucket-encryption", "--bucket", "cli-backups", "--server-side-encryption-configuration",
                """{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms"},"BucketKeyEnabled":true}]}"""),
            Cli("s3api", "put-bucket-lifecycle-configuration", "--bucket", "cli-backups", "--lifecycle-configuration",
                """{"Rules":[{"ID":"retention","Status":"Enabled","Filter":{"Prefix":"backups/"},"Expiration":{"Days":14}}]}"""));
        foreach (var result in configured)
            Succeeded(result);

        var file = Path.GetTempFileName();
        var back = file + ".back";
        try
        {
            await File.WriteAllTextAsync(file, string.Concat(Enumerable.Repeat("backup contents\n", 20000)));
            Succeeded(await Cli("s3", "cp", file, "s3://cli-backups/backups/c1/backup.tar"));
            var listing = Succeeded(await Cli("s3", "ls", "s3://cli-backups/backups/c1/"));
            listing.StandardOutput.Should().Contain("backup.tar").And.Contain("320000");
            Succeeded(await Cli("s3", "cp", "s3://cli-backups/backups/c1/backup.tar", back));
            (await File.ReadAllTextAsync(back)).Should().Be(await File.ReadAllTextAsync(file));
        }
        finally
        {
            File.Delete(file);
            File.Delete(back);
        }

        var lifecycle = Succeeded(await Cli("s3api", "get-bucket-lifecycle-configuration", "--bucket", "cli-backups")).Json.GetProperty("Rules")[0];
        lifecycle.GetProperty("Expiration").GetProperty("Days").GetInt32().Should().Be(14);
        var head = Succeeded(await Cli("s3api", "head-object", "--bucket", "cli-backups", "--key", "backups/c1/backup.tar")).Json;
        head.GetProperty("ServerSideEncryption").GetString().Should().Be("aws:kms");
        head.GetProperty("Expiration").GetString().Should().Contain("rule-id=\"retention\"");

        var tagged = Succeeded(await Cli("resourcegroupstaggingapi", "get-resources", "--resource-type-filters", "s3")).Json.GetProperty("ResourceTagMappingList");
        tagged[0].GetProperty("ResourceARN").GetString().Should().Be("arn:aws:s3:::cli-backups");
    }

    [Fact]
    public async Task The_CLI_meets_S3s_errors()
    {
        var usEast = await Cli("s3api", "create-bucket", "--bucket", "cli-explicit", "--create-bucket-configuration", "LocationConstraint=us-east-1");
        usEast.ExitCode.Should().NotBe(0);
        usEast.StandardError.Should().Contain("(InvalidLocationConstraint)").And.Contain("The specified location-constraint is not valid");

        Succeeded(await Cli("s3api", "create-bucket", "--bucket", "cli-errors"));
        var missingKey = await Cli("s3api", "get-object", "--bucket", "cli-errors", "--key", "absent", Path.Combine(Path.GetTempPath(), "absent-" + Guid.NewGuid()));
        missingKey.StandardError.Should().Contain("(NoSuchKey)");
        var noTags = await Cli("s3api", "get-bucket-tagging", "--bucket", "cli-errors");
        noTags.StandardError.Should().Contain("(NoSuchTagSet)").And.Contain("The TagSet does not exist");
        var noLifecycle = await Cli("s3api", "get-bucket-lifecycle-configuration", "--bucket", "cli-errors");
        noLifecycle.StandardError.Should().Contain("(NoSuchLifecycleConfiguration)");
        Succeeded(await Cli("s3api", "delete-public-access-block", "--bucket", "cli-errors"));
        var noBlock = await Cli("s3api", "get-public-access-block", "--bucket", "cli-errors");
        noBlock.StandardError.Should().Contain("(NoSuchPublicAccessBlockConfiguration)");
        var noBucket = await Cli("s3api", "delete-bucket", "--bucket", "cli-never-made");
        noBucket.StandardError.Should().Contain("(NoSuchBucket)");
    }
}
