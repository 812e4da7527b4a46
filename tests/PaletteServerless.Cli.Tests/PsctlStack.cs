using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using PaletteServerless.Local;
using PaletteServerless.Local.Node;

namespace PaletteServerless.Cli.Tests;

/// <summary>
/// The local stack in the test process, started as tests/PaletteServerless.EndToEnd.Tests does,
/// with an EC2 key pair (the product doc's prerequisite) made through the local AWS.
/// psctl reaches it only over HTTP, like any user.
/// </summary>
public sealed class PsctlStack : IAsyncLifetime
{
    public const double TimeScale = 600;
    public const string KeyName = "cli-key";

    public LocalStack Stack { get; private set; } = null!;

    public Uri Endpoint => Stack.Endpoint;

    public async Task InitializeAsync()
    {
        Stack = await LocalStack.StartAsync(new LocalStackOptions
        {
            Port = 0,
            TimeScale = TimeScale,
        }, TextWriter.Null, CancellationToken.None);
        using var ec2 = new AmazonEC2Client(new BasicAWSCredentials("000000000000", "cli"),
            new AmazonEC2Config { ServiceURL = Stack.Endpoint.ToString(), AuthenticationRegion = "us-east-1" });
        await ec2.CreateKeyPairAsync(new CreateKeyPairRequest { KeyName = KeyName });
    }

    public async Task DisposeAsync() => await Stack.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class PsctlStackCollection : ICollectionFixture<PsctlStack>
{
    public const string Name = "psctl against the local stack";
}
