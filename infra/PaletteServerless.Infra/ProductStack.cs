using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.CDK;
using Amazon.CDK.AWS.Apigatewayv2;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.DynamoDB;
using Amazon.CDK.AWS.Events;
using Amazon.CDK.AWS.IAM;
using CdkAws = Amazon.CDK.Aws;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.StepFunctions;
using Amazon.CDK.AwsApigatewayv2Authorizers;
using Amazon.CDK.AwsApigatewayv2Integrations;
using Constructs;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Infra.Iam;
using PaletteServerless.Manifest;
using Function = Amazon.CDK.AWS.Lambda.Function;
using FunctionProps = Amazon.CDK.AWS.Lambda.FunctionProps;
using HttpMethod = Amazon.CDK.AWS.Apigatewayv2.HttpMethod;
using StateMachineDefinition = PaletteServerless.Manifest.StateMachineDefinition;
using Table = Amazon.CDK.AWS.DynamoDB.Table;
using Attribute = Amazon.CDK.AWS.DynamoDB.Attribute;
using CfnRule = Amazon.CDK.AWS.Events.CfnRule;

namespace PaletteServerless.Infra;

public sealed class ProductStackProps : StackProps
{
    /// <summary>The folder holding every <see cref="StateMachineCatalog"/> definition file.</summary>
    public required string StateMachinesDirectory { get; init; }

    public required IFunctionCode FunctionCode { get; init; }

    /// <summary>The web console's folder (console/ of the repository), deployed to S3 behind CloudFront; null deploys no console.</summary>
    public string? ConsoleDirectory { get; init; }

    /// <summary>The functions to deploy; the catalog's, always, outside of tests.</summary>
    public IReadOnlyList<FunctionDefinition> Functions { get; init; } = FunctionCatalog.All;
}

/// <summary>
/// The product, in the tenant's (product) account: the table, every function of the catalog, the
/// HTTP API, every state machine of the catalog, the event bus and what watches them.
/// </summary>
public sealed partial class ProductStack : Stack
{
    public static readonly Runtime DotnetRuntime = new("dotnet10", RuntimeFamily.DOTNET_CORE);

    private readonly CfnCondition _hasNotificationTopic;
    private readonly CfnParameter _notificationTopicArn;
    private readonly IReadOnlyList<FunctionDefinition> _functionDefinitions;

    public Table Table { get; }
    public EventBus EventBus { get; }
    public IReadOnlyDictionary<string, Function> Functions { get; }
    public IReadOnlyDictionary<string, StateMachine> StateMachines { get; }
    public HttpApi HttpApi { get; }
    public ConsoleHosting? Console { get; }

