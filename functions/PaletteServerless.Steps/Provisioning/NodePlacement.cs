using PaletteServerless.Aws.Cloud;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Steps.Provisioning;

/// <summary>Where a node lands: the same answer for the create's launch, an update's roll and a remediation's replacement.</summary>
public static class NodePlacement
{
    /// <summary>The subnet a node of a role lands in, in a zone: the private subnet of a dynamic network, else the user's subnet of that zone.</summary>
    public static string SubnetFor(ClusterPlan plan, StaticNetwork? network, ClusterResources resources, string zone, string role)
    {
        if (plan.IsDynamic)
            return resources.Id(ResourceKinds.Subnet, "private", zone);
        return resources.Cluster.Definition.Cloud.Placement.SubnetIdsFor(role).FirstOrDefault(s => network!.SubnetZones.GetValueOrDefault(s) == zone)
            ?? throw new ProvisioningFailedException($"no {role} subnet in {zone}");
    }
}
