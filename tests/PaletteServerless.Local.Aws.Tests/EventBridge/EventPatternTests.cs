using System.Text.Json;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.EventBridge;

namespace PaletteServerless.Local.Aws.Tests.EventBridge;

public class EventPatternTests
{
    private const string Event = """
        {"version":"0","id":"1","detail-type":"ClusterStatusChanged","source":"palette.clusters","account":"123456789012",
         "time":"2026-11-24T12:00:00Z","region":"us-east-1","resources":["arn:a","arn:b"],
         "detail":{"status":"Running","previous":"Provisioning","nodes":3,"cluster":{"name":"c1-prod"},"tags":["x","y"]}}
        """;

    private static bool Matches(string pattern)
    {
        using var evt = JsonDocument.Parse(Event);
        return EventPattern.Parse(pattern).Matches(evt.RootElement);
    }

    [Theory]
    [InlineData("""{"source":["palette.clusters"]}""", true)]
    [InlineData("""{"source":["other","palette.clusters"]}""", true)]
    [InlineData("""{"source":["other"]}""", false)]
    [InlineData("""{"source":["palette.clusters"],"detail-type":["ClusterStatusChanged"],"detail":{"status":["Running"]}}""", true)]
    [InlineData("""{"detail":{"status":["Failed"]}}""", false)]
    [InlineData("""{"detail":{"cluster":{"name":[{"prefix":"c1-"}]}}}""", true)]
    [InlineData("""{"detail":{"cluster":{"name":[{"prefix":"c2-"}]}}}""", false)]
    [InlineData("""{"detail":{"cluster":{"name":[{"suffix":"-prod"}]}}}""", true)]
    [InlineData("""{"detail":{"status":[{"anything-but":"Failed"}]}}""", true)]
    [InlineData("""{"detail":{"status":[{"anything-but":["Running","Failed"]}]}}""", false)]
    [InlineData("""{"detail":{"status":[{"anything-but":{"prefix":"Run"}}]}}""", false)]
    [InlineData("""{"detail":{"missing":[{"anything-but":"x"}]}}""", false)]
    [InlineData("""{"detail":{"nodes":[{"numeric":[">",0,"<=",3]}]}}""", true)]
    [InlineData("""{"detail":{"nodes":[{"numeric":[">",3]}]}}""", false)]
    [InlineData("""{"detail":{"nodes":[3]}}""", true)]
    [InlineData("""{"detail":{"previous":[{"exists":true}]}}""", true)]
    [InlineData("""{"detail":{"missing":[{"exists":true}]}}""", false)]
    [InlineData("""{"detail":{"missing":[{"exists":false}]}}""", true)]
    [InlineData("""{"detail":{"previous":[{"exists":false}]}}""", false)]
    [InlineData("""{"resources":["arn:b"]}""", true)]
    [InlineData("""{"detail":{"tags":["y"]}}""", true)]
    [InlineData("""{"detail":{"status":[{"equals-ignore-case":"running"}]}}""", true)]
    [InlineData("""{"detail":{"cluster":{"name":[{"wildcard":"c1-*"}]}}}""", true)]
    public void Pattern_matches_as_EventBridge_does(string pattern, bool expected)
    {
        Matches(pattern).Should().Be(expected);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("""{"source":"palette.clusters"}""")]
    [InlineData("""{"source":[{"regex":"x"}]}""")]
    [InlineData("""{"detail":{"n":[{"numeric":[">","a"]}]}}""")]
    [InlineData("not json")]
    public void Invalid_patterns_are_InvalidEventPatternException(string pattern)
    {
        var act = () => EventPattern.Parse(pattern);

        act.Should().Throw<AwsErrorException>().Which.Code.Should().Be("InvalidEventPatternException");
    }
}