    public ProductStack(Construct scope, string id, ProductStackProps props) : base(scope, id, props)
    {
        _functionDefinitions = props.Functions;
        var jwtIssuer = new CfnParameter(this, "JwtIssuer", new CfnParameterProps
        {
            Type = "String",
            AllowedPattern = "^https://.+",
            Description = "Issuer (iss) of the JWTs the API accepts, e.g. https://cognito-idp.<region>.amazonaws.com/<user pool id>",
        });
        var jwtAudience = new CfnParameter(this, "JwtAudience", new CfnParameterProps
        {
            Type = "String",
            MinLength = 1,
            Description = "Audience (aud or client_id) the API's JWTs must carry",
        });
        _notificationTopicArn = new CfnParameter(this, "NotificationTopicArn", new CfnParameterProps
        {
            Type = "String",
            Default = "",
            AllowedPattern = "^$|^arn:aws[a-z-]*:sns:[a-z0-9-]+:\\d{12}:[A-Za-z0-9_-]+$",
            Description = "Optional SNS topic (same region) for cluster events; its policy must let events.amazonaws.com publish. Alarms go to the stack's own AlarmTopicArn",
        });
        _hasNotificationTopic = new CfnCondition(this, "HasNotificationTopic", new CfnConditionProps
        {
            Expression = Fn.ConditionNot(Fn.ConditionEquals(_notificationTopicArn.ValueAsString, "")),
        });

        var roleLessTenants = new CfnParameter(this, "RoleLessTenants", new CfnParameterProps
        {
            Type = "String",
            Default = "",
            // The API's rule for tenant names, comma-separated; "*" for any tenant (a development bed only).
            AllowedPattern = "^$|^\\*$|^[a-z0-9][a-z0-9-]{0,62}(,[a-z0-9][a-z0-9-]{0,62})*$",
            Description = "Tenants whose tenant-admins may register a cloud account without a role, which builds in THIS account " +
                "(comma-separated; empty: none, the default). Each such cluster spends this account's money and quotas.",
        });
        var roleLessAllowed = new CfnCondition(this, "RoleLessCloudAccountsAllowed", new CfnConditionProps
        {
            Expression = Fn.ConditionNot(Fn.ConditionEquals(roleLessTenants.ValueAsString, "")),
        });

        Table = CreateTable();
        CreateOperationsResources();
        // Cloud accounts without a role build in this account, where the deployer allows them: through the
        // same cluster-builder role a target account has, and with node roles for the allowed tenants only.
        var builder = new ClusterBuilderRole(this, "ClusterBuilder", CdkAws.ACCOUNT_ID, externalId: null);
        var nodes = new NodeAccess(this, "Nodes", roleLessTenants.ValueAsString);
        foreach (var resource in builder.Resources.Concat(nodes.Node.FindAll().Select(c => c as CfnResource).OfType<CfnResource>()))
            resource.CfnOptions.Condition = roleLessAllowed;
        EventBus = new EventBus(this, "EventBus", new EventBusProps { EventBusName = ClusterEvents.BusName });

        // State machine ARNs are built from their fixed names, not taken from the resources: the API
        // function needs them and the state machines need the functions, which would be a cycle.
        var stateMachineArns = StateMachineCatalog.All.ToDictionary(m => m.Name, StateMachineArn);
        var arns = new ProductArns(
            Table.TableArn,
            EventBus.EventBusArn,
            // The API starts every workflow but remediation: only its triggers start that one, through the cluster's remediation lock.
            [.. StateMachineCatalog.All.Where(m => m != StateMachineCatalog.Remediate).Select(m => stateMachineArns[m.Name])],
            [.. StateMachineCatalog.All.Select(ExecutionsArn)],
            ExecutionsArn(StateMachineCatalog.Provision),
            ExecutionsArn(StateMachineCatalog.Update),
            stateMachineArns[StateMachineCatalog.Remediate.Name],
            ExecutionsArn(StateMachineCatalog.Remediate),
            ExecutionsArn(StateMachineCatalog.Delete),
            ExecutionsArn(StateMachineCatalog.SweepOrphans),
            ExecutionsArn(StateMachineCatalog.ForceDelete),
            stateMachineArns[StateMachineCatalog.Provision.Name],
            stateMachineArns[StateMachineCatalog.OsPatch.Name],
            stateMachineArns[StateMachineCatalog.Backup.Name]);
        var environment = FunctionEnvironment.Values(m => stateMachineArns[m.Name], Table.TableName, EventBus.EventBusName,
            CdkAws.ACCOUNT_ID, roleLessTenants.ValueAsString);

        Functions = props.Functions.ToDictionary(f => f.Name, f => CreateFunction(f, props.FunctionCode, environment, arns));
        StateMachines = StateMachineCatalog.All.ToDictionary(m => m.Name, m => CreateStateMachine(m, props.StateMachinesDirectory));
        CreateEventRouting();
        CreateRemediationRules();
        Console = props.ConsoleDirectory is null ? null : new ConsoleHosting(this, "Console", jwtIssuer.ValueAsString);
        HttpApi = CreateHttpApi(Functions[FunctionCatalog.Api.Name], jwtIssuer.ValueAsString, jwtAudience.ValueAsString, Console?.Origin);
        // The console signs in against the issuer the authorizer trusts, as the client (audience) it expects.
        Console?.Deploy(props.ConsoleDirectory!, HttpApi.ApiEndpoint, jwtIssuer.ValueAsString, jwtAudience.ValueAsString);
        CreateAlarmsAndDashboard();

        _ = new CfnOutput(this, "ApiUrl", new CfnOutputProps { Value = HttpApi.ApiEndpoint, Description = "Base URL of the product API" });
        _ = new CfnOutput(this, "TableName", new CfnOutputProps { Value = Table.TableName });
        _ = new CfnOutput(this, "EventBusNameOutput", new CfnOutputProps { Value = EventBus.EventBusName, Description = "Event bus of cluster events" });
        _ = new CfnOutput(this, "ProductAccountId", new CfnOutputProps
        {
            Value = CdkAws.ACCOUNT_ID,
            Description = "The account target-account roles must trust (ProductAccountId of the target-account stack)",
        });
        foreach (var machine in StateMachineCatalog.All)
            _ = new CfnOutput(this, PascalCase(machine.Name) + "Arn", new CfnOutputProps { Value = StateMachines[machine.Name].StateMachineArn });
    }

