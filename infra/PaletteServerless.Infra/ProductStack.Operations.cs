using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.CloudWatch.Actions;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.SNS;
using Amazon.CDK.AWS.SQS;
using PaletteServerless.Manifest;
using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Infra;

/// <summary>
/// The thresholds of the product's alarms (docs/operations.md says what each means and what to do). Every alarm
/// looks at one five-minute period and treats missing data as fine: no data is no failure.
/// </summary>
public static class AlarmThresholds
{
    public static readonly Duration Period = Duration.Minutes(5);
    /// <summary>Failed or timed-out executions of one state machine: any.</summary>
    public const double FailedExecutions = 1;
    /// <summary>Deletes that reached 15 minutes in Deleting (<see cref="ProductMetrics.StuckDeletes"/>): any.</summary>
    public const double StuckDeletes = 1;
    /// <summary>Pools whose remediation paused (<see cref="ProductMetrics.RemediationPaused"/>): any.</summary>
    public const double RemediationPaused = 1;
    /// <summary>
    /// Errors of one step function: a step's transient error (throttling, an id not yet visible) is an error the
    /// workflow retries, so a few are normal; five in five minutes are not.
    /// </summary>
    public const double StepErrors = 5;
    /// <summary>Errors of the API function: it answers every failure itself, so an error is a crash or a timeout.</summary>
    public const double ApiErrors = 1;
    /// <summary>Throttles of one function: any (the account's or the function's concurrency is exhausted).</summary>
    public const double Throttles = 1;
    /// <summary>Messages in the event dead-letter queue: any (an event no retry could deliver).</summary>
    public const double DeadLetters = 1;
    /// <summary>Throttled reads plus writes of the table: on-demand capacity should not throttle; five say a hot key or an account limit.</summary>
    public const double TableThrottles = 5;
}

/// <summary>
/// The product stack's operations: one SNS topic every alarm notifies, the dead-letter queue of every event rule
/// target, the alarms on the workflows, the functions, the dead letters, the table and the product's own metrics,
/// and a dashboard of them all.
/// </summary>
public sealed partial class ProductStack
{
    public Topic AlarmTopic { get; private set; } = null!;
    public Queue EventDeadLetters { get; private set; } = null!;
    public Dashboard Dashboard { get; private set; } = null!;

    /// <summary>Retries of a rule whose events stand for something that happened (EC2's, the cluster events): worth delivering late.</summary>
    public const int EventRetryAttempts = 10;
    public static readonly Duration EventMaxAge = Duration.Hours(2);
    /// <summary>Retries of a schedule's tick: the next tick does the same job, so a tick is not worth keeping long.</summary>
    public const int ScheduleRetryAttempts = 2;
    public static readonly Duration ScheduleMaxAge = Duration.Minutes(10);

    /// <summary>Before the functions and state machines: their alarms notify the topic, their rules' targets use the queue.</summary>
    private void CreateOperationsResources()
    {
        AlarmTopic = new Topic(this, "AlarmTopic", new TopicProps
        {
            DisplayName = "PaletteServerless alarms",
            EnforceSSL = true,
        });
        EventDeadLetters = new Queue(this, "EventDeadLetters", new QueueProps
        {
            // An event no retry could deliver to its target: kept 14 days (SQS's longest) for inspection and redrive.
            RetentionPeriod = Duration.Days(14),
            Encryption = QueueEncryption.SQS_MANAGED,
            EnforceSSL = true,
        });
        _ = new CfnOutput(this, "AlarmTopicArn", new CfnOutputProps
        {
            Value = AlarmTopic.TopicArn,
            Description = "SNS topic every alarm notifies: subscribe the on-call address or chat integration to it",
        });
        _ = new CfnOutput(this, "EventDeadLetterQueueUrl", new CfnOutputProps
        {
            Value = EventDeadLetters.QueueUrl,
            Description = "Events no retry could deliver to their rule's target (docs/operations.md: redrive)",
        });
    }

