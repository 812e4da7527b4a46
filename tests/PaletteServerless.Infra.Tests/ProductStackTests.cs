using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Amazon.CDK.Assertions;
using Match = Amazon.CDK.Assertions.Match;
using PaletteServerless.Api.Endpoints;
using PaletteServerless.Manifest;
using PaletteServerless.Aws.Storage;
using PaletteServerless.Infra.Tests.Support;

namespace PaletteServerless.Infra.Tests;

public sealed partial class ProductStackTests(SynthesizedApp synthesized) : IClassFixture<SynthesizedApp>
{
    private readonly Template _template = synthesized.ProductTemplate;
    private readonly TemplateJson _json = synthesized.ProductJson;

    private static Dictionary<string, object> Props(params (string Key, object Value)[] entries) =>
        entries.ToDictionary(e => e.Key, e => e.Value);

    [Fact]
    public void The_table_is_built_from_the_one_key_schema_with_recovery_ttl_and_deletion_protection()
    {
        _template.ResourceCountIs("AWS::DynamoDB::Table", 1);
        _template.HasResourceProperties("AWS::DynamoDB::Table", Props(
            ("KeySchema", (object)new object[]
            {
                Props(("AttributeName", TableSchema.PartitionKey), ("KeyType", "HASH")),
                Props(("AttributeName", TableSchema.SortKey), ("KeyType", "RANGE")),
            }),
            ("AttributeDefinitions", Match.ArrayWith(new object[]
            {
                Props(("AttributeName", TableSchema.PartitionKey), ("AttributeType", "S")),
                Props(("AttributeName", TableSchema.SortKey), ("AttributeType", "S")),
            })),
            ("BillingMode", "PAY_PER_REQUEST"),
            ("PointInTimeRecoverySpecification", Props(("PointInTimeRecoveryEnabled", true))),
            ("TimeToLiveSpecification", Props(("AttributeName", TableSchema.TimeToLiveAttribute), ("Enabled", true))),
            ("DeletionProtectionEnabled", true)));
        _template.HasResource("AWS::DynamoDB::Table", Props(("DeletionPolicy", "Retain"), ("UpdateReplacePolicy", "Retain")));
    }

    [Fact]
    public void Every_catalog_function_is_deployed_on_dotnet10_arm64_with_its_handler_tracing_and_own_log_group()
    {
        var functions = _json.Resources("AWS::Lambda::Function").ToList();
        functions.Should().HaveCount(FunctionCatalog.All.Count, "the app deploys exactly the catalog, and nothing else is a Lambda function");
        synthesized.Code.Requested.Should().BeEquivalentTo(FunctionCatalog.All.Select(f => f.Name));
        foreach (var definition in FunctionCatalog.All)
        {
            var (_, function) = functions.Single(f => f.Resource["Properties"]!["Handler"]!.GetValue<string>() == definition.Handler);
            var properties = function["Properties"]!;
            properties["Runtime"]!.GetValue<string>().Should().Be("dotnet10");
            TemplateJson.Strings(properties["Architectures"]).Should().Equal("arm64");
            properties["TracingConfig"]!["Mode"]!.GetValue<string>().Should().Be("Active");
            properties["Description"]!.GetValue<string>().Should().Be(definition.Description);
            var logGroup = properties["LoggingConfig"]!["LogGroup"]!["Ref"]!.GetValue<string>();
            _json.Properties(logGroup)["RetentionInDays"]!.GetValue<int>().Should().Be(30);
        }
    }

    [Fact]
    public void Every_function_gets_exactly_the_environment_variables_the_catalog_lists_and_never_AWS_REGION()
    {
        var tableId = _json.Resources("AWS::DynamoDB::Table").Single().LogicalId;
        foreach (var definition in FunctionCatalog.All)
        {
            var function = _json.Resources("AWS::Lambda::Function")
                .Single(f => f.Resource["Properties"]!["Handler"]!.GetValue<string>() == definition.Handler).Resource;
            var variables = function["Properties"]!["Environment"]!["Variables"]!.AsObject();
            variables.Select(v => v.Key).Should().BeEquivalentTo(definition.EnvironmentVariables);
            variables.Should().NotContainKey(EnvironmentNames.Region);
            if (variables.ContainsKey(EnvironmentNames.TableName))
                variables[EnvironmentNames.TableName]!["Ref"]!.GetValue<string>().Should().Be(tableId);
            foreach (var (variable, machine) in FunctionEnvironment.StateMachineArns.Where(pair => variables.ContainsKey(pair.Key)))
                variables[variable]!.ToJsonString().Should().Contain(":stateMachine:" + machine.Name + "\"", $"{variable} names {machine.Name}");
        }
    }