    private Table CreateTable()
    {
        return new Table(this, "Table", new TableProps
        {
            // The key schema the local stack creates its table with: one definition.
            PartitionKey = new Attribute { Name = ProductTable.PartitionKey, Type = AttributeType.STRING },
            SortKey = new Attribute { Name = ProductTable.SortKey, Type = AttributeType.STRING },
            BillingMode = BillingMode.PAY_PER_REQUEST,
            PointInTimeRecovery = true,
            TimeToLiveAttribute = ProductTable.TimeToLiveAttribute,
            DeletionProtection = true,
            // The tenant's clusters, accounts and profiles: never dropped with the stack.
            RemovalPolicy = RemovalPolicy.RETAIN,
        });
    }

    private Function CreateFunction(FunctionDefinition definition, IFunctionCode code, IReadOnlyDictionary<string, string> environment, ProductArns arns)
    {
        var logGroup = new LogGroup(this, definition.Name + "Logs", new LogGroupProps
        {
            Retention = RetentionDays.ONE_MONTH,
            RemovalPolicy = RemovalPolicy.DESTROY,
        });
        // Our own role instead of the default one with AWSLambdaBasicExecutionRole, whose log
        // permissions reach every log group of the account: this one writes only its own.
        var role = new Role(this, definition.Name + "Role", new RoleProps
        {
            AssumedBy = new ServicePrincipal("lambda.amazonaws.com"),
            // The path every cluster-builder role trusts: function roles, and no other role of this account.
            Path = CloudAccountRules.FunctionRolePath,
            Description = $"Runs the {definition.Name} function with exactly what it needs",
        });
        logGroup.GrantWrite(role);
        foreach (var statement in FunctionPolicies.For(definition, arns))
            role.AddToPrincipalPolicy(statement);

        return new Function(this, definition.Name + "Function", new FunctionProps
        {
            Description = definition.Description,
            Runtime = DotnetRuntime,
            Architecture = Architecture.ARM_64,
            Handler = definition.Handler,
            Code = code.For(definition),
            Role = role,
            LogGroup = logGroup,
            // X-Ray adds xray:PutTraceSegments and xray:PutTelemetryRecords on "*" to the role:
            // X-Ray supports no resource-level permissions for them.
            Tracing = Tracing.ACTIVE,
            // Lambda's JSON log format: the runtime's own lines are JSON too, and the application log level
            // (AWS_LAMBDA_LOG_LEVEL, which our lines honour) is set here. Our lines carry the same timestamp, level, message,
            // and go to the standard output stream as they are (FunctionOutput), so the runtime does not wrap them again.
            LoggingFormat = LoggingFormat.JSON,
            ApplicationLogLevelV2 = ApplicationLogLevel.INFO,
            SystemLogLevelV2 = SystemLogLevel.INFO,
            MemorySize = 512,
            // The API answers within API Gateway's 30 s; a step makes a handful of AWS calls and
            // returns, waiting happens in the state machine.
            Timeout = definition.Name == FunctionCatalog.Api.Name ? Duration.Seconds(29) : Duration.Minutes(2),
            Environment = definition.EnvironmentVariables.ToDictionary(name => name, name => EnvironmentValue(definition, name, environment)),
        });
    }

