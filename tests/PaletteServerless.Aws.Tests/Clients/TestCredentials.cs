using Amazon.Runtime;
using PaletteServerless.Aws.Clients;

namespace PaletteServerless.Aws.Tests.Clients;

internal static class TestCredentials
{
    public const string AccessKey = "AKIDEXAMPLE";
    public const string SecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    public static AwsClientOptions For(LoopbackAwsServer server, string region = "us-east-1") => new(region)
    {
        Credentials = new BasicAWSCredentials(AccessKey, SecretKey),
        Endpoint = server.Endpoint,
        BaseRetryDelay = TimeSpan.FromMilliseconds(1),
    };
}
