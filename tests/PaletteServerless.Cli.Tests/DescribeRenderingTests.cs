using System.Text.Json.Nodes;
using PaletteServerless.Cli.Output;
using Spectre.Console;

namespace PaletteServerless.Cli.Tests;

/// <summary>What `clusters describe` prints of fields the local stack's answers may not carry yet, from an answer as the API documents it.</summary>
public sealed class DescribeRenderingTests
{
    private static string Render(JsonNode cluster, JsonNode? nodes)
    {
        var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No, Out = new AnsiConsoleOutput(text),
        });
        console.Profile.Width = 240;
        console.Write(ClusterDescription.Render(cluster, [], "$0.1/h", colour: false, nodes));
        return text.ToString();
    }

    private static JsonNode Cluster(string settings) => JsonNode.Parse($$$"""
        {"name":"c","status":"Running","cloudAccount":"main","cloud":{"region":"us-east-1","placement":{"mode":"dynamic"}},
         "profile":{"name":"p","version":"1.0.0"},"conditions":[],{{{settings}}}
         "nodePools":[{"name":"workers","role":"worker","count":1,"instanceType":"m5.large","availabilityZones":["us-east-1a"],
           "healthCheck":{"enabled":false}}]}
        """)!;

    [Fact]
    public void Each_node_shows_its_Kubernetes_version_when_the_nodes_answer_carries_it()
    {
        var nodes = JsonNode.Parse("""
            {"pools":[{"name":"workers","nodes":[
              {"instanceId":"i-1","zone":"us-east-1a","instanceType":"m5.large","state":"running","phase":"Ready","kubernetesVersion":"v1.31.2"},
              {"instanceId":"i-2","zone":"us-east-1a","instanceType":"m5.large","state":"pending","phase":null}]}]}
            """);

        var text = Render(Cluster(""), nodes);

        text.Should().Contain("i-1  us-east-1a  m5.large  running  Ready  kubernetes v1.31.2");
        text.Should().MatchRegex(@"i-2  us-east-1a  m5\.large  pending  -\s*\n");
        text.Should().Contain("health check: off").And.Contain("description: (none)").And.Contain("tags: (none)");
        text.Should().Contain("api load balancer: internet-facing").And.Contain("worker pools update: one after another");
    }

    [Fact]
    public void Settings_are_shown_one_line_each_and_none_as_none()
    {
        Render(Cluster(""), null).Should().MatchRegex(@"settings\s*\n.*\(none\)");

        var text = Render(Cluster("""
            "settings":{"securityScans":{"enabled":true,"schedule":"0 4 * * SAT"},"virtualClusters":{"enabled":false},
              "rbac":[{"type":"ClusterRoleBinding","role":"view","subjects":[{"kind":"User","name":"ana"},{"kind":"Group","name":"ops"}]}]},
            """), null);

        text.Should().Contain("security scans: on, 0 4 * * SAT").And.Contain("virtual clusters: off")
            .And.Contain("rbac: ClusterRoleBinding view to User ana, Group ops");
    }
}