    private static string EnvironmentValue(FunctionDefinition definition, string name, IReadOnlyDictionary<string, string> environment)
    {
        if (name == EnvironmentNames.Region)
            throw new InvalidOperationException($"function {definition.Name} lists {name}: Lambda sets it, the deployment must not");
        return environment.TryGetValue(name, out var value)
            ? value
            : throw new InvalidOperationException($"function {definition.Name} reads {name}, which the CDK app has no value for (ProductStack environment)");
    }

    private StateMachine CreateStateMachine(StateMachineDefinition machine, string directory)
    {
        var path = Path.Combine(directory, machine.DefinitionFile);
        if (!File.Exists(path))
            throw new InvalidOperationException(
                $"state machine {machine.Name}: its definition statemachines/{machine.DefinitionFile} does not exist (looked in {directory})");
        var definition = File.ReadAllText(path);
        try
        {
            using var _ = JsonDocument.Parse(definition);
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"state machine {machine.Name}: {machine.DefinitionFile} is not valid JSON: {ex.Message}", ex);
        }

        // Only the placeholders this definition uses: a function ARN it does not call would make the
        // state machine depend on, and be allowed to invoke, that function for nothing.
        var used = PlaceholderPattern().Matches(definition).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        var all = StateMachineCatalog.Placeholders(
            f => Functions.TryGetValue(f.Name, out var fn) ? fn.FunctionArn : throw new InvalidOperationException($"function {f.Name} is not deployed"),
            Table.TableName,
            EventBus.EventBusName);
        var substitutions = all.Where(p => used.Contains(p.Key)).ToDictionary(p => p.Key, p => p.Value);
        try
        {
            StateMachineCatalog.Substitute(definition, substitutions);
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException($"state machine {machine.Name} ({machine.DefinitionFile}): {ex.Message}", ex);
        }

        var id = PascalCase(machine.Name);
        var logGroup = new LogGroup(this, id + "Logs", new LogGroupProps
        {
            // The vendedlogs prefix keeps Step Functions' log delivery from growing the account's
            // CloudWatch Logs resource policy past its size limit.
            LogGroupName = $"/aws/vendedlogs/states/{machine.Name}",
            Retention = RetentionDays.THREE_MONTHS,
            RemovalPolicy = RemovalPolicy.DESTROY,
        });
        var stateMachine = new StateMachine(this, id, new StateMachineProps
        {
            StateMachineName = machine.Name,
            Comment = machine.Description,
            StateMachineType = StateMachineType.STANDARD,
            DefinitionBody = DefinitionBody.FromString(definition),
            DefinitionSubstitutions = substitutions,
            // Every transition is logged; payloads are not, as they carry role ARNs and external ids.
            // Log delivery needs logs:*LogDelivery, logs:PutResourcePolicy and friends on "*" (CDK adds
            // them): CloudWatch Logs supports no resource-level permissions for log delivery.
            Logs = new LogOptions { Destination = logGroup, Level = LogLevel.ALL, IncludeExecutionData = false },
            // X-Ray: CDK adds xray:PutTraceSegments and related actions on "*", which support no resource-level permissions.
            TracingEnabled = true,
        });
        foreach (var function in _functionDefinitions.Where(f => used.Contains(StateMachineCatalog.FunctionPlaceholder(f))))
            Functions[function.Name].GrantInvoke(stateMachine);