    /// <summary>Lets EventBridge put undeliverable events of <paramref name="ruleArn"/> into the dead-letter queue (what CDK adds for the targets it builds).</summary>
    private void AllowDeadLettersFrom(string ruleArn) =>
        EventDeadLetters.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "ClusterEventsRuleDeadLetters",
            Principals = [new ServicePrincipal("events.amazonaws.com")],
            Actions = ["sqs:SendMessage"],
            Resources = [EventDeadLetters.QueueArn],
            Conditions = new Dictionary<string, object> { ["ArnEquals"] = new Dictionary<string, object> { ["aws:SourceArn"] = ruleArn } },
        }));

    /// <summary>An alarm at <paramref name="threshold"/> or more over one period, notifying the topic when it fires and when it clears.</summary>
    private Alarm Alarm(string id, string description, IMetric metric, double threshold)
    {
        var alarm = new Alarm(this, id, new AlarmProps
        {
            AlarmDescription = description,
            Metric = metric,
            Threshold = threshold,
            EvaluationPeriods = 1,
            ComparisonOperator = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            TreatMissingData = TreatMissingData.NOT_BREACHING,
        });
        alarm.AddAlarmAction(new SnsAction(AlarmTopic));
        alarm.AddOkAction(new SnsAction(AlarmTopic));
        return alarm;
    }

    private static Metric ProductMetric(string name, string statistic = "Sum", string? status = null) => new(new MetricProps
    {
        Namespace = ProductMetrics.Namespace,
        MetricName = name,
        DimensionsMap = status is null
            ? new Dictionary<string, string> { [ProductMetrics.ServiceDimension] = ProductMetrics.Service }
            : new Dictionary<string, string> { [ProductMetrics.ServiceDimension] = ProductMetrics.Service, [ProductMetrics.StatusDimension] = status },
        Statistic = statistic,
        Period = AlarmThresholds.Period,
    });

    private IMetric TableThrottles() => new MathExpression(new MathExpressionProps
    {
        Expression = "reads + writes",
        UsingMetrics = new Dictionary<string, IMetric>
        {
            ["reads"] = Table.Metric("ReadThrottleEvents", new MetricOptions { Statistic = "Sum", Period = AlarmThresholds.Period }),
            ["writes"] = Table.Metric("WriteThrottleEvents", new MetricOptions { Statistic = "Sum", Period = AlarmThresholds.Period }),
        },
        Label = "table throttled requests",
        Period = AlarmThresholds.Period,
    });

    private Metric DeadLetterDepth() => EventDeadLetters.MetricApproximateNumberOfMessagesVisible(
        new MetricOptions { Statistic = "Maximum", Period = AlarmThresholds.Period });

    /// <summary>After everything else: the alarms on the functions, the queue, the table and the product's metrics, and the dashboard.</summary>
    private void CreateAlarmsAndDashboard()
    {
        foreach (var (name, function) in Functions)
        {
            var isApi = name == FunctionCatalog.Api.Name;
            _ = Alarm(name + "ErrorsAlarm",
                $"{name}: {(isApi ? "an invocation crashed or timed out" : "5 or more errors in 5 minutes (beyond the transient ones the workflows retry)")}: see its log group",
                function.MetricErrors(new MetricOptions { Statistic = "Sum", Period = AlarmThresholds.Period }),
                isApi ? AlarmThresholds.ApiErrors : AlarmThresholds.StepErrors);
            _ = Alarm(name + "ThrottlesAlarm", $"{name}: invocations throttled (concurrency exhausted)",
                function.MetricThrottles(new MetricOptions { Statistic = "Sum", Period = AlarmThresholds.Period }), AlarmThresholds.Throttles);
        }
        _ = Alarm("StuckDeletesAlarm", "A cluster has been Deleting for 15 minutes (its delete workflow will still succeed): force delete may be needed",
            ProductMetric(ProductMetrics.StuckDeletes), AlarmThresholds.StuckDeletes);
        _ = Alarm("RemediationPausedAlarm", "A node pool has more unhealthy nodes than its maxUnhealthy: remediation stopped replacing its nodes",
            ProductMetric(ProductMetrics.RemediationPaused), AlarmThresholds.RemediationPaused);
        _ = Alarm("EventDeadLettersAlarm", "An event could not be delivered to its rule's target after every retry: it is in the dead-letter queue",
            DeadLetterDepth(), AlarmThresholds.DeadLetters);
        _ = Alarm("TableThrottlesAlarm", "The table throttled reads or writes", TableThrottles(), AlarmThresholds.TableThrottles);
        CreateDashboard();
    }

    private void CreateDashboard()
    {
        Dashboard = new Dashboard(this, "Dashboard", new DashboardProps { DashboardName = "PaletteServerless", DefaultInterval = Duration.Hours(6) });
        GraphWidget Graph(string title, IEnumerable<IMetric> left, IEnumerable<IMetric>? right = null, int width = 12) => new(new GraphWidgetProps
        {
            Title = title, Left = [.. left], Right = right is null ? null : [.. right], Width = width, Height = 6,
        });
        Dashboard.AddWidgets(
            Graph("Clusters by status", ClusterStatus.All.Where(ClusterStatus.IsLive).Select(s => (IMetric)ProductMetric(ProductMetrics.Clusters, "Maximum", s).With(new MetricOptions { Label = s }))),
            Graph("Creates, deletes, updates", new[]
            {
                ProductMetrics.CreatesStarted, ProductMetrics.CreatesSucceeded, ProductMetrics.CreatesFailed,
                ProductMetrics.DeletesStarted, ProductMetrics.DeletesSucceeded, ProductMetrics.UpdatesStarted, ProductMetrics.UpdatesFinished,
                ProductMetrics.StuckDeletes, ProductMetrics.ClustersRecovered,
            }.Select(m => (IMetric)ProductMetric(m))));
        foreach (var (name, machine) in StateMachines)
            Dashboard.AddWidgets(Graph($"{name}: starts, successes, failures (left), duration p50/p99 (right)",
                [machine.MetricStarted(), machine.MetricSucceeded(), machine.MetricFailed(), machine.MetricTimedOut()],
                [machine.MetricTime(new MetricOptions { Statistic = "p50" }), machine.MetricTime(new MetricOptions { Statistic = "p99" })], width: 8));
        Dashboard.AddWidgets(
            Graph("API latency p50 / p99", [HttpApi.MetricLatency(new MetricOptions { Statistic = "p50" }), HttpApi.MetricLatency(new MetricOptions { Statistic = "p99" })],
                [HttpApi.MetricClientError(), HttpApi.MetricServerError()]),
            Graph("Durations: create, delete, remediation (p50)", new[] { ProductMetrics.CreateDuration, ProductMetrics.DeleteDuration, ProductMetrics.RemediationDuration }
                .Select(m => (IMetric)ProductMetric(m, "p50"))));
        Dashboard.AddWidgets(
            Graph("Lambda errors", Functions.Values.Select(f => (IMetric)f.MetricErrors())),
            Graph("Lambda throttles", Functions.Values.Select(f => (IMetric)f.MetricThrottles())));
        Dashboard.AddWidgets(
            Graph("Event dead letters, table throttles", [DeadLetterDepth(), TableThrottles()]),
            Graph("Remediation, leftovers", new[]
            {
                ProductMetrics.RemediationsStarted, ProductMetrics.RemediationsFinished, ProductMetrics.RemediationPaused, ProductMetrics.LeftoverResources,
            }.Select(m => (IMetric)ProductMetric(m))));
    }
}
