using System.Text.Json.Nodes;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Domain.VirtualClusters;
using PaletteServerless.Infra.Iam;
using PaletteServerless.Infra.Tests.Support;
using PaletteServerless.Manifest;

namespace PaletteServerless.Infra.Tests;

/// <summary>
/// The nodes' access to their cluster's secrets (issues 13 and 21), in the target-account stack and in the
/// product stack (cloud accounts without a role build in the product account): the KMS key, the
/// control-plane and worker roles with their instance profiles, policies that reach only the tenant's
/// path and, by the parameter's VPC tag, only the node's own cluster (workers: only its join token),
/// and the cloud controller manager's documented permissions on the control plane only.
/// </summary>
public sealed class NodeAccessTests(SynthesizedApp synthesized) : IClassFixture<SynthesizedApp>
{
    public static TheoryData<string> Stacks => ["target", "product"];

    private TemplateJson Template(string stack) => stack == "target" ? synthesized.TargetJson : synthesized.ProductJson;

    /// <summary>A node role's inline statements by sid.</summary>
    private Dictionary<string, System.Text.Json.Nodes.JsonObject> StatementsOf(string stack, string roleName)
    {
        var role = Template(stack).Resources("AWS::IAM::Role").Single(r => r.Resource["Properties"]!["RoleName"]?.GetValue<string>() == roleName);
        return role.Resource["Properties"]!["Policies"]!.AsArray()
            .SelectMany(p => p!["PolicyDocument"]!["Statement"]!.AsArray()).Select(s => s!.AsObject())
            .ToDictionary(s => s["Sid"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void The_stack_makes_the_secrets_key_with_rotation_and_the_two_node_instance_profiles_the_product_launches_with(string stack)
    {
        var json = Template(stack);
        var key = json.Resources("AWS::KMS::Key").Should().ContainSingle().Subject.Resource;
        key["Properties"]!["EnableKeyRotation"]!.GetValue<bool>().Should().BeTrue();
        key["DeletionPolicy"]!.GetValue<string>().Should().Be("Retain", "parameters it encrypted may outlive the stack");
        json.Resources("AWS::KMS::Alias").Should().ContainSingle().Subject.Resource["Properties"]!["AliasName"]!.GetValue<string>()
            .Should().Be(SecretParameters.KmsKeyAlias);
        var profiles = json.Resources("AWS::IAM::InstanceProfile").Select(p => p.Resource["Properties"]!).ToList();
        profiles.Select(p => p["InstanceProfileName"]!.GetValue<string>()).Should()
            .BeEquivalentTo([SecretParameters.ControlPlaneInstanceProfileName, SecretParameters.WorkerInstanceProfileName]);
        foreach (var (profileName, roleName) in new[] { (SecretParameters.ControlPlaneInstanceProfileName, SecretParameters.ControlPlaneRoleName), (SecretParameters.WorkerInstanceProfileName, SecretParameters.WorkerRoleName) })
        {
            var role = json.Resources("AWS::IAM::Role").Single(r => r.Resource["Properties"]!["RoleName"]?.GetValue<string>() == roleName);
            profiles.Single(p => p["InstanceProfileName"]!.GetValue<string>() == profileName)["Roles"]!.ToJsonString().Should().Contain(role.LogicalId);
            role.Resource["Properties"]!["AssumeRolePolicyDocument"]!["Statement"]!.AsArray().Should().ContainSingle()
                .Which!["Principal"]!["Service"]!.GetValue<string>().Should().Be("ec2.amazonaws.com");
        }
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Control_planes_read_their_own_clusters_ca_certificate_key_and_join_token_and_write_only_the_join_token(string stack)
    {
        var statements = StatementsOf(stack, SecretParameters.ControlPlaneRoleName);
        statements.Keys.Should().BeEquivalentTo(["ReadOwnClusterSecrets", "RefreshOwnJoinToken", "ReadOwnDesiredState", "ReadOwnVirtualClusters", "ReportOwnVirtualClusters",
            "ReadOwnOsPatchRequest", "ReportOwnPhase", "UseSecretsKey", CloudControllerManagerPolicy.Sid, "ProductTagsOnlyOnOwnInstance", "OnlyPhaseTagsOfTheProduct",
            "ControlPlaneVeleroOwnBucket", "ControlPlaneVeleroOwnBucketObjects", "ControlPlaneVeleroOwnPrefix", "ControlPlaneVeleroOwnPrefixObjects"]);
        VeleroFenced(statements, "ControlPlane");
        var read = statements["ReadOwnClusterSecrets"]["Resource"]!.ToJsonString();
        foreach (var parameter in SecretParameters.All)
            read.Should().Contain($"/*/{parameter}\"");
        // The in-cluster agent reads its own cluster's desired state, and nothing else of the path, fenced as the secrets are.
        TemplateJson.Strings(statements["ReadOwnDesiredState"]["Action"]).Should().BeEquivalentTo(["ssm:GetParameter"]);
        statements["ReadOwnDesiredState"]["Resource"]!.ToJsonString().Should().EndWith($"/*/{DesiredState.Parameter}\"]]}}");
        // The virtual clusters' agent reads its cluster's list and overwrites its virtual clusters' report parameters, nothing else.
        TemplateJson.Strings(statements["ReadOwnVirtualClusters"]["Action"]).Should().BeEquivalentTo(["ssm:GetParameter"]);
        statements["ReadOwnVirtualClusters"]["Resource"]!.ToJsonString().Should().EndWith($"/*/{DesiredVirtualClusters.Parameter}\"]]}}");
        TemplateJson.Strings(statements["ReportOwnVirtualClusters"]["Action"]).Should().BeEquivalentTo(["ssm:PutParameter"]);
        statements["ReportOwnVirtualClusters"]["Resource"]!.ToJsonString().Should().EndWith($"/*/{DesiredVirtualClusters.ReportFolder}/*\"]]}}");
        // Every node's patch agent reads its own cluster's patch request, fenced the same way.
        statements["ReadOwnOsPatchRequest"]["Resource"]!.ToJsonString().Should().EndWith($"/*/{Domain.Patching.OsPatchRequest.Parameter}\"]]}}");
        foreach (var sid in new[] { "ReadOwnClusterSecrets", "RefreshOwnJoinToken", "ReadOwnDesiredState", "ReadOwnVirtualClusters", "ReportOwnVirtualClusters", "ReadOwnOsPatchRequest" })
        {
            statements[sid]["Resource"]!.ToJsonString().Should().Contain(":parameter/palette-serverless/*/*/");
            statements[sid]["Condition"]!["StringEquals"]!["ssm:resourceTag/" + SecretParameters.VpcTag]!.GetValue<string>()
                .Should().Be("${aws:ec2InstanceSourceVPC}", sid);
            // Only the account's tenants' parameters: the target stack's one tenant, or the tenants the product stack allows role-less accounts.
            statements[sid]["Condition"]!["StringLike"]!["ssm:resourceTag/" + OwnershipTags.Tenant]!.ToJsonString()
                .Should().Be($$"""{"Fn::Split":[",",{"Ref":"{{(stack == "target" ? "Tenant" : "RoleLessTenants")}}"}]}""", sid);
        }
        TemplateJson.Strings(statements["ReadOwnClusterSecrets"]["Action"]).Should().BeEquivalentTo(["ssm:GetParameter", "ssm:GetParameters"]);
        TemplateJson.Strings(statements["RefreshOwnJoinToken"]["Action"]).Should().BeEquivalentTo(["ssm:PutParameter"]);
        statements["RefreshOwnJoinToken"]["Resource"]!.ToJsonString().Should().EndWith("/*/join-token\"]]}");
        statements["UseSecretsKey"]["Condition"]!["StringLike"]!["kms:ViaService"]!.GetValue<string>().Should().Be("ssm.*.amazonaws.com");
        statements["UseSecretsKey"]["Resource"]!.ToJsonString().Should().Contain("Fn::GetAtt").And.Contain("SecretsKey");
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Workers_read_only_their_own_clusters_join_token_never_the_ca_or_the_certificate_key_and_write_nothing(string stack)
    {
        var statements = StatementsOf(stack, SecretParameters.WorkerRoleName);
        statements.Keys.Should().BeEquivalentTo(["ReadOwnJoinToken", "WorkerReadsOwnOsPatchRequest", "WorkerReportsOwnPhase", "WorkerDecryptsSecrets",
            "WorkerVeleroOwnBucket", "WorkerVeleroOwnBucketObjects", "WorkerVeleroOwnPrefix", "WorkerVeleroOwnPrefixObjects"]);
        TemplateJson.Strings(statements["WorkerReadsOwnOsPatchRequest"]["Action"]).Should().BeEquivalentTo(["ssm:GetParameter"]);
        statements["WorkerReadsOwnOsPatchRequest"]["Resource"]!.ToJsonString().Should().EndWith($"/*/{Domain.Patching.OsPatchRequest.Parameter}\"]]}}");
        statements["WorkerReadsOwnOsPatchRequest"]["Condition"]!["StringEquals"]!["ssm:resourceTag/" + SecretParameters.VpcTag]!.GetValue<string>().Should().Be("${aws:ec2InstanceSourceVPC}");
        VeleroFenced(statements, "Worker");
        var read = statements["ReadOwnJoinToken"];
        TemplateJson.Strings(read["Action"]).Should().BeEquivalentTo(["ssm:GetParameter", "ssm:GetParameters"]);
        read["Resource"]!.ToJsonString().Should().EndWith("/*/join-token\"]]}").And.NotContain(",{\"Fn::Join\"", "one parameter only");
        read["Condition"]!["StringEquals"]!["ssm:resourceTag/" + SecretParameters.VpcTag]!.GetValue<string>().Should().Be("${aws:ec2InstanceSourceVPC}");
        var everything = string.Join("\n", statements.Where(s => !s.Key.StartsWith("WorkerVelero", StringComparison.Ordinal)).Select(s => s.Value.ToJsonString()));
        everything.Should().NotContain($"/{SecretParameters.CertificateAuthority}\"").And.NotContain(SecretParameters.CertificateKey)
            .And.NotContain("ssm:PutParameter").And.NotContain("kms:Encrypt");
        TemplateJson.Strings(statements["WorkerDecryptsSecrets"]["Action"]).Should().Equal(["kms:Decrypt"]);
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void The_control_plane_holds_exactly_the_cloud_controller_managers_documented_policy(string stack)
    {
        var ccm = StatementsOf(stack, SecretParameters.ControlPlaneRoleName)[CloudControllerManagerPolicy.Sid];
        ccm["Effect"]!.GetValue<string>().Should().Be("Allow");
        TemplateJson.Strings(ccm["Action"]).Should().BeEquivalentTo(CloudControllerManagerPolicy.Actions);
        // The actions cloud-provider-aws's docs/prerequisites.md lists for the control plane (a sample of each service).
        TemplateJson.Strings(ccm["Action"]).Should().Contain(["ec2:DescribeInstances", "ec2:CreateSecurityGroup", "ec2:AuthorizeSecurityGroupIngress",
            "elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:RegisterTargets", "autoscaling:DescribeAutoScalingGroups",
            "iam:CreateServiceLinkedRole", "kms:DescribeKey"]).And.HaveCount(56);
        TemplateJson.Strings(ccm["Resource"]).Should().Equal(["*"]);
        ccm["Condition"].Should().BeNull();
        // Workers get none of it: the controller runs on the control planes only.
        StatementsOf(stack, SecretParameters.WorkerRoleName).Values.SelectMany(s => TemplateJson.Strings(s["Action"]))
            .Should().NotContain(a => a.StartsWith("elasticloadbalancing:", StringComparison.Ordinal) || a.StartsWith("autoscaling:", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Both_roles_tag_only_the_instance_they_run_on_and_only_with_the_phase_keys(string stack)
    {
        foreach (var (roleName, sid) in new[] { (SecretParameters.ControlPlaneRoleName, "ReportOwnPhase"), (SecretParameters.WorkerRoleName, "WorkerReportsOwnPhase") })
        {
            var statements = StatementsOf(stack, roleName);
            var tag = statements[sid];
            TemplateJson.Strings(tag["Action"]).Should().Equal(["ec2:CreateTags"]);
            tag["Effect"]!.GetValue<string>().Should().Be("Allow");
            // The tagged resource is the calling instance's own ARN, from its credentials.
            TemplateJson.Strings(tag["Resource"]).Should().Equal(["${ec2:SourceInstanceARN}"]);
            tag["Condition"]!["ArnLike"]!["ec2:SourceInstanceARN"]!.ToJsonString().Should().Contain(":instance/*");
            // Control planes also report their in-cluster agent's generation; workers run no agent.
            TemplateJson.Strings(tag["Condition"]!["ForAllValues:StringEquals"]!["aws:TagKeys"]).Should()
                .BeEquivalentTo(roleName == SecretParameters.ControlPlaneRoleName ? NodePhases.ControlPlaneReportKeys : NodePhases.ReportTagKeys);
            tag["Condition"]!["Null"]!["aws:TagKeys"]!.GetValue<string>().Should().Be("false", "ForAllValues alone would also match a request without tag keys");
            // Any other EC2 tagging allowed is the cloud controller manager's (control plane only) ...
            statements.Where(s => s.Key != sid && s.Value["Effect"]!.GetValue<string>() == "Allow" && TemplateJson.Strings(s.Value["Action"]).Contains("ec2:CreateTags"))
                .Select(s => s.Key).Should().BeSubsetOf([CloudControllerManagerPolicy.Sid], roleName);
        }
        // ... and there the product's tag keys are denied on every resource but the node's own instance, and on it all but the phase keys.
        var control = StatementsOf(stack, SecretParameters.ControlPlaneRoleName);
        var elsewhere = control["ProductTagsOnlyOnOwnInstance"];
        elsewhere["Effect"]!.GetValue<string>().Should().Be("Deny");
        TemplateJson.Strings(elsewhere["NotResource"]).Should().Equal(["${ec2:SourceInstanceARN}"]);
        TemplateJson.Strings(elsewhere["Condition"]!["ForAnyValue:StringLike"]!["aws:TagKeys"]).Should().Equal(["palette.serverless/*"]);
        var ownership = control["OnlyPhaseTagsOfTheProduct"];
        ownership["Effect"]!.GetValue<string>().Should().Be("Deny");
        TemplateJson.Strings(ownership["Condition"]!["ForAnyValue:StringNotEquals"]!["aws:TagKeys"]).Should().BeEquivalentTo(NodePhases.ControlPlaneReportKeys);
        foreach (var deny in new[] { elsewhere, ownership })
            TemplateJson.Strings(deny["Action"]).Should().BeEquivalentTo(["ec2:CreateTags", "ec2:DeleteTags"]);
    }

    /// <summary>Velero's statements: S3 object and list actions only, in the bucket named for the caller's VPC or under its prefix.</summary>
    private static void VeleroFenced(Dictionary<string, System.Text.Json.Nodes.JsonObject> statements, string role)
    {
        foreach (var (sid, statement) in statements.Where(s => s.Key.StartsWith(role + "Velero", StringComparison.Ordinal)))
        {
            TemplateJson.Strings(statement["Action"]).Should().OnlyContain(a => a == "s3:ListBucket" || a == "s3:GetObject" || a == "s3:PutObject" || a == "s3:DeleteObject", sid);
            statement.ToJsonString().Should().Contain("${aws:ec2InstanceSourceVPC}", sid);
        }
        statements[role + "VeleroOwnBucketObjects"]["Resource"]!.ToJsonString().Should().Contain(":s3:::psbackup-${aws:ec2InstanceSourceVPC}-*/*\"");
        statements[role + "VeleroOwnPrefix"]["Condition"]!["StringLike"]!["s3:prefix"]!.GetValue<string>().Should().Be("palette-backups/${aws:ec2InstanceSourceVPC}/*");
    }

    /// <summary>The functions whose sessions may use <paramref name="action"/> (their own actions, ClusterActions).</summary>
    private static List<string> FunctionsThatMay(string action) =>
        [.. FunctionCatalog.All.Where(f => ClusterActions.OfFunction(f.Name).Contains(action)).Select(f => f.Name)];

    [Fact]
    public void Only_the_network_step_writes_secrets_the_node_launches_only_read_them_and_the_teardown_steps_delete_them()
    {
        // Secrets: only the network step. The desired in-cluster state (a String, no key): the create's network step (beside
        // the secrets) and the update's ApplyPacks, whose role statements reach only the desired-state parameter.
        // The OS patch request (a String beside it) is the patch workflow's passes' to write, under the same statements; the API
        // writes the virtual clusters' list and creates their report parameters: its statements reach those only (below); the
        // backup workflow's RequestBackup writes one operation into the desired state.
        FunctionsThatMay("ssm:PutParameter").Should().BeEquivalentTo(["Network", "ApplyPacks", "OsPatchPass", "OsPatchFailed", "Api", "RequestBackup"]);
        foreach (var sid in new[] { "CreateTaggedDesiredState", "OverwriteOwnedDesiredState" })
        {
            var resource = synthesized.TargetJson.PolicyStatements().Single(s => s.Statement["Sid"]?.GetValue<string>() == sid).Statement["Resource"]!.ToJsonString();
            resource.Should().Contain($":parameter/palette-serverless/*/*/{DesiredState.Parameter}\"", sid)
                .And.Contain($":parameter/palette-serverless/*/*/{Domain.Patching.OsPatchRequest.Parameter}\"", sid);
        }
        FunctionsThatMay("kms:Encrypt").Should().BeEquivalentTo(["Network", "Api"]);
        // Every step that launches nodes reads them (the CA's hash goes into the user data): the network step's own read, and the launches';
        // the API reads the virtual clusters' reports.
        FunctionsThatMay("ssm:GetParameters").Should().BeEquivalentTo(["Network", "NodePools", "RollPool", "LaunchReplacement", "Api"]);
        // The delete's teardown, the force delete and the orphan sweep's removal; and the network step, which removes
        // what it stored when a delete or a rollback took the cluster over meanwhile. The API runs none of them itself.
        // The API removes a deleted virtual cluster's report parameter.
        FunctionsThatMay("ssm:DeleteParameters").Should().BeEquivalentTo(["Teardown", "ForceDelete", "RemoveOrphans", "Network", "Api"]);
        // The API's statements reach the virtual clusters' list and reports only, while they carry the session's cluster uid.
        foreach (var (sid, parameters) in new[]
        {
            ("OverwriteOwnedVirtualClusterList", new[] { DesiredVirtualClusters.Parameter }),
            ("ReadOwnedVirtualClusterReports", new[] { DesiredVirtualClusters.Parameter, DesiredVirtualClusters.ReportFolder + "/*" }),
            ("DeleteOwnedVirtualClusterReports", new[] { DesiredVirtualClusters.ReportFolder + "/*" }),
        })
        {
            var statement = synthesized.TargetJson.PolicyStatements().Single(s => s.Statement["Sid"]?.GetValue<string>() == sid).Statement;
            var resources = statement["Resource"] is JsonArray many ? many.Select(r => r!.ToJsonString()).ToList() : [statement["Resource"]!.ToJsonString()];
            resources.Select(r => r[(r.IndexOf(":parameter/", StringComparison.Ordinal) + ":parameter/".Length)..r.LastIndexOf('"')])
                .Should().BeEquivalentTo(parameters.Select(p => "palette-serverless/*/*/" + p), sid);
            statement["Condition"]!["StringEquals"]![ClusterResourcePolicy.ResourceTagKey]!.GetValue<string>().Should().Be(ClusterResourcePolicy.SessionClusterUid, sid);
        }
        // The cluster-builder role writes a parameter only when it carries the session's cluster uid.
        var create = synthesized.TargetJson.PolicyStatements().Single(s => s.Statement["Sid"]?.GetValue<string>() == "CreateTaggedSecrets").Statement;
        create["Condition"]!["StringEquals"]![ClusterResourcePolicy.RequestTagKey]!.GetValue<string>().Should().Be(ClusterResourcePolicy.SessionClusterUid);
    }

    [Fact]
    public void Only_the_api_reads_a_certificate_authority_and_only_the_ca_parameter_of_its_sessions_cluster()
    {
        // The nodes' own role reads its cluster's parameters (above); of the functions, only the API's sessions.
        FunctionsThatMay("ssm:GetParameter").Should().BeEquivalentTo(["Api", "RequestBackup"]);
        // RequestBackup reads the desired-state parameter back (String, no key), and only while it carries its session's cluster uid.
        var desired = synthesized.TargetJson.PolicyStatements().Single(s => s.Statement["Sid"]?.GetValue<string>() == "ReadOwnedDesiredState").Statement;
        desired["Resource"]!.ToJsonString().Should().EndWith($":parameter/palette-serverless/*/*/{DesiredState.Parameter}\"]]}}");
        desired["Condition"]!["StringEquals"]![ClusterResourcePolicy.ResourceTagKey]!.GetValue<string>().Should().Be("${aws:PrincipalTag/palette.serverless/cluster-uid}");
        var statement = synthesized.TargetJson.PolicyStatements().Single(s => s.Statement["Sid"]?.GetValue<string>() == "ReadCertificateAuthority").Statement;
        statement["Resource"]!.ToJsonString().Should().EndWith(":parameter/palette-serverless/*/*/ca\"]]}");
        statement["Condition"]!["StringEquals"]![ClusterResourcePolicy.ResourceTagKey]!.GetValue<string>().Should().Be("${aws:PrincipalTag/palette.serverless/cluster-uid}");
        // No function role reads a parameter itself: every read is a session's.
        synthesized.ProductJson.PolicyStatements().Where(s => !s.Owner.StartsWith("Nodes", StringComparison.Ordinal) && !s.Owner.StartsWith("ClusterBuilder", StringComparison.Ordinal))
            .SelectMany(s => TemplateJson.Strings(s.Statement["Action"])).Should().NotContain(a => a.StartsWith("ssm:", StringComparison.Ordinal));
    }
}