        // Failed or timed out; not aborted, which is deliberate (a delete stops provisioning, force delete stops a delete).
        var alarm = new Alarm(this, id + "FailedAlarm", new AlarmProps
        {
            AlarmDescription = $"An execution of {machine.Name} failed or timed out: see its log group",
            Metric = new MathExpression(new MathExpressionProps
            {
                Expression = "failed + timedOut",
                UsingMetrics = new Dictionary<string, IMetric>
                {
                    ["failed"] = stateMachine.MetricFailed(),
                    ["timedOut"] = stateMachine.MetricTimedOut(),
                },
                Period = Duration.Minutes(5),
            }),
            Threshold = AlarmThresholds.FailedExecutions,
            EvaluationPeriods = 1,
            ComparisonOperator = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            TreatMissingData = TreatMissingData.NOT_BREACHING,
        });
        alarm.AddAlarmAction(new Amazon.CDK.AWS.CloudWatch.Actions.SnsAction(AlarmTopic));
        alarm.AddOkAction(new Amazon.CDK.AWS.CloudWatch.Actions.SnsAction(AlarmTopic));
        return stateMachine;
    }

    private HttpApi CreateHttpApi(Function apiFunction, string issuer, string audience, string? consoleOrigin)
    {
        var authorizer = new HttpJwtAuthorizer("JwtAuthorizer", issuer, new HttpJwtAuthorizerProps
        {
            JwtAudience = [audience],
            IdentitySource = ["$request.header.Authorization"],
        });
        var api = new HttpApi(this, "HttpApi", new HttpApiProps
        {
            ApiName = "palette-serverless",
            Description = "PaletteServerless cluster API",
            DefaultAuthorizer = authorizer,
            // The console calls the API from its CloudFront origin with a bearer token (no cookies).
            CorsPreflight = consoleOrigin is null ? null : new CorsPreflightOptions
            {
                AllowOrigins = [consoleOrigin],
                AllowMethods = [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.PUT, CorsHttpMethod.PATCH, CorsHttpMethod.DELETE],
                AllowHeaders = ["Authorization", "Content-Type", "If-Match"],
                ExposeHeaders = ["ETag", "Location"],
                MaxAge = Duration.Hours(1),
            },
        });
        var integration = new HttpLambdaIntegration("ApiFunction", apiFunction, new HttpLambdaIntegrationProps
        {
            PayloadFormatVersion = PayloadFormatVersion.VERSION_2_0,
        });
        // Access logs of every request (who, which route, status, authorizer and integration errors),
        // and a throttle so one client cannot run up the tenant's Lambda and DynamoDB bill.
        var accessLogs = new LogGroup(this, "ApiAccessLogs", new LogGroupProps
        {
            Retention = RetentionDays.THREE_MONTHS,
            RemovalPolicy = RemovalPolicy.DESTROY,
        });
        var stage = (CfnStage)api.DefaultStage!.Node.DefaultChild!;
        stage.AccessLogSettings = new CfnStage.AccessLogSettingsProperty
        {
            DestinationArn = accessLogs.LogGroupArn,
            Format = JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["requestId"] = "$context.requestId",
                ["time"] = "$context.requestTime",
                ["ip"] = "$context.identity.sourceIp",
                ["routeKey"] = "$context.routeKey",
                ["status"] = "$context.status",
                ["latencyMs"] = "$context.responseLatency",
                ["subject"] = "$context.authorizer.claims.sub",
                ["authorizerError"] = "$context.authorizer.error",
                ["integrationError"] = "$context.integrationErrorMessage",
            }),
        };
        stage.DefaultRouteSettings = new CfnStage.RouteSettingsProperty { ThrottlingRateLimit = 50, ThrottlingBurstLimit = 100 };

        foreach (var route in ApiRouteCatalog.All)
        {
            api.AddRoutes(new AddRoutesOptions
            {
                Path = route.Template,
                Methods = [Enum.Parse<HttpMethod>(route.Method)],
                Integration = integration,
                // Only the OpenAPI document is public; everything else inherits the JWT authorizer.
                Authorizer = route.Public ? new HttpNoneAuthorizer() : null,
            });
        }
        return api;
    }

    private string StateMachineArn(StateMachineDefinition machine) => FormatArn(new ArnComponents
    {
        Service = "states",
        Resource = "stateMachine",
        ResourceName = machine.Name,
        ArnFormat = ArnFormat.COLON_RESOURCE_NAME,
    });

    private string ExecutionsArn(StateMachineDefinition machine) => FormatArn(new ArnComponents
    {
        Service = "states",
        Resource = "execution",
        ResourceName = machine.Name + ":*",
        ArnFormat = ArnFormat.COLON_RESOURCE_NAME,
    });

    /// <summary>"palette-provision-cluster" -> "PaletteProvisionCluster", for construct and output ids.</summary>
    public static string PascalCase(string name) =>
        string.Concat(name.Split('-', StringSplitOptions.RemoveEmptyEntries).Select(part => char.ToUpperInvariant(part[0]) + part[1..]));

    [GeneratedRegex(@"\$\{([A-Za-z0-9_]+)\}")]
    private static partial Regex PlaceholderPattern();
}
