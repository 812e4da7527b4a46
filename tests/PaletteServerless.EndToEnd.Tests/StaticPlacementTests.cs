using System.Net;
using Amazon.EC2;
using Amazon.EC2.Model;

namespace PaletteServerless.EndToEnd.Tests;

[Collection(LocalStackCollection.Name)]
public sealed class StaticPlacementTests(LocalStackFixture stack)
{
    [Fact]
    public async Task A_static_cluster_builds_in_the_users_VPC_without_touching_it_and_a_missing_discovery_tag_is_named()
    {
        var scenario = await Scenario.StartAsync(stack, "static", region: "us-west-2");
        using var ec2 = stack.Ec2(region: "us-west-2");
        var (vpcId, publicSubnet, privateSubnet) = await UsersNetworkAsync(ec2, "static-one");

        var placement = $$""","placement":{"mode":"static","vpcId":"{{vpcId}}","controlPlaneSubnetIds":["{{privateSubnet}}"],"workerSubnetIds":["{{privateSubnet}}"]}""";
        var created = await scenario.CreateAsync(Scenario.Cluster("static-one", "[]", region: "us-west-2", cloudExtra: placement).Replace(",\"availabilityZones\":[]", ""));
        await scenario.WaitForStatusAsync("static-one", "Running");

        var uid = created["uid"]!.GetValue<string>();
        var ours = (await stack.ResourcesOfAsync(uid)).GroupBy(r => r["type"]!.GetValue<string>()).ToDictionary(g => g.Key, g => g.Count());
        ours.Keys.Should().BeEquivalentTo(["ec2:security-group", "ec2:instance", "ec2:volume", "elasticloadbalancing:loadbalancer", "elasticloadbalancing:targetgroup", "elasticloadbalancing:listener", "ssm:parameter"],
            "static placement creates no VPC, subnet, gateway or route table of its own");

        // The same VPC for a cluster whose name its public subnet's discovery tags do not carry.
        var other = await scenario.CreateAsync(Scenario.Cluster("static-two", "[]", region: "us-west-2", cloudExtra: placement).Replace(",\"availabilityZones\":[]", ""));
        var failed = await scenario.WaitForStatusAsync("static-two", "Failed");
        failed["statusReason"]!.GetValue<string>().Should().Contain(publicSubnet).And.Contain("kubernetes.io/cluster/static-two=shared");
        (await stack.ResourcesOfAsync(other["uid"]!.GetValue<string>())).Should().BeEmpty();
        (await scenario.DeleteAsync("static-two")).StatusCode.Should().Be(HttpStatusCode.Accepted, "a Failed cluster can be deleted");
        await scenario.WaitForStatusAsync("static-two", "Deleted");

        (await scenario.DeleteAsync("static-one")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await scenario.WaitForStatusAsync("static-one", "Deleted");
        (await stack.ResourcesOfAsync(uid)).Should().BeEmpty();
        (await ec2.DescribeVpcsAsync(new DescribeVpcsRequest { VpcIds = [vpcId] })).Vpcs.Should().ContainSingle("the user's VPC is never deleted");
        (await ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest { SubnetIds = [publicSubnet, privateSubnet] })).Subnets.Should().HaveCount(2);
    }

    /// <summary>A VPC as a user would bring it: a public subnet routed to an internet gateway with the product doc's four discovery tags, and a private subnet.</summary>
    private static async Task<(string Vpc, string PublicSubnet, string PrivateSubnet)> UsersNetworkAsync(IAmazonEC2 ec2, string clusterName)
    {
        var vpc = (await ec2.CreateVpcAsync(new CreateVpcRequest { CidrBlock = "10.20.0.0/16" })).Vpc.VpcId;
        var igw = (await ec2.CreateInternetGatewayAsync(new CreateInternetGatewayRequest())).InternetGateway.InternetGatewayId;
        await ec2.AttachInternetGatewayAsync(new AttachInternetGatewayRequest { InternetGatewayId = igw, VpcId = vpc });
        var publicSubnet = (await ec2.CreateSubnetAsync(new CreateSubnetRequest
        {
            VpcId = vpc, CidrBlock = "10.20.0.0/24", AvailabilityZone = "us-west-2a",
            TagSpecifications =
            [
                new TagSpecification
                {
                    ResourceType = ResourceType.Subnet,
                    Tags =
                    [
                        new Tag("kubernetes.io/role/elb", "1"),
                        new Tag("sigs.k8s.io/cluster-api-provider-aws/role", "public"),
                        new Tag($"kubernetes.io/cluster/{clusterName}", "shared"),
                        new Tag($"sigs.k8s.io/cluster-api-provider-aws/cluster/{clusterName}", "owned"),
                    ],
                },
            ],
        })).Subnet.SubnetId;
        var privateSubnet = (await ec2.CreateSubnetAsync(new CreateSubnetRequest { VpcId = vpc, CidrBlock = "10.20.1.0/24", AvailabilityZone = "us-west-2a" })).Subnet.SubnetId;
        var table = (await ec2.CreateRouteTableAsync(new CreateRouteTableRequest { VpcId = vpc })).RouteTable.RouteTableId;
        await ec2.CreateRouteAsync(new CreateRouteRequest { RouteTableId = table, DestinationCidrBlock = "0.0.0.0/0", GatewayId = igw });
        await ec2.AssociateRouteTableAsync(new AssociateRouteTableRequest { RouteTableId = table, SubnetId = publicSubnet });
        return (vpc, publicSubnet, privateSubnet);
    }
}
