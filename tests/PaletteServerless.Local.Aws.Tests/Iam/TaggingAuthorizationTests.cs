using Microsoft.Extensions.Time.Testing;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.Tagging;
using static PaletteServerless.Local.Aws.Tests.Iam.AuthorizationCalls;

namespace PaletteServerless.Local.Aws.Tests.Iam;

/// <summary>The Resource Groups Tagging API's map: the SAR lists no resource types for its reads.</summary>
public sealed class TaggingAuthorizationTests : IDisposable
{
    private readonly LocalAws _aws = new(clock: new FakeTimeProvider());

    public void Dispose() => _aws.Dispose();

    [Theory]
    [InlineData("GetResources")]
    [InlineData("GetTagKeys")]
    [InlineData("GetTagValues")]
    public void Each_read_is_one_check_on_every_resource(string operation)
    {
        Json(new TaggingService(), _aws, operation, """{"TagFilters":[{"Key":"kubernetes.io/cluster/c1"}]}""")
            .Should().Equal($"tag:{operation} *");
    }

    [Fact]
    public void An_operation_the_local_tagging_API_does_not_answer_is_not_mapped()
    {
        Json(new TaggingService(), _aws, "TagResources", "{}").Should().BeNull();
    }
}
