using System.Text.Json.Nodes;
using PaletteServerless.Infra.Tests.Support;
using PaletteServerless.Manifest;

namespace PaletteServerless.Infra.Tests;

/// <summary>Issue 28's "done when", read off the synthesized product template: alarms, dashboard, dead letters, logs, traces, timeouts.</summary>
public sealed class OperationsTests(SynthesizedApp synthesized) : IClassFixture<SynthesizedApp>
{
    private readonly TemplateJson _json = synthesized.ProductJson;

    private string TopicId => _json.Resources("AWS::SNS::Topic").Single().LogicalId;

    private List<JsonObject> Alarms => _json.Resources("AWS::CloudWatch::Alarm").Select(a => a.Resource["Properties"]!.AsObject()).ToList();

    private string FunctionId(FunctionDefinition definition) =>
        _json.Resources("AWS::Lambda::Function").Single(f => f.Resource["Properties"]!["Handler"]!.GetValue<string>() == definition.Handler).LogicalId;

    private static bool NamesMetric(JsonObject alarm, string metricName) =>
        alarm["MetricName"]?.GetValue<string>() == metricName
        || (alarm["Metrics"]?.AsArray().Any(m => m!["MetricStat"]?["Metric"]?["MetricName"]?.GetValue<string>() == metricName) ?? false);

    private static string? DimensionRef(JsonObject alarm) =>
        alarm["Dimensions"]?.AsArray().Select(d => d!["Value"]?["Ref"]?.GetValue<string>()).FirstOrDefault(v => v is not null);

    [Fact]
    public void One_alarm_topic_is_named_in_the_outputs_and_every_alarm_notifies_it_when_it_fires_and_clears()
    {
        _json.Root["Outputs"]!["AlarmTopicArn"]!["Value"]!["Ref"]!.GetValue<string>().Should().Be(TopicId);
        Alarms.Should().NotBeEmpty();
        foreach (var alarm in Alarms)
        {
            alarm["AlarmActions"]!.AsArray().Select(a => a!["Ref"]?.GetValue<string>()).Should().Equal([TopicId], alarm["AlarmDescription"]!.ToString());
            alarm["OKActions"]!.AsArray().Select(a => a!["Ref"]?.GetValue<string>()).Should().Equal([TopicId]);
            alarm["TreatMissingData"]!.GetValue<string>().Should().Be("notBreaching");
        }
    }

    [Fact]
    public void Every_function_has_an_errors_alarm_and_a_throttles_alarm_at_the_documented_thresholds()
    {
        foreach (var function in FunctionCatalog.All)
        {
            var id = FunctionId(function);
            var errors = Alarms.Where(a => NamesMetric(a, "Errors") && DimensionRef(a) == id).ToList();
            errors.Should().ContainSingle(function.Name);
            errors[0]["Threshold"]!.GetValue<double>().Should().Be(function == FunctionCatalog.Api ? AlarmThresholds.ApiErrors : AlarmThresholds.StepErrors);
            var throttles = Alarms.Where(a => NamesMetric(a, "Throttles") && DimensionRef(a) == id).ToList();
            throttles.Should().ContainSingle(function.Name);
            throttles[0]["Threshold"]!.GetValue<double>().Should().Be(AlarmThresholds.Throttles);
        }
    }

    [Fact]
    public void Stuck_deletes_and_paused_remediation_are_alarmed_on_the_metrics_the_product_emits()
    {
        foreach (var metric in new[] { ProductMetrics.StuckDeletes, ProductMetrics.RemediationPaused })
        {
            var alarm = Alarms.Single(a => NamesMetric(a, metric));
            alarm["Namespace"]!.GetValue<string>().Should().Be(ProductMetrics.Namespace);
            alarm["Statistic"]!.GetValue<string>().Should().Be("Sum");
            alarm["Dimensions"]!.AsArray().Should().ContainSingle(d =>
                d!["Name"]!.GetValue<string>() == ProductMetrics.ServiceDimension && d["Value"]!.GetValue<string>() == ProductMetrics.Service);
            alarm["Threshold"]!.GetValue<double>().Should().Be(1);
        }
    }

    [Fact]
    public void Dead_letter_depth_and_table_throttles_are_alarmed()
    {
        var queue = _json.Resources("AWS::SQS::Queue").Single().LogicalId;
        var dlq = Alarms.Single(a => NamesMetric(a, "ApproximateNumberOfMessagesVisible"));
        dlq["Dimensions"]!.AsArray()[0]!["Value"]!.ToJsonString().Should().Contain(queue);
        dlq["Threshold"]!.GetValue<double>().Should().Be(AlarmThresholds.DeadLetters);
        var table = Alarms.Single(a => NamesMetric(a, "ReadThrottleEvents"));
        NamesMetric(table, "WriteThrottleEvents").Should().BeTrue();
        table["Threshold"]!.GetValue<double>().Should().Be(AlarmThresholds.TableThrottles);
    }

    [Fact]
    public void Every_state_machine_has_a_failed_or_timed_out_alarm()
    {
        foreach (var (id, _) in _json.Resources("AWS::StepFunctions::StateMachine"))
            Alarms.Should().ContainSingle(a => NamesMetric(a, "ExecutionsFailed") && NamesMetric(a, "ExecutionsTimedOut")
                && a["Metrics"]!.ToJsonString().Contains($"\"{id}\"", StringComparison.Ordinal), id);
    }

