using System.Text.Json.Nodes;
using PaletteServerless.Infra.Tests.Support;
using PaletteServerless.Manifest;

namespace PaletteServerless.Infra.Tests;

public sealed class RemediationRuleTests(SynthesizedApp synthesized) : IClassFixture<SynthesizedApp>
{
    private readonly TemplateJson _json = synthesized.ProductJson;

    private (string LogicalId, JsonObject Resource) FunctionOf(FunctionDefinition definition) =>
        _json.Resources("AWS::Lambda::Function").Single(f => f.Resource["Properties"]!["Handler"]!.GetValue<string>() == definition.Handler);

    private JsonNode RuleNamed(string name) =>
        _json.Resources("AWS::Events::Rule").Single(r => r.Resource["Properties"]!["Name"]?.GetValue<string>() == name).Resource["Properties"]!;

    [Fact]
    public void Every_catalog_rule_is_on_the_default_bus_with_its_pattern_or_schedule_and_its_function_as_only_target()
    {
        foreach (var definition in EventRuleCatalog.All)
        {
            var rule = RuleNamed(definition.Name);
            rule["EventBusName"].Should().BeNull("the default bus is where EC2's events and schedules are");
            if (definition.EventPattern is { } pattern)
                JsonNode.DeepEquals(rule["EventPattern"], JsonNode.Parse(pattern)).Should().BeTrue($"rule {definition.Name} carries the catalog's pattern: {rule["EventPattern"]}");
            else
                rule["ScheduleExpression"]!.GetValue<string>().Should().Be(definition.ScheduleExpression);
            var targets = rule["Targets"]!.AsArray();
            targets.Should().ContainSingle();
            targets[0]!["Arn"]!["Fn::GetAtt"]![0]!.GetValue<string>().Should().Be(FunctionOf(definition.Target).LogicalId);
        }
        EventRuleCatalog.SpotInterruptions.EventPattern.Should().Contain("EC2 Spot Instance Interruption Warning");
        EventRuleCatalog.InstanceStateChanges.EventPattern.Should().Contain("\"stopping\",\"stopped\",\"shutting-down\",\"terminated\"");
        EventRuleCatalog.HealthSweep.ScheduleExpression.Should().Be("rate(5 minutes)");
        EventRuleCatalog.Reconcile.ScheduleExpression.Should().Be("rate(5 minutes)");
    }

    [Fact]
    public void EventBridge_may_invoke_each_trigger_function_only_from_its_own_rules()
    {
        var permissions = _json.Resources("AWS::Lambda::Permission").Select(p => p.Resource["Properties"]!).ToList();
        foreach (var definition in EventRuleCatalog.All)
        {
            var (functionId, _) = FunctionOf(definition.Target);
            var rule = _json.Resources("AWS::Events::Rule").Single(r => r.Resource["Properties"]!["Name"]?.GetValue<string>() == definition.Name);
            permissions.Should().Contain(p =>
                p["Principal"]!.GetValue<string>() == "events.amazonaws.com"
                && p["Action"]!.GetValue<string>() == "lambda:InvokeFunction"
                && p["FunctionName"]!["Fn::GetAtt"]![0]!.GetValue<string>() == functionId
                && p["SourceArn"]!["Fn::GetAtt"]![0]!.GetValue<string>() == rule.LogicalId, $"rule {definition.Name} invokes {definition.Target.Name}");
        }
    }

    [Fact]
    public void The_triggers_may_start_only_the_remediation_workflow_and_only_the_sweep_may_scan()
    {
        string Policy(FunctionDefinition function)
        {
            var role = FunctionOf(function).Resource["Properties"]!["Role"]!["Fn::GetAtt"]![0]!.GetValue<string>();
            return string.Join("\n", _json.StatementsOfRole(role).Select(s => s.ToJsonString()));
        }
        foreach (var trigger in new[] { FunctionCatalog.InstanceEvents, FunctionCatalog.HealthSweep })
        {
            var statements = _json.StatementsOfRole(FunctionOf(trigger).Resource["Properties"]!["Role"]!["Fn::GetAtt"]![0]!.GetValue<string>()).ToList();
            var start = statements.Single(s => s["Sid"]?.GetValue<string>() == "StartRemediation");
            start["Resource"]!.ToJsonString().Should().Contain($":stateMachine:{StateMachineCatalog.Remediate.Name}").And.NotContain(StateMachineCatalog.Provision.Name);
            statements.Single(s => s["Sid"]?.GetValue<string>() == "DescribeRemediations")["Resource"]!.ToJsonString()
                .Should().Contain($":execution:{StateMachineCatalog.Remediate.Name}:*");
            // They read nodes (through a session, or for the EC2 events the function's own describe) and change none.
            var actions = ClusterActions.OfFunction(trigger.Name);
            actions.Should().Contain("ec2:Describe*").And.NotContain("ec2:TerminateInstances").And.NotContain("ec2:RunInstances");
            Policy(trigger).Should().NotContain("ec2:TerminateInstances").And.NotContain("ec2:RunInstances");
        }
        Policy(FunctionCatalog.HealthSweep).Should().Contain("dynamodb:Scan");
        var scanning = FunctionCatalog.All.Where(f => Policy(f).Contains("dynamodb:Scan")).Select(f => f.Name).ToList();
        scanning.Should().Equal(FunctionCatalog.HealthSweep.Name, FunctionCatalog.Reconcile.Name, FunctionCatalog.OsPatchSchedule.Name, FunctionCatalog.BackupSchedule.Name);
        // The patch schedule's check starts the patch workflow and nothing else.
        var schedule = Policy(FunctionCatalog.OsPatchSchedule);
        schedule.Should().Contain("states:StartExecution").And.Contain($":stateMachine:{StateMachineCatalog.OsPatch.Name}")
            .And.NotContain($":stateMachine:{StateMachineCatalog.Provision.Name}").And.NotContain("sts:AssumeRole");
        // The backup and scan schedules' check starts the backup workflow (a scan is one of its operations) and nothing else.
        var scans = Policy(FunctionCatalog.BackupSchedule);
        scans.Should().Contain("states:StartExecution").And.Contain($":stateMachine:{StateMachineCatalog.Backup.Name}")
            .And.NotContain($":stateMachine:{StateMachineCatalog.Provision.Name}").And.NotContain($":stateMachine:{StateMachineCatalog.OsPatch.Name}")
            .And.NotContain("sts:AssumeRole");
    }
}
