using Microsoft.Extensions.Time.Testing;
using PaletteServerless.Aws.Cloud;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Steps.Provisioning;

namespace PaletteServerless.Steps.Tests;

/// <summary>How long a create waits before it first looks at its nodes.</summary>
public sealed class NodePoolsStepTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero));
    private readonly InMemoryInventory _inventory = new();

    private async Task<int> FirstCheckSecondsAfterLaunchAsync(TimeSpan sinceFirstControlPlane)
    {
        var item = _inventory.Add(ResourceKinds.Instance, "i-cp", "demo-cp-0", "us-east-1a", new()
        {
            ["pool"] = "cp", ["role"] = "control-plane", [NodeReadiness.FirstControlPlaneAttribute] = "true",
        });
        _inventory.Items[0] = item with { RecordedAt = _clock.GetUtcNow() - sinceFirstControlPlane };
        var resources = await ClusterResources.LoadAsync(TestCluster.Create(), new FakeCloud(), _inventory, _clock, CancellationToken.None);
        return NodePoolsStep.FirstCheckSeconds(resources);
    }

    [Theory]
    // Launched just now: the whole typical start, boot and packs of the first control plane (45 + 110 + 40 s).
    [InlineData(0, 195)]
    // The step took 25 s after launching it (hundreds of workers after it): only what is left.
    [InlineData(25, 170)]
    // A re-run long after: one poll, not none.
    [InlineData(600, 10)]
    public async Task The_first_check_comes_when_the_first_control_plane_has_typically_applied_its_packs_counted_from_its_launch(int secondsSinceLaunch, int expected)
    {
        (await FirstCheckSecondsAfterLaunchAsync(TimeSpan.FromSeconds(secondsSinceLaunch))).Should().Be(expected);
    }
}
