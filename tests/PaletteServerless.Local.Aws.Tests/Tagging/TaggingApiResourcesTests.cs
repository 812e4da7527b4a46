using Amazon.EC2;
using Amazon.EC2.Model;
using PaletteServerless.Aws.Clients;
using PaletteServerless.Aws.Cloud.Adapters;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Local.Aws.Tests.Core;
using PaletteServerless.Local.Aws.Tests.Sts;

namespace PaletteServerless.Local.Aws.Tests.Tagging;

/// <summary>The product's tagged-resource adapter (<see cref="TaggingApiResources"/>) through our tagging client on the local AWS.</summary>
public sealed class TaggingApiResourcesTests
{
    private const string Uid = "palette.serverless/cluster-uid", Project = "palette.serverless/project";

    [Fact]
    public async Task A_find_returns_what_carries_every_tag_of_the_owner_across_services_and_pages_with_all_its_tags()
    {
        await using var host = await LocalAwsHost.StartAsync();
        using var ec2 = host.Ec2();
        using var elb = host.Elbv2();
        using var tagging = host.Tagging();
        var vpc = (await ec2.CreateVpcAsync(new CreateVpcRequest
        {
            CidrBlock = "10.0.0.0/16",
            TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Vpc, Tags = [new Tag(Uid, "c1"), new Tag(Project, "demo"), new Tag("Name", "c1-vpc")] }],
        })).Vpc.VpcId;
        var subnets = new List<string>();
        for (var i = 0; i < 60; i++)
        {
            subnets.Add((await ec2.CreateSubnetAsync(new CreateSubnetRequest
            {
                VpcId = vpc, CidrBlock = $"10.0.{i}.0/24", AvailabilityZone = "us-east-1a",
                TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Subnet, Tags = [new Tag(Uid, i % 2 == 0 ? "c1" : "c2"), new Tag(Project, "demo")] }],
            })).Subnet.SubnetId);
        }
        var lb = await elb.CreateLoadBalancerAsync(new CreateLoadBalancerRequest
        {
            Name = "c1-api", Subnets = [subnets[0]], Type = "network", Tags = [new ResourceTag(Uid, "c1"), new ResourceTag(Project, "other")],
        });
        var resources = new TaggingApiResources(tagging);

        var c1 = await resources.FindAsync(new OwnedBy(new Dictionary<string, string> { [Uid] = "c1" }), CancellationToken.None);
        var c1InDemo = await resources.FindAsync(new OwnedBy(new Dictionary<string, string> { [Uid] = "c1", [Project] = "demo" }), CancellationToken.None);

        c1.Select(r => r.Arn).Should().HaveCount(32, "the VPC, thirty subnets over more than one page, and the load balancer")
            .And.Contain(lb.LoadBalancerArn).And.Contain($"arn:aws:ec2:us-east-1:000000000000:vpc/{vpc}");
        c1InDemo.Should().HaveCount(31).And.NotContain(r => r.Arn == lb.LoadBalancerArn);
        c1InDemo.Single(r => r.Arn.EndsWith(vpc, StringComparison.Ordinal)).Tags.Should().BeEquivalentTo(new Dictionary<string, string>
        {
            [Uid] = "c1", [Project] = "demo", ["Name"] = "c1-vpc",
        });
        (await resources.FindAsync(new OwnedBy(new Dictionary<string, string> { [Uid] = "c3" }), CancellationToken.None)).Should().BeEmpty();
    }
}
