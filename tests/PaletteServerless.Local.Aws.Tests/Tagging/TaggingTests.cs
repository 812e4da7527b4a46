using Amazon.EC2;
using Amazon.EC2.Model;
using PaletteServerless.Aws.Clients;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.Tests.Core;
using PaletteServerless.Local.Aws.Tests.Elbv2;
using PaletteServerless.Local.Aws.Tests.Sts;

namespace PaletteServerless.Local.Aws.Tests.Tagging;

public class TaggingTests
{
    private const string ClusterKey = "kubernetes.io/cluster/c1";

    private static TagSpecification Tags(ResourceType type, params (string Key, string Value)[] tags) => new()
    {
        ResourceType = type,
        Tags = [.. tags.Select(t => new Amazon.EC2.Model.Tag(t.Key, t.Value))],
    };

    /// <summary>A cluster's VPC and subnet tagged owned, a shared subnet, an untagged subnet and its load balancer.</summary>
    private static async Task<(string Vpc, string Owned, string Shared, string LoadBalancerArn)> CreateClusterAsync(LocalAwsHost host, string account = "test")
    {
        using var ec2 = host.Ec2(account);
        using var elb = host.Elbv2(account);
        var vpc = (await ec2.CreateVpcAsync(new CreateVpcRequest
        {
            CidrBlock = "10.0.0.0/16",
            TagSpecifications = [Tags(ResourceType.Vpc, (ClusterKey, "owned"), ("Name", "c1-vpc"))],
        })).Vpc.VpcId;
        var owned = (await ec2.CreateSubnetAsync(new CreateSubnetRequest
        {
            VpcId = vpc, CidrBlock = "10.0.1.0/24", AvailabilityZone = "us-east-1a",
            TagSpecifications = [Tags(ResourceType.Subnet, (ClusterKey, "owned"), ("kubernetes.io/role/elb", "1"))],
        })).Subnet.SubnetId;
        var shared = (await ec2.CreateSubnetAsync(new CreateSubnetRequest
        {
            VpcId = vpc, CidrBlock = "10.0.2.0/24", AvailabilityZone = "us-east-1b",
            TagSpecifications = [Tags(ResourceType.Subnet, (ClusterKey, "shared"))],
        })).Subnet.SubnetId;
        await ec2.CreateSubnetAsync(new CreateSubnetRequest { VpcId = vpc, CidrBlock = "10.0.3.0/24", AvailabilityZone = "us-east-1c" });
        var lb = await elb.CreateLoadBalancerAsync(new CreateLoadBalancerRequest
        {
            Name = "c1-apiserver", Subnets = [owned, shared], Type = "network", Tags = [new ResourceTag(ClusterKey, "owned")],
        });
        return (vpc, owned, shared, lb.LoadBalancerArn);
    }

    private static string Ec2Arn(string type, string id) => $"arn:aws:ec2:us-east-1:000000000000:{type}/{id}";

    [Fact]
    public async Task GetResources_filters_by_tag_values_tag_keys_and_resource_types()
    {
        await using var host = await LocalAwsHost.StartAsync();
        var cluster = await CreateClusterAsync(host);
        using var tagging = host.Tagging();

        var owned = await tagging.GetAllResourcesAsync(new GetResourcesRequest { TagFilters = [new TagFilter(ClusterKey, ["owned"])] });
        var anyValue = await tagging.GetAllResourcesAsync(new GetResourcesRequest { TagFilters = [new TagFilter(ClusterKey)] });
        var ownedOrShared = await tagging.GetAllResourcesAsync(new GetResourcesRequest { TagFilters = [new TagFilter(ClusterKey, ["owned", "shared"])] });
        var twoKeys = await tagging.GetAllResourcesAsync(new GetResourcesRequest { TagFilters = [new TagFilter(ClusterKey, ["owned"]), new TagFilter("kubernetes.io/role/elb")] });
        var vpcs = await tagging.GetAllResourcesAsync(new GetResourcesRequest { TagFilters = [new TagFilter(ClusterKey)], ResourceTypeFilters = ["ec2:vpc"] });
        var allEc2 = await tagging.GetAllResourcesAsync(new GetResourcesRequest { TagFilters = [new TagFilter(ClusterKey)], ResourceTypeFilters = ["ec2"] });
        var loadBalancers = await tagging.GetAllResourcesAsync(new GetResourcesRequest { ResourceTypeFilters = ["elasticloadbalancing:loadbalancer"] });

        owned.Select(r => r.ResourceArn).Should().BeEquivalentTo([Ec2Arn("vpc", cluster.Vpc), Ec2Arn("subnet", cluster.Owned), cluster.LoadBalancerArn]);
        anyValue.Select(r => r.ResourceArn).Should().BeEquivalentTo([Ec2Arn("vpc", cluster.Vpc), Ec2Arn("subnet", cluster.Owned), Ec2Arn("subnet", cluster.Shared), cluster.LoadBalancerArn]);
        ownedOrShared.Should().HaveCount(4);
        twoKeys.Select(r => r.ResourceArn).Should().Equal(Ec2Arn("subnet", cluster.Owned));
        vpcs.Single().Tags.Should().BeEquivalentTo([new ResourceTag(ClusterKey, "owned"), new ResourceTag("Name", "c1-vpc")]);
        allEc2.Select(r => r.ResourceArn).Should().BeEquivalentTo([Ec2Arn("vpc", cluster.Vpc), Ec2Arn("subnet", cluster.Owned), Ec2Arn("subnet", cluster.Shared)]);
        loadBalancers.Select(r => r.ResourceArn).Should().Equal(cluster.LoadBalancerArn);
    }

