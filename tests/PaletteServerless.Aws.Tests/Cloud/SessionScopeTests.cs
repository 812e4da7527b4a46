using System.Text.Json.Nodes;
using PaletteServerless.Aws.Cloud;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Manifest;

namespace PaletteServerless.Aws.Tests.Cloud;

/// <summary>What every session into a cloud account carries: its tags, source identity and session policy.</summary>
public class SessionScopeTests
{
    private static readonly ProjectScope Project = new("acme", "web");
    private const string Uid = "0123456789abcdef0123456789abcdef";

    [Fact]
    public void A_cluster_session_is_tagged_with_tenant_project_and_uid_and_names_its_source()
    {
        var scope = SessionScope.OfCluster(FunctionCatalog.Network.Name, Project, Uid);
        scope.Tags.Should().BeEquivalentTo(new Dictionary<string, string>
        {
            ["palette.serverless/tenant"] = "acme",
            ["palette.serverless/project"] = "web",
            ["palette.serverless/cluster-uid"] = Uid,
        });
        scope.SourceIdentity.Should().Be("acme.web");
        scope.RoleSessionName.Should().Be($"palette-{Uid}");
    }

    [Fact]
    public void The_session_policy_holds_only_the_functions_actions_and_only_for_its_cluster()
    {
        var policy = JsonNode.Parse(SessionScope.OfCluster(FunctionCatalog.NodePoolsCheck.Name, Project, Uid).PolicyJson())!;
        var statement = policy["Statement"]!.AsArray().Single()!;
        statement["Action"]!.AsArray().Select(a => a!.GetValue<string>()).Should().BeEquivalentTo(ClusterActions.OfFunction(FunctionCatalog.NodePoolsCheck.Name))
            .And.Contain("elasticloadbalancing:RegisterTargets").And.NotContain("ec2:RunInstances");
        // The cluster is the session's uid tag: the same text for every cluster of a function.
        statement["Condition"]!["StringEqualsIfExists"]!["aws:ResourceTag/palette.serverless/cluster-uid"]!.GetValue<string>().Should().Be("${aws:PrincipalTag/palette.serverless/cluster-uid}");
        statement["Condition"]!["StringEqualsIfExists"]!["aws:RequestTag/palette.serverless/cluster-uid"]!.GetValue<string>().Should().Be("${aws:PrincipalTag/palette.serverless/cluster-uid}");
        SessionScope.OfCluster(FunctionCatalog.NodePoolsCheck.Name, Project, "ffffffffffffffffffffffffffffffff").PolicyJson()
            .Should().Be(SessionScope.OfCluster(FunctionCatalog.NodePoolsCheck.Name, Project, Uid).PolicyJson());

        var project = JsonNode.Parse(SessionScope.OfProject(FunctionCatalog.Api.Name, Project, "palette-cloud-account-read").PolicyJson())!;
        project["Statement"]![0]!["Condition"].Should().BeNull("a project's session carries no cluster uid tag, so the role lets it change nothing tagged");
        SessionScope.OfProject(FunctionCatalog.Api.Name, Project, "x").Tags.Should().NotContainKey("palette.serverless/cluster-uid");
    }

    [Fact]
    public void Every_functions_session_policy_fits_STSs_2048_characters()
    {
        foreach (var function in FunctionCatalog.All.Where(f => FunctionAccessCatalog.Table[f.Name].Cluster != ClusterPermissions.None))
            SessionScope.OfCluster(function.Name, new ProjectScope(new string('t', 63), new string('p', 63)), Uid).PolicyJson().Length
                .Should().BeLessThanOrEqualTo(2048, function.Name);
    }

    [Fact]
    public void A_function_outside_the_access_table_opens_no_session()
    {
        FluentActions.Invoking(() => SessionScope.OfCluster("Mystery", Project, Uid).PolicyJson())
            .Should().Throw<InvalidOperationException>().WithMessage("*Mystery*");
    }
}
