using PaletteServerless.Domain.Clusters;
using static PaletteServerless.Domain.Tests.Specs;

namespace PaletteServerless.Domain.Tests.Changes;

/// <summary>The per-pool updateStrategy and healthCheck: their rules at create, each naming its field, and their defaults.</summary>
public class PoolPolicyValidationTests
{
    private static ClusterSpec WithStrategy(UpdateStrategySpec strategy) => WithWorker(w => w with { UpdateStrategy = strategy });

    private static ClusterSpec WithHealthCheck(HealthCheckSpec check) => WithWorker(w => w with { HealthCheck = check });

    private static IntOrPercent Json(string json) => SpecJson.FromJson<IntOrPercent>(json);

    [Fact]
    public void Defaults_are_expand_first_and_cluster_api_health_check()
    {
        var valid = ClusterSpecValidator.Validate(Valid());

        foreach (var pool in valid.NodePools!)
        {
            pool.UpdateStrategy.Should().BeEquivalentTo(new UpdateStrategySpec { Type = "RollingUpdate", MaxSurge = IntOrPercent.Of(1), MaxUnavailable = IntOrPercent.Of(0) });
            pool.HealthCheck.Should().BeEquivalentTo(new HealthCheckSpec { Enabled = true, MaxUnhealthy = IntOrPercent.Percent(100), NodeStartupTimeoutMinutes = 10 });
        }
    }

    [Fact]
    public void Given_values_are_kept_and_missing_ones_defaulted()
    {
        var valid = ClusterSpecValidator.Validate(WithWorker(w => w with
        {
            UpdateStrategy = new UpdateStrategySpec { MaxUnavailable = IntOrPercent.Percent(25) },
            HealthCheck = new HealthCheckSpec { Enabled = false, NodeStartupTimeoutMinutes = 0 },
        }));

        valid.NodePools![1].UpdateStrategy.Should().BeEquivalentTo(new UpdateStrategySpec { Type = "RollingUpdate", MaxSurge = IntOrPercent.Of(1), MaxUnavailable = IntOrPercent.Percent(25) });
        valid.NodePools[1].HealthCheck.Should().BeEquivalentTo(new HealthCheckSpec { Enabled = false, MaxUnhealthy = IntOrPercent.Percent(100), NodeStartupTimeoutMinutes = 0 });
    }

    [Theory]
    [InlineData("0", "1")]
    [InlineData("1", "0")]
    [InlineData("\"0%\"", "\"25%\"")]
    [InlineData("\"200%\"", "\"100%\"")]
    [InlineData("500", "500")]
    public void Strategies_within_bounds_are_accepted(string surge, string unavailable)
    {
        ErrorsOf(WithStrategy(new UpdateStrategySpec { MaxSurge = Json(surge), MaxUnavailable = Json(unavailable) })).Should().BeEmpty();
    }

    [Theory]
    [InlineData("0", "0")]
    [InlineData("\"0%\"", "0")]
    [InlineData("0", "\"0%\"")]
    public void Both_zero_is_refused_on_the_strategy(string surge, string unavailable)
    {
        var errors = ErrorsOf(WithStrategy(new UpdateStrategySpec { MaxSurge = Json(surge), MaxUnavailable = Json(unavailable) }));

        errors.Fields().Should().Equal("nodePools[1].updateStrategy");
        errors[0].Message.Should().Contain("both be 0");
    }

    [Fact]
    public void Surge_zero_alone_is_refused_because_unavailable_defaults_to_zero()
    {
        ErrorsOf(WithStrategy(new UpdateStrategySpec { MaxSurge = IntOrPercent.Of(0) })).Fields().Should().Equal("nodePools[1].updateStrategy");
    }

    [Theory]
    [InlineData("maxSurge", "-1")]
    [InlineData("maxSurge", "1.5")]
    [InlineData("maxSurge", "501")]
    [InlineData("maxSurge", "\"1\"")]
    [InlineData("maxSurge", "\"25 %\"")]
    [InlineData("maxSurge", "\"-5%\"")]
    [InlineData("maxSurge", "\"1000%\"")]
    [InlineData("maxUnavailable", "\"101%\"")]
    [InlineData("maxUnavailable", "\"x\"")]
    [InlineData("maxUnavailable", "\"\"")]
    [InlineData("maxUnavailable", "\"05%\"")]
    public void Bad_counts_and_percents_name_their_field(string field, string json)
    {
        var value = Json(json);
        var strategy = field == "maxSurge"
            ? new UpdateStrategySpec { MaxSurge = value, MaxUnavailable = IntOrPercent.Of(1) }
            : new UpdateStrategySpec { MaxUnavailable = value };

        ErrorsOf(WithStrategy(strategy)).Fields().Should().Equal($"nodePools[1].updateStrategy.{field}");
    }

