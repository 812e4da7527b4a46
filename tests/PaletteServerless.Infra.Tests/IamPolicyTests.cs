using System.Text.Json.Nodes;
using PaletteServerless.Manifest;
using PaletteServerless.Infra.Iam;
using PaletteServerless.Infra.Tests.Support;

namespace PaletteServerless.Infra.Tests;

public sealed class IamPolicyTests(SynthesizedApp synthesized) : IClassFixture<SynthesizedApp>
{
    /// <summary>
    /// "*" resources CDK itself adds when tracing and log delivery are on: X-Ray and CloudWatch Logs
    /// delivery support no resource-level permissions (justified where ProductStack turns them on).
    /// </summary>
    private static readonly HashSet<string> CdkAddedAnyResourceActions =
    [
        "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets",
        "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
        "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
    ];

    private IEnumerable<(string Owner, JsonObject Statement)> AllStatements =>
        synthesized.ProductJson.PolicyStatements().Concat(synthesized.TargetJson.PolicyStatements());

    /// <summary>
    /// The node roles (NodeAccess, construct "Nodes") are the nodes' and the cloud controller manager's, not a
    /// function's: NodeAccessTests judges them; the cluster-permission rules below are the functions' and the target role's.
    /// </summary>
    private static bool IsNodeRole(string owner) => owner.StartsWith("Nodes", StringComparison.Ordinal);

    private IEnumerable<(string Owner, JsonObject Statement)> FunctionAndTargetStatements => AllStatements.Where(s => !IsNodeRole(s.Owner));

    [Fact]
    public void No_statement_in_either_stack_allows_a_wildcard_action()
    {
        var statements = AllStatements.ToList();
        statements.Should().NotBeEmpty();
        foreach (var (owner, statement) in statements)
        {
            // Only the node roles deny (fences around the cloud controller manager's CreateTags); a deny grants nothing.
            statement["Effect"]!.GetValue<string>().Should().Be(IsNodeRole(owner) && statement["Effect"]!.GetValue<string>() == "Deny" ? "Deny" : "Allow");
            statement["NotAction"].Should().BeNull();
            TemplateJson.Strings(statement["Action"]).Should().NotContain(a => a.Contains('*'), $"{owner}: {statement.ToJsonString()}");
        }
    }

    [Fact]
    public void Every_star_resource_is_a_justified_one()
    {
        foreach (var (owner, statement) in AllStatements.Where(s => TemplateJson.Strings(s.Statement["Resource"]).Contains("*")))
        {
            var sid = statement["Sid"]?.GetValue<string>();
            if (sid is not null && ClusterResourcePolicy.AnyResourceJustifications.ContainsKey(sid))
                continue;
            if (IsNodeRole(owner) && (statement["Effect"]!.GetValue<string>() == "Deny" || (sid is not null && NodeAccess.AnyResourceJustifications.ContainsKey(sid))))
                continue;
            TemplateJson.Strings(statement["Action"]).Should().BeSubsetOf(CdkAddedAnyResourceActions, $"{owner}: {statement.ToJsonString()}");
        }
    }

    [Fact]
    public void Every_function_has_its_own_role_and_functions_write_only_their_own_log_group()
    {
        var functions = synthesized.ProductJson.Resources("AWS::Lambda::Function").ToList();
        var roles = functions.Select(f => f.Resource["Properties"]!["Role"]!["Fn::GetAtt"]![0]!.GetValue<string>()).ToList();
        roles.Should().OnlyHaveUniqueItems();
        foreach (var (function, role) in functions.Zip(roles))
        {
            var roleProperties = synthesized.ProductJson.Properties(role);
            roleProperties["ManagedPolicyArns"].Should().BeNull("the basic execution policy would reach every log group");
            var logGroup = function.Resource["Properties"]!["LoggingConfig"]!["LogGroup"]!["Ref"]!.GetValue<string>();
            var logStatements = synthesized.ProductJson.StatementsOfRole(role)
                .Where(s => TemplateJson.Strings(s["Action"]).Any(a => a.StartsWith("logs:", StringComparison.Ordinal)))
                .ToList();
            logStatements.Should().ContainSingle();
            logStatements[0]["Resource"]!.ToJsonString().Should().Contain($"\"{logGroup}\"");
        }
    }

