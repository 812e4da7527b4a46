using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Infra.Tests.Support;

namespace PaletteServerless.Infra.Tests;

/// <summary>
/// The nodes' access to their cluster's secrets (issue 13), in the target-account stack and in the
/// product stack (cloud accounts without a role build in the product account): the KMS key, the
/// node role and its instance profile, and a policy that reaches only the tenant's path and, by
/// the parameter's VPC tag, only the node's own cluster.
/// </summary>
public sealed class NodeAccessTests(SynthesizedApp synthesized) : IClassFixture<SynthesizedApp>
{
    public static TheoryData<string> Stacks => ["target", "product"];

    private TemplateJson Template(string stack) => stack == "target" ? synthesized.TargetJson : synthesized.ProductJson;

    [Theory]
    [MemberData(nameof(Stacks))]
    public void The_stack_makes_the_secrets_key_with_rotation_and_the_node_instance_profile_the_product_launches_with(string stack)
    {
        var json = Template(stack);
        var key = json.Resources("AWS::KMS::Key").Should().ContainSingle().Subject.Resource;
        key["Properties"]!["EnableKeyRotation"]!.GetValue<bool>().Should().BeTrue();
        key["DeletionPolicy"]!.GetValue<string>().Should().Be("Retain", "parameters it encrypted may outlive the stack");
        json.Resources("AWS::KMS::Alias").Should().ContainSingle().Subject.Resource["Properties"]!["AliasName"]!.GetValue<string>()
            .Should().Be(SecretParameters.KmsKeyAlias);
        var profile = json.Resources("AWS::IAM::InstanceProfile").Should().ContainSingle().Subject.Resource["Properties"]!;
        profile["InstanceProfileName"]!.GetValue<string>().Should().Be(SecretParameters.NodeInstanceProfileName);
        var role = json.Resources("AWS::IAM::Role").Single(r => r.Resource["Properties"]!["RoleName"]?.GetValue<string>() == SecretParameters.NodeRoleName);
        profile["Roles"]!.ToJsonString().Should().Contain(role.LogicalId);
        role.Resource["Properties"]!["AssumeRolePolicyDocument"]!["Statement"]!.AsArray().Should().ContainSingle()
            .Which!["Principal"]!["Service"]!.GetValue<string>().Should().Be("ec2.amazonaws.com");
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Nodes_read_only_their_tenants_path_and_only_parameters_tagged_with_their_own_VPC_and_write_only_the_join_token(string stack)
    {
        var json = Template(stack);
        var role = json.Resources("AWS::IAM::Role").Single(r => r.Resource["Properties"]!["RoleName"]?.GetValue<string>() == SecretParameters.NodeRoleName);
        var statements = role.Resource["Properties"]!["Policies"]!.AsArray()
            .SelectMany(p => p!["PolicyDocument"]!["Statement"]!.AsArray()).Select(s => s!.AsObject())
            .ToDictionary(s => s["Sid"]!.GetValue<string>());
        statements.Keys.Should().BeEquivalentTo(["ReadOwnClusterSecrets", "RefreshOwnJoinToken", "ReportOwnPhase", "UseSecretsKey"]);

        var tenant = stack == "target" ? "{\"Ref\":\"Tenant\"}" : "/palette-serverless/*/*";
        foreach (var sid in new[] { "ReadOwnClusterSecrets", "RefreshOwnJoinToken" })
        {
            var resource = statements[sid]["Resource"]!.ToJsonString();
            resource.Should().Contain(":parameter/palette-serverless/").And.Contain(stack == "target" ? tenant : "palette-serverless/*/*");
            statements[sid]["Condition"]!["StringEquals"]!["ssm:resourceTag/" + SecretParameters.VpcTag]!.GetValue<string>()
                .Should().Be("${aws:ec2InstanceSourceVPC}", sid);
        }
        TemplateJson.Strings(statements["ReadOwnClusterSecrets"]["Action"]).Should().BeEquivalentTo(["ssm:GetParameter", "ssm:GetParameters"]);
        TemplateJson.Strings(statements["RefreshOwnJoinToken"]["Action"]).Should().BeEquivalentTo(["ssm:PutParameter"]);
        statements["RefreshOwnJoinToken"]["Resource"]!.ToJsonString().Should().EndWith("/*/join-token\"]]}");
        statements["UseSecretsKey"]["Condition"]!["StringLike"]!["kms:ViaService"]!.GetValue<string>().Should().Be("ssm.*.amazonaws.com");
        statements["UseSecretsKey"]["Resource"]!.ToJsonString().Should().Contain("Fn::GetAtt").And.Contain("SecretsKey");
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Nodes_tag_only_the_instance_they_run_on_and_only_with_the_phase_keys(string stack)
    {
        var role = Template(stack).Resources("AWS::IAM::Role").Single(r => r.Resource["Properties"]!["RoleName"]?.GetValue<string>() == SecretParameters.NodeRoleName);
        var statements = role.Resource["Properties"]!["Policies"]!.AsArray()
            .SelectMany(p => p!["PolicyDocument"]!["Statement"]!.AsArray()).Select(s => s!.AsObject()).ToList();
        var taggers = statements.Where(s => TemplateJson.Strings(s["Action"]).Any(a => a.StartsWith("ec2:", StringComparison.Ordinal))).ToList();
        var tag = taggers.Should().ContainSingle("no other EC2 action is the node's").Subject;
        TemplateJson.Strings(tag["Action"]).Should().Equal(["ec2:CreateTags"]);
        tag["Effect"]!.GetValue<string>().Should().Be("Allow");
        // The tagged resource is the calling instance's own ARN, from its credentials.
        TemplateJson.Strings(tag["Resource"]).Should().Equal(["${ec2:SourceInstanceARN}"]);
        tag["Condition"]!["ArnLike"]!["ec2:SourceInstanceARN"]!.ToJsonString().Should().Contain(":instance/*");
        TemplateJson.Strings(tag["Condition"]!["ForAllValues:StringEquals"]!["aws:TagKeys"]).Should()
            .BeEquivalentTo([NodePhases.TagKey, NodePhases.MessageTagKey]);
        tag["Condition"]!["Null"]!["aws:TagKeys"]!.GetValue<string>().Should().Be("false", "ForAllValues alone would also match a request without tag keys");
    }

    [Fact]
    public void Only_the_network_step_writes_secrets_the_node_launches_only_read_them_and_the_teardown_steps_delete_them()
    {
        var json = synthesized.ProductJson;
        List<string> OwnersOf(string sid) => json.PolicyStatements().Where(s => s.Statement["Sid"]?.GetValue<string>() == sid).Select(s => s.Owner).ToList();
        OwnersOf("CreateTaggedSecrets").Should().ContainSingle().Which.Should().StartWith("Network");
        // Every step that launches nodes reads them (the CA's hash goes into the user data): the network step's own read, and the launches'.
        string[] launchers = ["Network", "NodePools", "RollPool", "LaunchReplacement"];
        var readers = OwnersOf("ReadClusterSecrets");
        readers.Should().HaveCount(launchers.Length);
        // "NodePools" is also the start of "NodePoolsCheck"'s name, which must not read them.
        readers.Should().NotContain(o => o.StartsWith("NodePoolsCheck", StringComparison.Ordinal));
        launchers.Should().OnlyContain(l => readers.Any(o => o.StartsWith(l, StringComparison.Ordinal)));
        OwnersOf("DecryptClusterSecrets").Should().HaveCount(3, "the launches only decrypt; the network step also encrypts");
        // The delete's teardown, the force delete and the orphan sweep's removal; and the network step, which removes
        // what it stored when a delete or a rollback took the cluster over meanwhile. The API runs none of them itself.
        OwnersOf("DeleteClusterSecrets").Should().HaveCount(4).And.OnlyContain(o => o.StartsWith("Teardown", StringComparison.Ordinal)
            || o.StartsWith("ForceDelete", StringComparison.Ordinal) || o.StartsWith("RemoveOrphans", StringComparison.Ordinal)
            || o.StartsWith("Network", StringComparison.Ordinal));
    }

    [Fact]
    public void Only_the_api_reads_a_certificate_authority_and_only_the_ca_parameter_of_a_cluster()
    {
        // The nodes' own role reads its cluster's parameters (above); of the functions, only the API.
        var readers = synthesized.ProductJson.PolicyStatements().Where(s => TemplateJson.Strings(s.Statement["Action"]).Contains("ssm:GetParameter"))
            .Where(s => !s.Owner.StartsWith("NodesNodeRole", StringComparison.Ordinal)).ToList();
        readers.Select(r => r.Owner).Distinct().Should().ContainSingle().Which.Should().StartWith("Api");
        var statement = readers.Single(r => r.Statement["Sid"]!.GetValue<string>() == "ReadCertificateAuthority").Statement;
        statement["Resource"]!.ToJsonString().Should().EndWith(":parameter/palette-serverless/*/*/ca\"]]}");
        statement["Condition"]!["Null"]!["aws:ResourceTag/palette.serverless/cluster-uid"]!.GetValue<string>().Should().Be("false");
    }
}
