using Microsoft.Extensions.Time.Testing;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.Iam;
using static PaletteServerless.Local.Aws.Tests.Iam.AuthorizationCalls;

namespace PaletteServerless.Local.Aws.Tests.Iam;

/// <summary>The local IAM's map: GetInstanceProfile on the profile's ARN, which its name alone gives.</summary>
public sealed class IamAuthorizationTests : IDisposable
{
    private readonly LocalAws _aws = new(clock: new FakeTimeProvider());

    public void Dispose() => _aws.Dispose();

    [Theory]
    [InlineData("PaletteServerlessWorker")]
    [InlineData("SomeoneElsesProfile")]
    public void Reading_an_instance_profile_is_checked_on_its_ARN_whether_or_not_it_exists(string name)
    {
        Query(new IamService(), _aws, "GetInstanceProfile", ("InstanceProfileName", name))
            .Should().Equal($"iam:GetInstanceProfile arn:aws:iam::000000000000:instance-profile/{name}");
    }

    [Fact]
    public void An_operation_the_local_IAM_does_not_answer_is_not_mapped()
    {
        Query(new IamService(), _aws, "GetRole", ("RoleName", "PaletteServerlessWorker")).Should().BeNull();
    }
}