    [Fact]
    public void The_API_role_has_table_items_events_start_and_stop_of_the_two_workflows_and_the_teardown_permissions()
    {
        var statements = synthesized.ProductJson.StatementsOfRole(RoleOf(FunctionCatalog.Api)).ToList();
        var bySid = statements.Where(s => s["Sid"] is not null).ToDictionary(s => s["Sid"]!.GetValue<string>());

        TemplateJson.Strings(bySid["ReadWriteTableItems"]["Action"]).Should().BeEquivalentTo(FunctionPolicies.TableItemActions);
        var tableId = synthesized.ProductJson.Resources("AWS::DynamoDB::Table").Single().LogicalId;
        bySid["ReadWriteTableItems"]["Resource"]!.ToJsonString().Should().Contain($"\"{tableId}\"").And.NotContain("\"*\"");
        var busId = synthesized.ProductJson.Resources("AWS::Events::EventBus").Single().LogicalId;
        bySid["PublishClusterEvents"]["Resource"]!.ToJsonString().Should().Contain($"\"{busId}\"");

        TemplateJson.Strings(bySid["StartWorkflows"]["Action"]).Should().Equal("states:StartExecution");
        var started = bySid["StartWorkflows"]["Resource"]!.AsArray().Select(r => r!.ToJsonString()).ToList();
        // Every workflow but remediation, which only its triggers start, through the cluster's remediation lock.
        started.Should().HaveCount(StateMachineCatalog.All.Count - 1);
        foreach (var machine in StateMachineCatalog.All.Where(m => m != StateMachineCatalog.Remediate))
            started.Should().ContainSingle(r => r.Contains($":stateMachine:{machine.Name}\"", StringComparison.Ordinal));
        started.Should().NotContain(r => r.Contains($":stateMachine:{StateMachineCatalog.Remediate.Name}\"", StringComparison.Ordinal));

        // Force delete and orphan removal run as workflows: the API lists what is tagged, and neither
        // stops a workflow, deletes nor creates anything itself.
        bySid.Keys.Should().Contain(["AssumeClusterBuilderRoles", "DescribeSweepsAndForceDeletes"]).And.NotContain(["DeleteOwnedNetwork", "TerminateOwnedInstances"]);
        SessionActions(FunctionCatalog.Api).Should().Contain("tag:GetResources");
        statements.SelectMany(s => TemplateJson.Strings(s["Action"])).Concat(SessionActions(FunctionCatalog.Api))
            .Should().NotContain(a => a.StartsWith("ec2:Create", StringComparison.Ordinal) || a == "ec2:RunInstances" || a.StartsWith("ec2:Delete", StringComparison.Ordinal)
                || a == "ec2:TerminateInstances" || a == "states:StopExecution"
                || a.StartsWith("elasticloadbalancing:Create", StringComparison.Ordinal));

        // Nothing without a Sid but the log group and X-Ray grants CDK adds.
        statements.Where(s => s["Sid"] is null).SelectMany(s => TemplateJson.Strings(s["Action"]))
            .Should().OnlyContain(a => a.StartsWith("logs:", StringComparison.Ordinal) || a.StartsWith("xray:", StringComparison.Ordinal));
    }

    /// <summary>What the API reads in a cloud account for the console's dropdowns (GET .../cloudaccounts/{name}/regions/{region}/...).</summary>
    private static readonly string[] CloudAccountReads =
    [
        "ec2:DescribeKeyPairs", "ec2:DescribeAvailabilityZones", "ec2:DescribeInstanceTypeOfferings",
        "ec2:DescribeInstanceTypes", "ec2:DescribeVpcs", "ec2:DescribeSubnets",
    ];

