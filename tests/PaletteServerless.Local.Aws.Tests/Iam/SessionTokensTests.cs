using PaletteServerless.Local.Aws.Iam;

namespace PaletteServerless.Local.Aws.Tests.Iam;

/// <summary>A local STS session token describes its session, so the session outlives a restart, and cannot be forged.</summary>
public sealed class SessionTokensTests
{
    private static readonly SessionTokens.Session Session = new("ASIAEXAMPLE", "arn:aws:iam::111122223333:role/palette-serverless/PaletteServerlessClusterBuilder",
        "provision-c1", DateTimeOffset.Parse("2026-12-07T03:00:00Z", System.Globalization.CultureInfo.InvariantCulture), null,
        new Dictionary<string, string> { ["tenant"] = "acme" }, "palette");

    [Fact]
    public void A_token_reads_back_as_the_session_it_describes()
    {
        var read = SessionTokens.Read(SessionTokens.Write(Session));
        read.Should().NotBeNull();
        read!.RoleArn.Should().Be(Session.RoleArn);
        read.Expiration.Should().Be(Session.Expiration);
        read.Tags.Should().BeEquivalentTo(Session.Tags);
    }

    [Fact]
    public void A_changed_or_foreign_token_describes_nothing()
    {
        var token = SessionTokens.Write(Session);
        var parts = token.Split('.');
        var forged = SessionTokens.Write(Session with { RoleArn = "arn:aws:iam::111122223333:role/Admin" }).Split('.');
        SessionTokens.Read($"{parts[0]}.{forged[1]}.{parts[2]}").Should().BeNull("the body no longer matches its MAC");
        SessionTokens.Read("FwoGZXIvYXdzEJr//////////wEaDM").Should().BeNull();
    }
}