    [Fact]
    public void Every_log_group_has_a_retention()
    {
        var logGroups = _json.Resources("AWS::Logs::LogGroup").ToList();
        logGroups.Should().HaveCount(FunctionCatalog.All.Count + StateMachineCatalog.All.Count + 1, "one per function, per state machine, and the API's access log");
        logGroups.Should().OnlyContain(g => g.Resource["Properties"]!["RetentionInDays"] != null);
    }

    [Fact]
    public void The_HTTP_API_routes_every_product_route_to_the_API_function_behind_the_JWT_authorizer_but_the_OpenAPI_one()
    {
        var routes = _json.Resources("AWS::ApiGatewayV2::Route").Select(r => r.Resource["Properties"]!.AsObject()).ToList();
        routes.Select(r => r["RouteKey"]!.GetValue<string>())
            .Should().BeEquivalentTo(ApiRouteCatalog.All.Select(r => r.Key));
        var authorizer = _json.Resources("AWS::ApiGatewayV2::Authorizer").Single();
        foreach (var route in routes)
        {
            var key = route["RouteKey"]!.GetValue<string>();
            if (ApiRouteCatalog.All.Single(r => r.Key == key).Public)
            {
                route["AuthorizationType"]!.GetValue<string>().Should().Be("NONE");
                route["AuthorizerId"].Should().BeNull();
            }
            else
            {
                route["AuthorizationType"]!.GetValue<string>().Should().Be("JWT", key);
                route["AuthorizerId"]!["Ref"]!.GetValue<string>().Should().Be(authorizer.LogicalId, key);
            }
        }

        // Every route goes to the one Lambda integration, with payload 2.0, of the API function.
        var integration = _json.Resources("AWS::ApiGatewayV2::Integration").Single().Resource["Properties"]!;
        integration["IntegrationType"]!.GetValue<string>().Should().Be("AWS_PROXY");
        integration["PayloadFormatVersion"]!.GetValue<string>().Should().Be("2.0");
        var apiFunction = _json.Resources("AWS::Lambda::Function")
            .Single(f => f.Resource["Properties"]!["Handler"]!.GetValue<string>() == FunctionCatalog.Api.Handler).LogicalId;
        integration["IntegrationUri"]!["Fn::GetAtt"]![0]!.GetValue<string>().Should().Be(apiFunction);

        // Every request is logged and throttled on the one auto-deployed stage.
        var stage = _json.Resources("AWS::ApiGatewayV2::Stage").Single().Resource["Properties"]!;
        stage["StageName"]!.GetValue<string>().Should().Be("$default");
        stage["AutoDeploy"]!.GetValue<bool>().Should().BeTrue();
        var accessLogGroup = stage["AccessLogSettings"]!["DestinationArn"]!["Fn::GetAtt"]![0]!.GetValue<string>();
        _json.Properties(accessLogGroup)["RetentionInDays"].Should().NotBeNull();
        stage["AccessLogSettings"]!["Format"]!.GetValue<string>().Should().Contain("$context.routeKey").And.Contain("$context.status");
        stage["DefaultRouteSettings"]!["ThrottlingRateLimit"].Should().NotBeNull();

        _template.HasResourceProperties("AWS::ApiGatewayV2::Authorizer", Props(
            ("AuthorizerType", "JWT"),
            ("IdentitySource", new[] { "$request.header.Authorization" }),
            ("JwtConfiguration", Props(
                ("Issuer", Props(("Ref", "JwtIssuer"))),
                ("Audience", (object)new object[] { Props(("Ref", "JwtAudience")) })))));
    }

    [Fact]
    public void Every_catalog_state_machine_is_deployed_with_logging_tracing_and_a_failure_alarm()
    {
        var machines = _json.Resources("AWS::StepFunctions::StateMachine").ToList();
        machines.Select(m => m.Resource["Properties"]!["StateMachineName"]!.GetValue<string>())
            .Should().BeEquivalentTo(StateMachineCatalog.All.Select(m => m.Name));
        foreach (var (id, machine) in machines)
        {
            var properties = machine["Properties"]!;
            properties["StateMachineType"]!.GetValue<string>().Should().Be("STANDARD");
            properties["TracingConfiguration"]!["Enabled"]!.GetValue<bool>().Should().BeTrue();
            properties["LoggingConfiguration"]!["Level"]!.GetValue<string>().Should().Be("ALL");
            properties["LoggingConfiguration"]!["Destinations"]!.AsArray().Should().ContainSingle();

            var alarms = _json.Resources("AWS::CloudWatch::Alarm")
                .Where(a => a.Resource["Properties"]!.ToJsonString().Contains($"\"{id}\"", StringComparison.Ordinal))
                .ToList();
            alarms.Should().ContainSingle($"state machine {id} has one alarm on failed or timed out executions");
            var metrics = alarms[0].Resource["Properties"]!["Metrics"]!.ToJsonString();
            metrics.Should().Contain("ExecutionsFailed").And.Contain("ExecutionsTimedOut");
            metrics.Should().NotContain("ExecutionsAborted", "a delete stops provisioning on purpose");
        }
    }

