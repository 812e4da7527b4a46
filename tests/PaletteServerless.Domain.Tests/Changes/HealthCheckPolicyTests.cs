using PaletteServerless.Domain.Changes;
using PaletteServerless.Domain.Clusters;

namespace PaletteServerless.Domain.Tests.Changes;

public class HealthCheckPolicyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static PoolNode Launching(int minutesAgo, NodeState state = NodeState.Launching) =>
        new("i-1", "workers", "us-east-1a", T0.AddMinutes(-minutesAgo), "lf1-x", state);

    [Theory]
    [InlineData(9, false)]
    [InlineData(10, true)]
    [InlineData(60, true)]
    public void A_node_that_has_not_come_up_in_10_minutes_by_default_has_failed(int minutesAgo, bool timedOut)
    {
        HealthCheckPolicy.StartupTimedOut(null, Launching(minutesAgo), T0).Should().Be(timedOut);
    }

    [Fact]
    public void Zero_minutes_a_disabled_check_or_a_node_already_up_never_time_out()
    {
        HealthCheckPolicy.StartupTimedOut(new HealthCheckSpec { NodeStartupTimeoutMinutes = 0 }, Launching(600), T0).Should().BeFalse();
        HealthCheckPolicy.StartupTimedOut(new HealthCheckSpec { Enabled = false }, Launching(600), T0).Should().BeFalse();
        HealthCheckPolicy.StartupTimedOut(null, Launching(600, NodeState.Healthy), T0).Should().BeFalse();
        HealthCheckPolicy.StartupTimedOut(new HealthCheckSpec { NodeStartupTimeoutMinutes = 30 }, Launching(29), T0).Should().BeFalse();
    }

    [Theory]
    [InlineData(5, 5, true)]
    [InlineData(5, 3, true)]
    [InlineData(5, 2, false)]
    [InlineData(3, 2, true)]
    [InlineData(3, 1, false)]
    public void Remediation_stops_when_more_than_40_percent_rounded_down_are_unhealthy(int expected, int healthy, bool allowed)
    {
        HealthCheckPolicy.MayRemediate(new HealthCheckSpec { MaxUnhealthy = IntOrPercent.Percent(40) }, expected, healthy).Should().Be(allowed);
    }

    [Fact]
    public void By_default_remediation_is_always_allowed_and_a_disabled_check_never_remediates()
    {
        HealthCheckPolicy.MayRemediate(null, expected: 3, healthy: 0).Should().BeTrue("the default maxUnhealthy is 100%");
        HealthCheckPolicy.MayRemediate(new HealthCheckSpec { MaxUnhealthy = IntOrPercent.Of(1) }, expected: 3, healthy: 1).Should().BeFalse();
        HealthCheckPolicy.MayRemediate(new HealthCheckSpec { Enabled = false }, expected: 3, healthy: 2).Should().BeFalse();
    }
}