    [Fact]
    public void The_dashboard_shows_clusters_by_status_workflows_API_latency_function_errors_and_dead_letters()
    {
        var body = _json.Resources("AWS::CloudWatch::Dashboard").Single().Resource["Properties"]!["DashboardBody"]!.ToJsonString();
        foreach (var part in new[]
        {
            ProductMetrics.Clusters, "ExecutionsStarted", "ExecutionsSucceeded", "ExecutionsFailed", "ExecutionTime",
            "Latency", "p50", "p99", "Errors", "Throttles", "ApproximateNumberOfMessagesVisible", ProductMetrics.StuckDeletes,
            ProductMetrics.RemediationDuration, ProductMetrics.LeftoverResources,
        })
            body.Should().Contain(part);
        foreach (var machine in StateMachineCatalog.All)
            body.Should().Contain(machine.Name);
    }

    [Fact]
    public void Every_event_rule_target_retries_then_keeps_what_it_could_not_deliver_in_the_dead_letter_queue()
    {
        var queueArn = $$"""{"Fn::GetAtt":["{{_json.Resources("AWS::SQS::Queue").Single().LogicalId}}","Arn"]}""";
        var rules = _json.Resources("AWS::Events::Rule").ToList();
        rules.Should().HaveCount(EventRuleCatalog.All.Count + 1, "the catalog's rules and the cluster events' rule");
        foreach (var (id, rule) in rules)
        {
            var targets = rule["Properties"]!["Targets"]!;
            // The cluster events' target exists only with a notification topic: Fn::If [condition, targets, no value].
            var list = (targets is JsonObject conditional ? conditional["Fn::If"]![1]! : targets).AsArray();
            list.Should().NotBeEmpty(id);
            foreach (var target in list)
            {
                target!["DeadLetterConfig"]!["Arn"]!.ToJsonString().Should().Be(queueArn, id);
                target["RetryPolicy"]!["MaximumRetryAttempts"]!.GetValue<int>().Should().BeGreaterThan(0, id);
                target["RetryPolicy"]!["MaximumEventAgeInSeconds"]!.GetValue<int>().Should().BeGreaterThan(0, id);
            }
            // EventBridge may send that rule's dead letters to the queue, and nothing else may.
            var policy = _json.Resources("AWS::SQS::QueuePolicy").Single().Resource["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray();
            policy.Should().Contain(s => s!["Principal"]!["Service"] != null && s["Principal"]!["Service"]!.ToJsonString() == "\"events.amazonaws.com\""
                && s["Condition"] != null && s["Condition"]!.ToJsonString().Contains($"\"{id}\"", StringComparison.Ordinal), id);
        }
        _json.Root["Outputs"]!["EventDeadLetterQueueUrl"].Should().NotBeNull();
    }

    [Fact]
    public void Every_function_logs_JSON_at_INFO_into_its_own_log_group_with_a_retention_and_is_traced()
    {
        foreach (var (id, function) in _json.Resources("AWS::Lambda::Function"))
        {
            var properties = function["Properties"]!;
            properties["LoggingConfig"]!["LogFormat"]!.GetValue<string>().Should().Be("JSON", id);
            properties["LoggingConfig"]!["ApplicationLogLevel"]!.GetValue<string>().Should().Be("INFO", id);
            properties["TracingConfig"]!["Mode"]!.GetValue<string>().Should().Be("Active", id);
            var group = properties["LoggingConfig"]!["LogGroup"]!["Ref"]!.GetValue<string>();
            _json.Properties(group)["RetentionInDays"].Should().NotBeNull(id);
        }
    }

    [Fact]
    public void Every_state_machine_is_traced_logs_to_a_group_with_a_retention_and_has_a_TimeoutSeconds()
    {
        foreach (var (id, machine) in _json.Resources("AWS::StepFunctions::StateMachine"))
        {
            var properties = machine["Properties"]!;
            properties["TracingConfiguration"]!["Enabled"]!.GetValue<bool>().Should().BeTrue(id);
            var group = properties["LoggingConfiguration"]!["Destinations"]![0]!["CloudWatchLogsLogGroup"]!["LogGroupArn"]!["Fn::GetAtt"]![0]!.GetValue<string>();
            _json.Properties(group)["RetentionInDays"].Should().NotBeNull(id);
            JsonNode.Parse(properties["DefinitionString"]!.GetValue<string>())!["TimeoutSeconds"]!.GetValue<int>().Should().BePositive(id);
        }
    }

    [Fact]
    public void Every_definition_file_bounds_its_run_with_TimeoutSeconds()
    {
        foreach (var machine in StateMachineCatalog.All)
        {
            var definition = JsonNode.Parse(File.ReadAllText(Path.Combine(StateMachineFiles.RepositoryDirectory, machine.DefinitionFile)))!;
            // An hour at least: every workflow polls AWS for minutes; the value's reasoning is in docs/operations.md.
            definition["TimeoutSeconds"]!.GetValue<int>().Should().BeGreaterThanOrEqualTo(3600, machine.DefinitionFile);
        }
    }

    [Fact]
    public void The_table_is_kept_with_the_stack_and_protected_from_deletion_with_point_in_time_recovery()
    {
        var (_, table) = _json.Resources("AWS::DynamoDB::Table").Single();
        table["DeletionPolicy"]!.GetValue<string>().Should().Be("Retain");
        table["Properties"]!["DeletionProtectionEnabled"]!.GetValue<bool>().Should().BeTrue();
        table["Properties"]!["PointInTimeRecoverySpecification"]!["PointInTimeRecoveryEnabled"]!.GetValue<bool>().Should().BeTrue();
    }
}
