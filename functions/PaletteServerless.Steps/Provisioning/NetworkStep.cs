using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Steps.Provisioning;

/// <summary>
/// The create's first step: Pending -> Provisioning beside the checks made before anything is created
/// (<see cref="StartProvisioning"/>); then the network core (VPC, subnets, internet gateway, public routes, security groups; static
/// placement: security groups only), the API server's load balancer, target group and listener (its
/// DNS name is what the nodes join), the cluster's secrets (<see cref="NodeSecrets"/>), and the
/// control planes' instances. One step, because the first control plane is the create's longest chain
/// (it boots, runs kubeadm init and applies the packs before the cluster serves): it launches as soon as
/// its subnet, security groups, load balancer name and secrets exist, while the load balancer's listener,
/// the routes and the groups' rules are still being made (a security group's rules apply to its instances
/// whenever they are added, and a node first needs them and the listener when it boots, minutes later). The workers, however many, launch in the
/// node pools' step after it, beside the create's wait for the first node check.
/// </summary>
public sealed class NetworkStep(StepRuntime runtime)
{
    public NetworkStep() : this(StepRuntime.FromEnvironment()) { }

    public Task<Stream> Handle(Stream input) => runtime.RunAsync(input, async (step, ct) =>
    {
        await StartProvisioning.RunAsync(step, runtime, ct);
        var (plan, network) = await step.PlanAsync(ct);
        var resources = await step.ResourcesAsync(ct);
        // The security groups admit what the profile's CNI (with its values) and kubeadm need between the nodes.
        var profile = await step.ProfileAsync(ct);
        var traffic = SecurityGroupKind.TrafficOf(resources.Cluster, profile);
        var build = new ClusterNetwork(resources).Start(plan, traffic, ct);
        // The load balancer needs only its subnets and security group: it is made while the routes and the groups' rules are.
        async Task<LoadBalancerKind.Build> LoadBalancerAsync()
        {
            await build.Placeable;
            return new LoadBalancerKind(resources).Start(plan, LoadBalancerSubnets(resources, plan, network), ct);
        }
        var loadBalancer = LoadBalancerAsync();
        async Task<string> DnsNameAsync() => await (await loadBalancer).DnsName;
        async Task LoadBalancerBuiltAsync() => await (await loadBalancer).Built;
        var dnsName = DnsNameAsync();
        var loadBalancerBuilt = LoadBalancerBuiltAsync();
        // The secrets and the desired in-cluster state need only the VPC they are tagged with, before any node: the
        // control planes' agent reads the state from its first run.
        async Task<ClusterSecrets> SecretsAsync()
        {
            await build.VpcId;
            return await NodeSecrets.EnsureAsync(plan, resources, runtime, ct);
        }
        async Task DesiredAsync()
        {
            await build.VpcId;
            await WriteDesiredStateAsync(resources, profile, ct);
        }
        var secrets = SecretsAsync();
        var desired = DesiredAsync();
        // The control planes, once they can be placed and their user data is complete (the load balancer's name, the CA's
        // hash, the desired state); every launch is recorded before it is made (NodePoolKind), so a failure anywhere leaks none.
        async Task ControlPlanesAsync()
        {
            await Task.WhenAll(build.Placeable, dnsName, desired);
            var caCertHash = (await secrets).CaCertHash;
            var controlPlanes = plan with { Instances = [.. plan.Instances.Where(i => i.Role == NodePoolRoles.ControlPlane)] };
            var subnets = new Dictionary<string, string>();
            foreach (var instance in controlPlanes.Instances)
                subnets.TryAdd($"{instance.AvailabilityZone}/{instance.Role}", NodePlacement.SubnetFor(plan, network, resources, instance.AvailabilityZone, instance.Role));
            await new NodePoolKind(resources).EnsureAsync(controlPlanes, profile, caCertHash, subnets, ct);
        }
        var nodes = ControlPlanesAsync();
        // All finish before the step ends, whichever fails: nothing is left being made behind a failed step.
        await Task.WhenAll(build.Built, loadBalancer, dnsName, loadBalancerBuilt, secrets, desired, nodes);
        // One write for every condition: this step is on the create's critical path.
        List<(string, bool, string, string)> conditions = plan.IsDynamic
            ?
            [
                StartProvisioning.PreflightPassed,
                ("VpcReady", true, "Created", $"VPC {plan.VpcCidr}"),
                ("SubnetsReady", true, "Created", $"{plan.Zones.Count * 2} subnets in {string.Join(", ", plan.Zones.Select(z => z.AvailabilityZone))}"),
                ("InternetGatewayReady", true, "Attached", "internet gateway attached"),
            ]
            :
            [
                StartProvisioning.PreflightPassed,
                ("VpcReady", true, "StaticPlacement", $"using the given VPC {plan.StaticVpcId}"),
                ("SubnetsReady", true, "StaticPlacement", "using the given subnets"),
            ];
        conditions.Add(("SecurityGroupsReady", true, "Created", "control plane, node and load balancer groups with their rules"));
        conditions.Add(("LoadBalancerReady", false, "Provisioning", $"{plan.LoadBalancerScheme} load balancer {await dnsName} is provisioning"));
        await runtime.Status.SetConditionsAsync(step.Scope, step.Input.Cluster, step.Input.Uid, conditions, ct);
        return StepResult.Finished;
    });

    private static async Task WriteDesiredStateAsync(ClusterResources resources, Domain.Profiles.ClusterProfile profile, CancellationToken ct)
    {
        try
        {
            await new DesiredStateKind(resources).WriteAsync(resources.Cluster, profile, ct);
        }
        catch (InvalidOperationException ex)
        {
            throw new ProvisioningFailedException($"step Network: {ex.Message}", ex);
        }
    }

    /// <summary>The load balancer's subnets: the plan's public ones (private for an internal scheme), or the user's, one per zone.</summary>
    private static IReadOnlyList<string> LoadBalancerSubnets(ClusterResources resources, ClusterPlan plan, StaticNetwork? network)
    {
        var placement = resources.Cluster.Spec.Cloud!.Placement!;
        var controlPlaneZones = plan.Instances.Where(i => i.Role == NodePoolRoles.ControlPlane).Select(i => i.AvailabilityZone).Distinct().ToList();
        return (plan.IsDynamic, plan.LoadBalancerScheme) switch
        {
            (true, LoadBalancerSchemes.Internal) => resources.All(ResourceKinds.Subnet, "private").Select(s => s.Id).ToList(),
            (true, _) => resources.All(ResourceKinds.Subnet, "public").Select(s => s.Id).ToList(),
            (false, LoadBalancerSchemes.Internal) => placement.ControlPlaneSubnetIds!,
            // One public subnet per zone: a load balancer takes at most one subnet per zone.
            (false, _) => network!.PublicSubnets.GroupBy(s => s.AvailabilityZone)
                .OrderByDescending(g => controlPlaneZones.Contains(g.Key)).Select(g => g.First().SubnetId).ToList(),
        };
    }
}