    [Fact]
    public void Only_rolling_update_is_a_strategy_type()
    {
        ErrorsOf(WithStrategy(new UpdateStrategySpec { Type = "Recreate" })).Fields().Should().Equal("nodePools[1].updateStrategy.type");
    }

    [Theory]
    [InlineData("0", "1")]
    [InlineData("2", "0")]
    [InlineData("1", "1")]
    [InlineData("\"100%\"", "0")]
    public void The_control_plane_pool_rolls_one_at_a_time_only(string surge, string unavailable)
    {
        var spec = Valid() with
        {
            NodePools = [ControlPlane() with { UpdateStrategy = new UpdateStrategySpec { MaxSurge = Json(surge), MaxUnavailable = Json(unavailable) } }, Worker()],
        };

        var errors = ErrorsOf(spec);

        errors.Fields().Should().Equal("nodePools[0].updateStrategy");
        errors[0].Message.Should().Contain("one node at a time");
    }

    [Fact]
    public void The_control_plane_pool_may_spell_out_its_fixed_strategy()
    {
        var spec = Valid() with
        {
            NodePools = [ControlPlane() with { UpdateStrategy = new UpdateStrategySpec { Type = "RollingUpdate", MaxSurge = IntOrPercent.Of(1), MaxUnavailable = IntOrPercent.Percent(0) } }, Worker()],
        };

        ErrorsOf(spec).Should().BeEmpty();
    }

    [Theory]
    [InlineData("\"40%\"", 10, true)]
    [InlineData("3", 0, true)]
    [InlineData("\"100%\"", 1440, true)]
    [InlineData("\"101%\"", 10, false)]
    [InlineData("-1", 10, false)]
    public void Health_check_max_unhealthy_is_a_count_or_a_percent_up_to_100(string maxUnhealthy, int minutes, bool valid)
    {
        var errors = ErrorsOf(WithHealthCheck(new HealthCheckSpec { MaxUnhealthy = Json(maxUnhealthy), NodeStartupTimeoutMinutes = minutes }));

        if (valid)
            errors.Should().BeEmpty();
        else
            errors.Fields().Should().Equal("nodePools[1].healthCheck.maxUnhealthy");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1441)]
    public void Health_check_startup_timeout_is_0_to_1440_minutes(int minutes)
    {
        ErrorsOf(WithHealthCheck(new HealthCheckSpec { NodeStartupTimeoutMinutes = minutes })).Fields().Should().Equal("nodePools[1].healthCheck.nodeStartupTimeoutMinutes");
    }

    [Fact]
    public void Int_or_percent_reads_numbers_and_strings_and_writes_them_back_the_same()
    {
        SpecJson.ToJson(SpecJson.FromJson<UpdateStrategySpec>("""{"maxSurge":2,"maxUnavailable":"25%"}""")).ToJsonString()
            .Should().Be("""{"maxSurge":2,"maxUnavailable":"25%"}""");
        var act = () => SpecJson.FromJson<UpdateStrategySpec>("""{"maxSurge":true}""");
        act.Should().Throw<System.Text.Json.JsonException>().Which.Path.Should().Be("$.maxSurge");
    }

    [Fact]
    public void The_default_value_is_invalid_and_never_throws()
    {
        var none = default(IntOrPercent);

        none.IsValid.Should().BeFalse();
        none.IsZero.Should().BeFalse();
        ErrorsOf(WithStrategy(new UpdateStrategySpec { MaxSurge = none, MaxUnavailable = IntOrPercent.Of(1) })).Fields().Should().Equal("nodePools[1].updateStrategy.maxSurge");
    }

    [Theory]
    [InlineData("\"25%\"", 10, true, 3)]
    [InlineData("\"25%\"", 10, false, 2)]
    [InlineData("\"1%\"", 1, true, 1)]
    [InlineData("\"1%\"", 1, false, 0)]
    [InlineData("\"100%\"", 7, false, 7)]
    [InlineData("4", 2, true, 4)]
    public void Percents_resolve_against_a_total_rounding_as_told(string json, int total, bool roundUp, int expected)
    {
        Json(json).Resolve(total, roundUp).Should().Be(expected);
    }
}