    [Fact]
    public async Task Untagged_deleted_and_other_accounts_resources_are_not_returned()
    {
        await using var host = await LocalAwsHost.StartAsync();
        var cluster = await CreateClusterAsync(host);
        await CreateClusterAsync(host, "123456789012");
        using var tagging = host.Tagging();
        using var elb = host.Elbv2();

        await elb.DeleteLoadBalancerAsync(cluster.LoadBalancerArn);
        var all = await tagging.GetAllResourcesAsync(new GetResourcesRequest());

        all.Select(r => r.ResourceArn).Should().BeEquivalentTo([Ec2Arn("vpc", cluster.Vpc), Ec2Arn("subnet", cluster.Owned), Ec2Arn("subnet", cluster.Shared)]);
    }

    [Fact]
    public async Task Pages_follow_the_pagination_token_without_gaps_or_repeats()
    {
        await using var host = await LocalAwsHost.StartAsync();
        var world = host.Aws.Store.World(SigV4Credential.DefaultAccount, "us-east-1");
        lock (host.Aws.Store.Sync)
        {
            for (var i = 0; i < 120; i++)
            {
                var id = $"r-{i:D3}";
                world.Add(new SeededResource
                {
                    Id = id, Type = "test:thing", Arn = $"arn:aws:test:us-east-1:000000000000:thing/{id}",
                    Tags = new() { ["owner"] = i % 2 == 0 ? "even" : "odd" },
                }, host.Clock.GetUtcNow());
            }
        }
        using var tagging = host.Tagging();

        var first = await tagging.GetResourcesAsync(new GetResourcesRequest { ResourcesPerPage = 50 });
        var all = await tagging.GetAllResourcesAsync(new GetResourcesRequest { ResourcesPerPage = 50 });
        var even = await tagging.GetAllResourcesAsync(new GetResourcesRequest { ResourcesPerPage = 7, TagFilters = [new TagFilter("owner", ["even"])] });

        first.ResourceTagMappingList.Should().HaveCount(50);
        first.PaginationToken.Should().NotBeNullOrEmpty();
        all.Select(r => r.ResourceArn).Should().OnlyHaveUniqueItems().And.HaveCount(120).And.BeInAscendingOrder(StringComparer.Ordinal);
        even.Should().HaveCount(60).And.OnlyContain(r => r.Tags!.Single().Value == "even");
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(101, null)]
    [InlineData(null, "not-a-token")]
    public async Task Bad_page_sizes_and_tokens_are_InvalidParameterException(int? perPage, string? token)
    {
        await using var host = await LocalAwsHost.StartAsync();
        using var tagging = host.Tagging();

        var act = () => tagging.GetResourcesAsync(new GetResourcesRequest { ResourcesPerPage = perPage, PaginationToken = token });

        (await act.Should().ThrowAsync<AwsServiceException>()).Which.ErrorCode.Should().Be("InvalidParameterException");
    }

    [Fact]
    public async Task The_AWS_CLI_finds_resources_tag_keys_and_tag_values()
    {
        await using var host = await LocalAwsHost.StartAsync();
        var cluster = await CreateClusterAsync(host);

        // Independent commands run side by side: each CLI start costs about a second.
        var resourcesRun = AwsCli.RunAsync(host, "test", "resourcegroupstaggingapi", "get-resources",
            "--tag-filters", $"Key={ClusterKey},Values=owned", "--resource-type-filters", "ec2:vpc");
        var keysRun = AwsCli.RunAsync(host, "test", "resourcegroupstaggingapi", "get-tag-keys");
        var valuesRun = AwsCli.RunAsync(host, "test", "resourcegroupstaggingapi", "get-tag-values", "--key", ClusterKey);
        var (resources, keys, values) = (await resourcesRun, await keysRun, await valuesRun);

        resources.ExitCode.Should().Be(0, resources.StandardError);
        resources.Json.GetProperty("ResourceTagMappingList").EnumerateArray().Select(r => r.GetProperty("ResourceARN").GetString())
            .Should().Equal(Ec2Arn("vpc", cluster.Vpc));
        keys.Json.GetProperty("TagKeys").EnumerateArray().Select(k => k.GetString())
            .Should().Equal("Name", ClusterKey, "kubernetes.io/role/elb");
        values.Json.GetProperty("TagValues").EnumerateArray().Select(v => v.GetString()).Should().Equal("owned", "shared");
    }

    /// <summary>A resource of a made-up service, placed in the store directly to test paging over many resources.</summary>
    private sealed class SeededResource : AwsResource;
}
