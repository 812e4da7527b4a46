using Amazon.Runtime;
using PaletteServerless.Aws.Clients;
using PaletteServerless.Local.Aws.Tests.Core;

namespace PaletteServerless.Local.Aws.Tests.Sts;

/// <summary>Our production SigV4 clients (functions/PaletteServerless.Aws/Clients) pointed at a local AWS host.</summary>
public static class OurClients
{
    public static AwsClientOptions Options(LocalAwsHost host, string accessKeyId = "test", string region = "us-east-1", AWSCredentials? credentials = null) =>
        new(region)
        {
            Credentials = credentials ?? new BasicAWSCredentials(accessKeyId, "test"),
            Endpoint = new Uri(host.Url),
            // Retries would hide the errors the tests are about.
            MaxAttempts = 1,
        };

    public static Elbv2Client Elbv2(this LocalAwsHost host, string accessKeyId = "test", string region = "us-east-1") => new(Options(host, accessKeyId, region));

    public static EventBridgeClient Events(this LocalAwsHost host, string accessKeyId = "test", string region = "us-east-1", AWSCredentials? credentials = null) =>
        new(Options(host, accessKeyId, region, credentials));

    public static TaggingClient Tagging(this LocalAwsHost host, string accessKeyId = "test", string region = "us-east-1") => new(Options(host, accessKeyId, region));
}
