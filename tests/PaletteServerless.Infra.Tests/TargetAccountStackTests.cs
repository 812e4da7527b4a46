using Amazon.CDK.Assertions;
using PaletteServerless.Infra.Tests.Support;

namespace PaletteServerless.Infra.Tests;

public sealed class TargetAccountStackTests(SynthesizedApp synthesized) : IClassFixture<SynthesizedApp>
{
    [Fact]
    public void The_role_lives_under_the_product_path_and_trusts_only_the_product_account_with_the_external_id()
    {
        var template = synthesized.TargetTemplate;
        template.ResourceCountIs("AWS::IAM::Role", 3); // the cluster builder, and the control-plane and worker roles (NodeAccessTests)
        template.HasResourceProperties("AWS::IAM::Role", new Dictionary<string, object>
        {
            ["Path"] = "/palette-serverless/",
            ["RoleName"] = TargetAccountStack.RoleName,
        });
        var trust = synthesized.TargetJson.Resources("AWS::IAM::Role").Single(r => r.Resource["Properties"]!["RoleName"]!.GetValue<string>() == TargetAccountStack.RoleName).Resource["Properties"]!["AssumeRolePolicyDocument"]!["Statement"]!.AsArray();
        trust.Should().HaveCount(2);
        // Assuming needs the registration's external id, and only the product's function roles may (not any principal of its account).
        var assume = trust.Single(s => s!["Action"]!.ToJsonString() == "\"sts:AssumeRole\"")!;
        assume["Condition"]!["StringEquals"]!.ToJsonString().Should().Be("{\"sts:ExternalId\":{\"Ref\":\"ExternalId\"}}");
        assume["Condition"]!["ArnLike"]!["aws:PrincipalArn"]!.ToJsonString().Should().Contain(":role/palette-serverless-functions/*").And.Contain("{\"Ref\":\"ProductAccountId\"}");
        // The same roles tag their sessions and set a source identity.
        var tagging = trust.Single(s => s?["Sid"]?.GetValue<string>() == "ProductFunctionsTagSessions")!;
        TemplateJson.Strings(tagging["Action"]).Should().BeEquivalentTo(["sts:TagSession", "sts:SetSourceIdentity"]);
        tagging["Condition"]!["ArnLike"]!["aws:PrincipalArn"]!.ToJsonString().Should().Contain(":role/palette-serverless-functions/*");
        foreach (var statement in trust)
            statement!["Principal"]!["AWS"]!.ToJsonString().Should().Contain("{\"Ref\":\"ProductAccountId\"}").And.Contain(":root");
        template.HasParameter("ExternalId", new Dictionary<string, object> { ["NoEcho"] = true });
        template.HasOutput("RoleArn", Match.AnyValue());
        // Deployable as a plain template, without CDK bootstrap in the target account.
        synthesized.TargetJson.Root["Parameters"]!.AsObject().Select(p => p.Key).Should().BeEquivalentTo(["ProductAccountId", "ExternalId", "Tenant"]);
        synthesized.TargetJson.Root["Rules"].Should().BeNull();
    }

    [Fact]
    public void The_role_can_do_every_cluster_step_and_nothing_outside_EC2_ELB_tag_lookups_quota_reads_the_secrets_and_passing_the_node_role()
    {
        // The cluster builder's managed policies (the node roles' statements are judged in NodeAccessTests).
        var actions = synthesized.TargetJson.PolicyStatements().Where(s => !s.Owner.StartsWith("Nodes", StringComparison.Ordinal))
            .SelectMany(s => TemplateJson.Strings(s.Statement["Action"])).ToList();
        actions.Should().Contain(["ec2:CreateVpc", "ec2:RunInstances", "ec2:TerminateInstances", "elasticloadbalancing:CreateLoadBalancer",
            "elasticloadbalancing:DeleteLoadBalancer", "ec2:DeleteVpc", "elasticloadbalancing:RegisterTargets",
            "servicequotas:GetServiceQuota"]);
        actions.Should().OnlyContain(a => a.StartsWith("ec2:", StringComparison.Ordinal)
            || a.StartsWith("elasticloadbalancing:", StringComparison.Ordinal)
            || a == "tag:GetResources" || a == "servicequotas:GetServiceQuota"
            || a.StartsWith("ssm:", StringComparison.Ordinal) || a.StartsWith("kms:", StringComparison.Ordinal)
            || a == "iam:PassRole" || a == "iam:GetInstanceProfile"
            // The cluster's backup bucket (settings.backup), and reading what Velero wrote to a backup location.
            || a.StartsWith("s3:", StringComparison.Ordinal));
    }
}
