using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Validation;

namespace PaletteServerless.Domain.Tests;

/// <summary>A spec that passes every rule, so each test breaks exactly one thing.</summary>
internal static class Specs
{
    public static ClusterSpec Valid() => new()
    {
        Name = "demo",
        CloudAccount = "prod-account",
        Profile = new ProfileReference { Name = "ubuntu-k8s", Version = "1.0.0" },
        Cloud = new CloudSpec { Region = "us-east-1", SshKeyName = "ops" },
        NodePools =
        [
            ControlPlane(),
            Worker(),
        ],
    };

    public static NodePoolSpec ControlPlane(int count = 1) => new()
    {
        Name = "control-plane",
        Role = NodePoolRoles.ControlPlane,
        Count = count,
        InstanceType = "m5.large",
        AvailabilityZones = ["us-east-1a"],
    };

    public static NodePoolSpec Worker(string name = "workers") => new()
    {
        Name = name,
        Role = NodePoolRoles.Worker,
        Count = 2,
        InstanceType = "m5.xlarge",
        AvailabilityZones = ["us-east-1a", "us-east-1b"],
    };

    /// <summary>The spec with its worker pool (index 1) changed.</summary>
    public static ClusterSpec WithWorker(Func<NodePoolSpec, NodePoolSpec> change)
    {
        var spec = Valid();
        return spec with { NodePools = [spec.NodePools![0], change(spec.NodePools[1])] };
    }

    public static ClusterSpec WithCloud(Func<CloudSpec, CloudSpec> change)
    {
        var spec = Valid();
        return spec with { Cloud = change(spec.Cloud!) };
    }

    public static ClusterSpec WithSettings(ClusterSettings settings) => Valid() with { Settings = settings };

    public static CloudSpec Static(this CloudSpec cloud) => cloud with
    {
        Placement = new PlacementSpec
        {
            Mode = PlacementModes.Static,
            VpcId = "vpc-0a1b2c3d",
            ControlPlaneSubnetIds = ["subnet-0a1b2c3d"],
            WorkerSubnetIds = ["subnet-1a1b2c3d", "subnet-2a1b2c3d"],
        },
    };

    /// <summary>Every broken rule of the spec; empty when it is valid.</summary>
    public static IReadOnlyList<ValidationError> ErrorsOf(ClusterSpec spec) => ErrorsOf(() => ClusterSpecValidator.Validate(spec));

    public static IReadOnlyList<ValidationError> ErrorsOf(Action validate)
    {
        try
        {
            validate();
            return [];
        }
        catch (ValidationFailedException ex)
        {
            ex.Errors.Should().NotBeEmpty("a validation failure names at least one field");
            return ex.Errors;
        }
    }

    public static IEnumerable<string> Fields(this IReadOnlyList<ValidationError> errors) => errors.Select(e => e.Field);
}
