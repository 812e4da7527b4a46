using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using PaletteServerless.Aws.Observability;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Manifest;

namespace PaletteServerless.Steps.Tests;

/// <summary>The JSON log lines and embedded-metric-format lines every function writes.</summary>
public sealed class JsonLogTests
{
    private static readonly FakeTimeProvider Clock = new(DateTimeOffset.Parse("2030-05-06T07:08:09.123Z"));

    private static Cluster Cluster(string status, DateTimeOffset? created = null) => new()
    {
        Scope = new ProjectScope("acme", "demo"), Uid = "0123456789abcdef0123456789abcdef", Spec = new ClusterSpec { Name = "c1" },
        Status = status, CreatedAt = created ?? Clock.GetUtcNow().AddMinutes(-20),
    };

    [Fact]
    public void A_line_starts_with_Lambdas_fields_and_carries_the_correlation_ids_that_apply()
    {
        var line = JsonNode.Parse(JsonLog.Line("WARN", "something", JsonLog.Of(Cluster(ClusterStatus.Running), "arn:exec"), null, null, Clock))!.AsObject();
        line.Select(p => p.Key).Should().Equal("timestamp", "level", "message", "clusterUid", "tenant", "project", "cluster", "executionArn");
        line["timestamp"]!.GetValue<string>().Should().Be("2030-05-06T07:08:09.123Z");
        line["level"]!.GetValue<string>().Should().Be("WARN");
        line["clusterUid"]!.GetValue<string>().Should().Be("0123456789abcdef0123456789abcdef");
        JsonNode.Parse(JsonLog.Line("INFO", "m", JsonLog.Of(Cluster(ClusterStatus.Running)), null, null, Clock))!.AsObject()
            .ContainsKey("executionArn").Should().BeFalse("a field that does not apply is left out");
    }

    [Fact]
    public void A_metric_line_is_embedded_metric_format_with_the_products_namespace_dimension_and_units()
    {
        var line = JsonNode.Parse(JsonLog.Line("INFO", "moved", null,
            new Dictionary<string, double> { [ProductMetrics.CreatesSucceeded] = 1, [ProductMetrics.CreateDuration] = 1234.5678 }, null, Clock))!;
        var directive = line["_aws"]!["CloudWatchMetrics"]![0]!;
        line["_aws"]!["Timestamp"]!.GetValue<long>().Should().Be(Clock.GetUtcNow().ToUnixTimeMilliseconds());
        directive["Namespace"]!.GetValue<string>().Should().Be(ProductMetrics.Namespace);
        directive["Dimensions"]!.ToJsonString().Should().Be($"[[\"{ProductMetrics.ServiceDimension}\"]]");
        directive["Metrics"]!.ToJsonString().Should().Be("""[{"Name":"CreatesSucceeded","Unit":"Count"},{"Name":"CreateDuration","Unit":"Milliseconds"}]""");
        line[ProductMetrics.ServiceDimension]!.GetValue<string>().Should().Be(ProductMetrics.Service);
        line[ProductMetrics.CreateDuration]!.GetValue<double>().Should().Be(1234.568);

        var byStatus = JsonNode.Parse(JsonLog.Line("INFO", "count", null, new Dictionary<string, double> { [ProductMetrics.Clusters] = 3 }, "Running", Clock))!;
        byStatus["_aws"]!["CloudWatchMetrics"]![0]!["Dimensions"]!.ToJsonString().Should().Be("[[\"Service\",\"Status\"]]");
        byStatus["Status"]!.GetValue<string>().Should().Be("Running");
        FluentActions.Invoking(() => JsonLog.Line("INFO", "x", null, new Dictionary<string, double> { ["Unlisted"] = 1 }, null, Clock))
            .Should().Throw<InvalidOperationException>().WithMessage("*Unlisted*ProductMetrics.Units*");
    }

    [Theory]
    [InlineData(ClusterStatus.Pending, ClusterStatus.Provisioning, new[] { ProductMetrics.CreatesStarted })]
    [InlineData(ClusterStatus.Provisioning, ClusterStatus.Running, new[] { ProductMetrics.CreatesSucceeded, ProductMetrics.CreateDuration })]
    [InlineData(ClusterStatus.Provisioning, ClusterStatus.Failed, new[] { ProductMetrics.CreatesFailed })]
    [InlineData(ClusterStatus.Running, ClusterStatus.Deleting)] // the API moves it; the delete workflow's first step counts it
    [InlineData(ClusterStatus.Deleting, ClusterStatus.Deleted, new[] { ProductMetrics.DeletesSucceeded, ProductMetrics.DeleteDuration })]
    [InlineData(ClusterStatus.Running, ClusterStatus.Updating, new[] { ProductMetrics.UpdatesStarted })]
    [InlineData(ClusterStatus.Updating, ClusterStatus.Running, new[] { ProductMetrics.UpdatesFinished })]
    public void Each_status_move_counts_what_it_stands_for(string from, string to, params string[] metrics)
    {
        var after = Cluster(to) with { DeletingSince = Clock.GetUtcNow().AddMinutes(-5) };
        var values = StatusMetrics.Of(Cluster(from), after, Clock.GetUtcNow());
        values.Keys.Should().BeEquivalentTo(metrics);
        if (values.TryGetValue(ProductMetrics.CreateDuration, out var create))
            create.Should().Be(TimeSpan.FromMinutes(20).TotalMilliseconds);
        if (values.TryGetValue(ProductMetrics.DeleteDuration, out var delete))
            delete.Should().Be(TimeSpan.FromMinutes(5).TotalMilliseconds);
    }
}