    [Fact]
    public void Every_placeholder_of_every_definition_is_filled_by_DefinitionSubstitutions_and_only_those()
    {
        foreach (var (_, machine) in _json.Resources("AWS::StepFunctions::StateMachine"))
        {
            var properties = machine["Properties"]!;
            var definition = properties["DefinitionString"]!.GetValue<string>();
            var used = PlaceholderPattern().Matches(definition).Select(m => m.Groups[1].Value).ToHashSet();
            used.Should().NotBeEmpty();
            var substitutions = properties["DefinitionSubstitutions"]!.AsObject();
            substitutions.Select(s => s.Key).Should().BeEquivalentTo(used);
        }
    }

    [Fact]
    public void Function_ARN_substitutions_point_at_the_deployed_functions_and_each_state_machine_may_invoke_exactly_those()
    {
        var functionsByPlaceholder = FunctionCatalog.All.ToDictionary(
            StateMachineCatalog.FunctionPlaceholder,
            f => _json.Resources("AWS::Lambda::Function").Single(r => r.Resource["Properties"]!["Handler"]!.GetValue<string>() == f.Handler).LogicalId);
        foreach (var (_, machine) in _json.Resources("AWS::StepFunctions::StateMachine"))
        {
            var substitutions = machine["Properties"]!["DefinitionSubstitutions"]!.AsObject();
            var invoked = new List<string>();
            foreach (var (placeholder, value) in substitutions.Where(s => functionsByPlaceholder.ContainsKey(s.Key)))
            {
                value!["Fn::GetAtt"]![0]!.GetValue<string>().Should().Be(functionsByPlaceholder[placeholder]);
                invoked.Add(functionsByPlaceholder[placeholder]);
            }
            var role = machine["Properties"]!["RoleArn"]!["Fn::GetAtt"]![0]!.GetValue<string>();
            var invokable = _json.StatementsOfRole(role)
                .Where(s => TemplateJson.Strings(s["Action"]).Contains("lambda:InvokeFunction"))
                .SelectMany(s => s["Resource"]!.AsArray())
                .Select(r => r!.ToJsonString())
                .ToList();
            invokable.Should().OnlyContain(r => invoked.Any(f => r.Contains($"\"{f}\"", StringComparison.Ordinal)));
            invoked.Should().OnlyContain(f => invokable.Any(r => r.Contains($"\"{f}\"", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public void The_event_bus_routes_cluster_events_to_the_optional_target_and_archives_everything()
    {
        _template.ResourceCountIs("AWS::Events::EventBus", 1);
        _template.HasResourceProperties("AWS::Events::EventBus", Props(("Name", ClusterEvents.BusName)));
        _template.HasResourceProperties("AWS::Events::Rule", Props(
            ("EventPattern", Props(("detail-type", ClusterEvents.DetailTypes.ToArray()))),
            ("Targets", Props(("Fn::If", new object[]
            {
                "HasNotificationTopic",
                new object[] { Props(("Id", "NotificationTopic"), ("Arn", Props(("Ref", "NotificationTopicArn"))),
                    ("RetryPolicy", Props(("MaximumRetryAttempts", ProductStack.EventRetryAttempts), ("MaximumEventAgeInSeconds", 7200))),
                    ("DeadLetterConfig", Props(("Arn", Match.AnyValue())))) },
                Props(("Ref", "AWS::NoValue")),
            })))));
        _template.HasResourceProperties("AWS::Events::Archive", Props(("RetentionDays", 90)));
        _template.HasParameter("NotificationTopicArn", Props(("Default", "")));
        _template.HasCondition("HasNotificationTopic", Match.AnyValue());
    }

    [Fact]
    public void The_outputs_give_the_API_URL_the_account_to_trust_and_the_state_machines()
    {
        var outputs = _json.Root["Outputs"]!.AsObject().Select(o => o.Key).ToList();
        outputs.Should().Contain(["ApiUrl", "TableName", "EventBusNameOutput", "ProductAccountId"]);
        foreach (var machine in StateMachineCatalog.All)
            outputs.Should().Contain(ProductStack.PascalCase(machine.Name) + "Arn");
    }

    [GeneratedRegex(@"\$\{([A-Za-z0-9_]+)\}")]
    private static partial Regex PlaceholderPattern();
}