    [Fact]
    public void The_target_accounts_managed_policies_and_the_API_role_allow_the_cloud_account_reads_on_any_resource()
    {
        var managed = synthesized.TargetJson.Resources("AWS::IAM::ManagedPolicy")
            .Where(p => p.LogicalId.Contains("ClusterResources", StringComparison.Ordinal))
            .SelectMany(p => p.Resource["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray().Select(s => s!.AsObject()))
            .ToList();
        managed.Should().NotBeEmpty("the target role's permissions are the ClusterResources managed policies");
        AllowedOnAnyResource(managed).Should().Contain(CloudAccountReads, "the API reads through the target role");
        CloudAccountReads.Should().OnlyContain(read => SessionMay(FunctionCatalog.Api, read), "the API's sessions may make the reads");
    }

    private static IEnumerable<string> AllowedOnAnyResource(IEnumerable<JsonObject> statements) =>
        statements.Where(s => s["Effect"]!.GetValue<string>() == "Allow" && TemplateJson.Strings(s["Resource"]).SequenceEqual(["*"]) && s["Condition"] is null)
            .SelectMany(s => TemplateJson.Strings(s["Action"]));

    [Fact]
    public void Only_the_network_step_preflight_and_the_API_dry_run_read_the_vcpu_quota()
    {
        foreach (var function in FunctionCatalog.All)
        {
            var quotaReads = SessionActions(function).Where(a => a.StartsWith("servicequotas:", StringComparison.Ordinal)).ToList();
            if (function == FunctionCatalog.Network || function == FunctionCatalog.Api)
                quotaReads.Should().Equal(["servicequotas:GetServiceQuota"], function.Name);
            else
                quotaReads.Should().BeEmpty(function.Name);
            synthesized.ProductJson.StatementsOfRole(RoleOf(function)).SelectMany(st => TemplateJson.Strings(st["Action"]))
                .Should().NotContain(a => a.StartsWith("servicequotas:", StringComparison.Ordinal), "a function role holds no cluster permission");
        }
    }

    [Fact]
    public void Cluster_creates_require_the_ownership_tag_on_the_request_and_mutations_on_the_resource()
    {
        // The target-account role holds every cluster permission (ClusterPermissions.All), as synthesized.
        var statements = synthesized.TargetJson.PolicyStatements().Where(s => !IsNodeRole(s.Owner)).Select(s => s.Statement)
            .ToDictionary(s => s["Sid"]!.GetValue<string>());

        string[] requestTagged = ["CreateTaggedNetworkRoots", "CreateTaggedVpcParts", "CreateTaggedNatGateway", "CreateTaggedLoadBalancer", "RunTaggedInstances",
            "CreateTaggedSecrets", "CreateTaggedDesiredState", "CreateTaggedVirtualClusterParameters"];
        string[] resourceTagged = ["OverwriteOwnedDesiredState", "CreateInOwnedVpc", "CreateNatOnOwnedResources", "ConfigureOwnedNetwork", "DeleteOwnedNetwork",
            "ConfigureOwnedLoadBalancer", "RegisterOwnedTargets", "DeleteOwnedLoadBalancer", "DrainOwnedTargets", "TerminateOwnedInstances", "ReconcileOwnedSecurityGroupRules",
            "RetagOwnedEc2Resources", "RetagOwnedLoadBalancer", "RetagOwnedSecrets", "ReadClusterSecrets", "DeleteClusterSecrets", "ReadCertificateAuthority", "ReadOwnedDesiredState",
            "OverwriteOwnedVirtualClusterList", "ReadOwnedVirtualClusterReports", "DeleteOwnedVirtualClusterReports"];
        // S3 checks no bucket tag for these actions: the cluster's backup bucket is fenced by its name, which ends with the session's cluster uid.
        string[] fencedByName = ["OwnBackupBucket"];
        // Reading a backup location (a bucket of the user's too): listing, and only Velero's metadata and restore results.
        string[] backupReads = ["ListBackupLocations", "ReadVeleroResults"];
        // The secrets' path (listing), the product key (as SSM uses it), passing the node roles to EC2, reading their profiles
        // (the node roles' own statements: NodeAccessTests).
        string[] fencedOtherwise = ["ListClusterSecrets", "EncryptClusterSecrets", "DecryptCertificateAuthority", "EncryptVirtualClusterReports", "PassNodeRoles", "ReadNodeInstanceProfiles"];
        string[] tagOnCreateOnly = ["TagNetworkOnCreate", "TagLoadBalancerOnCreate", "TagInstancesOnCreate"];
        // Resources a create only uses, which carry no tag of ours (AMIs, key pairs, the tenant's subnets
        // and security groups under static placement), and the VPC a security group goes into (EC2 gives it no request
        // tags: the local IAM refuses a create without this statement).
        string[] untaggedByNature = ["RunInstancesWithExistingResources", "CreateSecurityGroupsInVpcs"];
        // The EC2 events function's own describe is a function role's, not the cluster-builder's.
        string[] anyResource = [.. ClusterResourcePolicy.AnyResourceJustifications.Keys.Where(k => k != "DescribeOwnAccountsInstances")];
        statements.Keys.Should().BeEquivalentTo(requestTagged.Concat(resourceTagged).Concat(tagOnCreateOnly).Concat(untaggedByNature).Concat(anyResource).Concat(fencedOtherwise)
            .Concat(fencedByName).Concat(backupReads));
        foreach (var sid in fencedByName)
            statements[sid]["Resource"]!.ToJsonString().Should().EndWith(":s3:::psbackup-*-${aws:PrincipalTag/palette.serverless/cluster-uid}\"]]}", sid);
        foreach (var sid in backupReads)
            TemplateJson.Strings(statements[sid]["Action"]).Should().OnlyContain(a => a == "s3:ListBucket" || a == "s3:GetObject", sid);

        // Equality with the session's own cluster uid tag, never mere presence: another cluster's resources are out of reach.
        foreach (var sid in requestTagged)
            statements[sid]["Condition"]!["StringEquals"]![ClusterResourcePolicy.RequestTagKey]!.GetValue<string>().Should().Be("${aws:PrincipalTag/palette.serverless/cluster-uid}", sid);
        foreach (var sid in resourceTagged)
            statements[sid]["Condition"]!["StringEquals"]![ClusterResourcePolicy.ResourceTagKey]!.GetValue<string>().Should().Be("${aws:PrincipalTag/palette.serverless/cluster-uid}", sid);
        foreach (var sid in tagOnCreateOnly)
            statements[sid]["Condition"]!["StringEquals"]!.AsObject().Single().Key.Should().EndWith(":CreateAction", sid);

        // Every delete and terminate is fenced by the resource's tag.
        var destructive = statements.Values
            .SelectMany(s => TemplateJson.Strings(s["Action"]).Select(a => (Action: a, Statement: s)))
            .Where(x => x.Action.Split(':')[1] is var name && (name.StartsWith("Delete", StringComparison.Ordinal)
                || name.StartsWith("Terminate", StringComparison.Ordinal) || name.StartsWith("Release", StringComparison.Ordinal)
                || name.StartsWith("Revoke", StringComparison.Ordinal) || name.StartsWith("Detach", StringComparison.Ordinal)
                || name.StartsWith("Disassociate", StringComparison.Ordinal) || name.StartsWith("Deregister", StringComparison.Ordinal)))
            .ToList();
        destructive.Should().NotBeEmpty();
        destructive.Should().OnlyContain(x => fencedByName.Contains(x.Statement["Sid"]!.GetValue<string>())
            || x.Statement["Condition"]!["StringEquals"]![ClusterResourcePolicy.ResourceTagKey] != null);
    }

    [Fact]
    public void Every_roles_policies_fit_the_IAM_inline_policy_size_limit()
    {
        // IAM caps a role's inline policies at 10,240 characters (whitespace not counted) once
        // CloudFormation has resolved them: resolve the template's pseudo parameters and references
        // with long realistic values and measure.
        const int InlineLimit = 10_240;
        foreach (var json in new[] { synthesized.ProductJson, synthesized.TargetJson })
        {
            var sizes = new Dictionary<string, int>();
            foreach (var (id, policy) in json.Resources("AWS::IAM::Policy"))
                foreach (var role in policy["Properties"]!["Roles"]!.AsArray())
                    sizes[role!["Ref"]!.GetValue<string>()] = sizes.GetValueOrDefault(role["Ref"]!.GetValue<string>())
                        + Resolved(policy["Properties"]!["PolicyDocument"]!).ToJsonString().Length;
            foreach (var (id, role) in json.Resources("AWS::IAM::Role"))
                foreach (var inline in role["Properties"]!["Policies"]?.AsArray() ?? [])
                    sizes[id] = sizes.GetValueOrDefault(id) + Resolved(inline!["PolicyDocument"]!).ToJsonString().Length;
            sizes.Should().NotBeEmpty();
            sizes.Should().OnlyContain(s => s.Value < InlineLimit);
        }
    }

    [Fact]
    public void Every_managed_policy_fits_the_IAM_managed_policy_size_limit()
    {
        // IAM caps a customer managed policy at 6,144 characters (whitespace not counted).
        const int ManagedLimit = 6_144;
        var sizes = synthesized.TargetJson.Resources("AWS::IAM::ManagedPolicy")
            .ToDictionary(p => p.LogicalId, p => Resolved(p.Resource["Properties"]!["PolicyDocument"]!).ToJsonString().Length);
        sizes.Should().NotBeEmpty();
        sizes.Should().OnlyContain(s => s.Value < ManagedLimit);
    }

    /// <summary>The template value as CloudFormation would resolve it, with the longest plausible values.</summary>
    private static JsonNode Resolved(JsonNode node) => node switch
    {
        JsonObject o when o["Ref"] is { } reference => JsonValue.Create(reference.GetValue<string>() switch
        {
            "AWS::Partition" => "aws-us-gov",
            "AWS::AccountId" => "123456789012",
            "AWS::Region" => "ap-southeast-2",
            _ => new string('r', 128),
        })!,
        JsonObject o when o["Fn::GetAtt"] is not null => JsonValue.Create(new string('a', 200))!,
        JsonObject o when o["Fn::Join"] is JsonArray join =>
            JsonValue.Create(string.Join(join[0]!.GetValue<string>(), join[1]!.AsArray().Select(part => Resolved(part!).GetValue<string>())))!,
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Resolved(p.Value!)))),
        JsonArray a => new JsonArray([.. a.Select(item => (JsonNode?)Resolved(item!))]),
        _ => node.DeepClone(),
    };

    [Fact]
    public void Steps_may_assume_only_roles_under_the_product_path()
    {
        var assumeStatements = AllStatements.Where(s => TemplateJson.Strings(s.Statement["Action"]).Contains("sts:AssumeRole")).ToList();
        foreach (var (owner, statement) in assumeStatements)
        {
            TemplateJson.Strings(statement["Action"]).Should().Equal(["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"], owner);
            statement["Resource"]!.ToJsonString().Should().Contain(":iam::*:role/palette-serverless/*", owner);
        }
    }

    [Fact]
    public void The_policy_table_covers_exactly_the_catalog_and_refuses_any_other_function()
    {
        FunctionAccessCatalog.Table.Keys.Should().BeEquivalentTo(FunctionCatalog.All.Select(f => f.Name),
            "every function has an entry, and no entry outlives its function");
        var mystery = new FunctionDefinition("Mystery", "PaletteServerless.Steps::PaletteServerless.Steps.Mystery::Handle", [], "test");
        var arns = new ProductArns("table", "bus", ["sm"], ["sm:*"], "sm:*");
        FluentActions.Invoking(() => FunctionPolicies.For(mystery, arns))
            .Should().Throw<InvalidOperationException>().WithMessage("*Mystery is not in the policy table*");
    }

    [Fact]
    public void Functions_get_cloud_permissions_and_role_assumption_only_when_the_table_says_so()
    {
        foreach (var function in FunctionCatalog.All)
        {
            var role = RoleOf(function);
            var statements = synthesized.ProductJson.StatementsOfRole(role).ToList();
            var sids = statements.Select(s => s["Sid"]?.GetValue<string>()).OfType<string>().ToList();
            var access = FunctionAccessCatalog.Table[function.Name];
            var expected = new List<string> { "ReadWriteTableItems", "PublishClusterEvents" };
            if (access.ControlsWorkflows)
                expected.Add("StartWorkflows");
            if (access.StopsProvisioning)
                expected.Add("StopProvisioning");
            if (access.StartsRemediation)
                expected.AddRange(["StartRemediation", "DescribeRemediations"]);
            if (access.ScansClusters)
                expected.Add("ScanClusters");
            if (access.RestartsProvisioning)
                expected.AddRange(["StartProvisioning", "DescribeProvisioning"]);
            if (access.StopsDeletion)
                expected.Add("StopDeletion");
            if (access.ReadsRuns)
                expected.Add("DescribeSweepsAndForceDeletes");
            if (access.StartsOsPatches)
                expected.Add("StartOsPatches");
            if (access.StartsBackups)
                expected.Add("StartScheduledBackups");
            // Cluster permissions are never the function role's own: it assumes a cluster-builder role, and its
            // session policy narrows that role to the function's actions (SessionActions).
            if (access.ReadsOwnInstances)
                expected.Add("DescribeOwnAccountsInstances");
            if (access.Cluster != ClusterPermissions.None)
                expected.Add("AssumeClusterBuilderRoles");
            sids.Should().BeEquivalentTo(expected, function.Name);
            SessionActions(function).Should().BeEquivalentTo(ClusterActions.Of(access.Cluster), function.Name);
        }
        // The one step that stops a running provisioning may stop only the executions that build or change the cluster.
        var stop = synthesized.ProductJson.StatementsOfRole(RoleOf(FunctionCatalog.StartDeletion))
            .Single(s => s["Sid"]?.GetValue<string>() == "StopProvisioning");
        stop["Resource"]!.ToJsonString().Should().Contain($":execution:{StateMachineCatalog.Provision.Name}:*")
            .And.Contain($":execution:{StateMachineCatalog.Update.Name}:*").And.Contain($":execution:{StateMachineCatalog.Remediate.Name}:*")
            .And.NotContain($":execution:{StateMachineCatalog.Delete.Name}:*");
        // The node pools' poll registers control planes with the target group, and may create or change nothing else of a load balancer.
        SessionActions(FunctionCatalog.NodePoolsCheck).Should().Contain("elasticloadbalancing:RegisterTargets")
            .And.NotContain(["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateListener"]);
        // Force delete stops only the delete workflow's executions; the API reads only the sweeps'.
        var stopDeletion = synthesized.ProductJson.StatementsOfRole(RoleOf(FunctionCatalog.ForceDelete))
            .Single(s => s["Sid"]?.GetValue<string>() == "StopDeletion");
        stopDeletion["Resource"]!.ToJsonString().Should().Contain($":execution:{StateMachineCatalog.Delete.Name}:*").And.NotContain(StateMachineCatalog.Provision.Name);
        var readRuns = synthesized.ProductJson.StatementsOfRole(RoleOf(FunctionCatalog.Api))
            .Single(s => s["Sid"]?.GetValue<string>() == "DescribeSweepsAndForceDeletes");
        readRuns["Resource"]!.ToJsonString().Should().Contain($":execution:{StateMachineCatalog.SweepOrphans.Name}:*")
            .And.Contain($":execution:{StateMachineCatalog.ForceDelete.Name}:*").And.NotContain(StateMachineCatalog.Provision.Name);
    }

    /// <summary>
    /// Calls the functions' code makes that their roles lacked (found by tracing each handler's AWS calls; the
    /// local stack does not enforce IAM, so only a real deploy would have refused them).
    /// </summary>
    public static TheoryData<string, string> CallsTheRolesLacked => new()
    {
        // The tag change finds the instances' volumes by the ownership tag (ClusterRetagging).
        { nameof(FunctionCatalog.StartUpdate), "ec2:DescribeVolumes" },
        // A delete began while the replacement launched: it is deregistered and terminated again (NodeRemediation.RetireAsync).
        { nameof(FunctionCatalog.LaunchReplacement), "ec2:TerminateInstances" },
        { nameof(FunctionCatalog.LaunchReplacement), "elasticloadbalancing:DeregisterTargets" },
    };

    [Theory]
    [MemberData(nameof(CallsTheRolesLacked))]
    public void A_function_role_and_the_target_role_allow_the_calls_its_code_makes(string function, string action)
    {
        var definition = FunctionCatalog.All.Single(f => f.Name == function);
        SessionMay(definition, action).Should().BeTrue($"{function} calls {action}");
        var targetAllowing = synthesized.TargetJson.PolicyStatements().Where(s => !IsNodeRole(s.Owner)).Select(s => s.Statement).Where(s => TemplateJson.Strings(s["Action"]).Contains(action)).ToList();
        targetAllowing.Should().NotBeEmpty($"{function} calls {action} through the cluster-builder role");
        foreach (var statement in targetAllowing)
        {
            if (action.Split(':')[1].StartsWith("Describe", StringComparison.Ordinal))
                TemplateJson.Strings(statement["Resource"]).Should().Equal(["*"], "describes support no resource-level permissions");
            else
                statement["Condition"]!["StringEquals"]![ClusterResourcePolicy.ResourceTagKey]!.GetValue<string>().Should().Be(ClusterResourcePolicy.SessionClusterUid, $"{action} only on what the session's cluster owns");
        }
    }

    [Fact]
    public void The_steps_that_register_targets_may_register_with_a_tagged_target_group_and_create_or_change_nothing_of_a_load_balancer()
    {
        FunctionDefinition[] registering = [FunctionCatalog.NodePoolsCheck, FunctionCatalog.ControlPlaneTargets, FunctionCatalog.RollPool, FunctionCatalog.ReplacementReady];
        var register = synthesized.TargetJson.PolicyStatements().Where(s => !IsNodeRole(s.Owner) && TemplateJson.Strings(s.Statement["Action"]).Contains("elasticloadbalancing:RegisterTargets"))
            .Should().ContainSingle().Subject.Statement;
        register["Sid"]!.GetValue<string>().Should().Be("RegisterOwnedTargets");
        TemplateJson.Strings(register["Action"]).Should().Equal(["elasticloadbalancing:RegisterTargets"]);
        TemplateJson.Strings(register["Resource"]).Should().ContainSingle().Which.Should().Contain(":targetgroup/*/*");
        register["Condition"]!["StringEquals"]![ClusterResourcePolicy.ResourceTagKey]!.GetValue<string>().Should().Be(ClusterResourcePolicy.SessionClusterUid);
        foreach (var function in registering)
        {
            SessionActions(function).Should().Contain("elasticloadbalancing:RegisterTargets", function.Name);
            SessionActions(function).Should().NotContain(
                a => a.StartsWith("elasticloadbalancing:Create", StringComparison.Ordinal) || a.StartsWith("elasticloadbalancing:Modify", StringComparison.Ordinal)
                    || a == "elasticloadbalancing:AddTags" || a.StartsWith("elasticloadbalancing:Delete", StringComparison.Ordinal), function.Name);
        }
        // The network step makes the load balancer, target group and listener, and registers nothing.
        var network = SessionActions(FunctionCatalog.Network);
        network.Should().Contain(["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup", "elasticloadbalancing:CreateListener"])
            .And.NotContain("elasticloadbalancing:RegisterTargets");
    }

    [Fact]
    public void Every_role_that_launches_nodes_may_launch_spot_ones()
    {
        // A spot pool's RunInstances makes a one-time Spot request, which EC2 authorizes as a resource of the call.
        FunctionDefinition[] launching = [FunctionCatalog.Network, FunctionCatalog.NodePools, FunctionCatalog.RollPool, FunctionCatalog.LaunchReplacement];
        foreach (var function in launching)
            SessionActions(function).Should().Contain("ec2:RunInstances", function.Name);
        foreach (var json in new[] { synthesized.TargetJson, synthesized.ProductJson })
            json.PolicyStatements().Select(s => s.Statement).Where(s => TemplateJson.Strings(s["Action"]).Contains("ec2:RunInstances"))
                .Should().Contain(s => s["Resource"]!.ToJsonString().Contains(":spot-instances-request/*"), "the cluster-builder role");
    }

    [Fact]
    public void No_role_allows_a_call_no_function_makes()
    {
        // Granted once, used by no code: modifying subnets and VPCs, egress rules, single routes, listeners and
        // target group attributes apart from their creates, tag reads, account attributes, item updates.
        string[] unused =
        [
            "ec2:ModifySubnetAttribute", "ec2:ModifyVpcAttribute", "ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupEgress",
            "ec2:DeleteRoute", "ec2:DescribeAccountAttributes", "elasticloadbalancing:ModifyTargetGroupAttributes",
            "elasticloadbalancing:DeleteListener", "elasticloadbalancing:DescribeTags", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem",
        ];
        foreach (var (owner, statement) in FunctionAndTargetStatements)
            TemplateJson.Strings(statement["Action"]).Should().NotIntersectWith(unused, owner);
        // Only the steps that take a node out of the API load balancer may deregister targets; the teardown deletes the target group instead.
        var deregistering = FunctionCatalog.All.Where(f => SessionActions(f).Contains("elasticloadbalancing:DeregisterTargets")).Select(f => f.Name);
        deregistering.Should().BeEquivalentTo([nameof(FunctionCatalog.RollPool), nameof(FunctionCatalog.LaunchReplacement),
            nameof(FunctionCatalog.ReplacementReady), nameof(FunctionCatalog.RetireNode)]);
    }

    [Fact]
    public void The_session_actions_of_each_permission_are_exactly_the_cluster_builder_roles_actions_of_it()
    {
        foreach (var permission in Enum.GetValues<ClusterPermissions>().Where(p => p != ClusterPermissions.None && p != ClusterPermissions.All))
        {
            var roleActions = ClusterResourcePolicy.Statements(permission).SelectMany(s => s.Actions).Distinct().ToList();
            var sessionActions = ClusterActions.Of(permission);
            roleActions.Where(a => !sessionActions.Any(p => Matches(p, a))).Should().BeEmpty($"{permission}: the session may use every action the role grants for it");
            sessionActions.Where(p => !roleActions.Any(a => Matches(p, a))).Should().BeEmpty($"{permission}: the session names no action the role does not grant for it");
        }
    }

    /// <summary>What a function's sessions in a cloud account may do (its session policy's actions; the cluster-builder role fences them).</summary>
    private static IReadOnlyList<string> SessionActions(FunctionDefinition function) => ClusterActions.OfFunction(function.Name);

    /// <summary>Whether a session policy's action patterns (with * wildcards) allow <paramref name="action"/>.</summary>
    private static bool SessionMay(FunctionDefinition function, string action) => SessionActions(function).Any(pattern => Matches(pattern, action));

    private static bool Matches(string pattern, string action) =>
        pattern == action || (pattern.EndsWith('*') && action.StartsWith(pattern[..^1], StringComparison.Ordinal));

    private string RoleOf(FunctionDefinition function) =>
        synthesized.ProductJson.Resources("AWS::Lambda::Function")
            .Single(f => f.Resource["Properties"]!["Handler"]!.GetValue<string>() == function.Handler)
            .Resource["Properties"]!["Role"]!["Fn::GetAtt"]![0]!.GetValue<string>();
}
