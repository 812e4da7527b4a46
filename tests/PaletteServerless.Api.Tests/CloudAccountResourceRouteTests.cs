using System.Text.Json.Nodes;
using PaletteServerless.Api.Tests.Support;
using PaletteServerless.Testing;

namespace PaletteServerless.Api.Tests;

/// <summary>
/// GET .../cloudaccounts/{name}/regions/{region}/{keypairs|availabilityzones|instancetypes|vpcs|vpcs/{vpcId}/subnets}:
/// the console's dropdowns. The shapes, the order, the price from the estimate's list, and every
/// error named: no cloud call is made for a request that is refused.
/// </summary>
public sealed class CloudAccountResourceRouteTests(StoreFixture fixture) : IClassFixture<StoreFixture>
{
    private const string Base = "/v1/projects/demo/cloudaccounts/prod/regions/us-east-1";

    private readonly ApiHarness _api = new(fixture);

    private Task<ApiResponse> GetAsync(string path, Identity? by = null, string? zone = null)
    {
        var call = ApiCall.Get(path).By(by ?? _api.As("project-viewer:demo"));
        return _api.SendAsync(zone is null ? call : call.WithQuery("zone", zone));
    }

    [Fact]
    public async Task Key_pairs_and_zones_come_in_the_console_shapes_sorted_by_name()
    {
        await _api.SeedProjectAsync("demo");

        var keys = await GetAsync($"{Base}/keypairs");
        var zones = await GetAsync($"{Base}/availabilityzones");

        keys.Status.Should().Be(200, keys.ToString());
        keys.Body!.ToJsonString().Should().Be("""
            {"items":[{"name":"ops","keyPairId":"key-01","keyType":"rsa","fingerprint":"1f:2e"},{"name":"zeta","keyPairId":"key-0f","keyType":"ed25519","fingerprint":"SHA256digest="}]}
            """);
        zones.Body!.ToJsonString().Should().Be("""
            {"items":[{"name":"us-east-1a","zoneId":"use1-az1","state":"available"},{"name":"us-east-1b","zoneId":"use1-az2","state":"available"}]}
            """);
        _api.CloudReader.Calls.Should().OnlyContain(c => c.Account == "prod" && c.Region == "us-east-1");
    }

    [Fact]
    public async Task Instance_types_of_the_zone_are_sorted_and_priced_from_the_estimates_list_with_null_for_an_unlisted_type()
    {
        await _api.SeedProjectAsync("demo");

        var response = await GetAsync($"{Base}/instancetypes", zone: "us-east-1b");

        response.Status.Should().Be(200, response.ToString());
        var items = response.Body!["items"]!.AsArray();
        items.Select(i => i!["instanceType"]!.GetValue<string>()).Should().Equal("m5.large", "m6g.large", "t3.medium", "x9z.mega");
        items[0]!.ToJsonString().Should().Be("""{"instanceType":"m5.large","vcpus":2,"memoryMiB":8192,"architecture":"x86_64","onDemandHourlyUsd":0.096}""");
        items.Select(i => i!["onDemandHourlyUsd"]?.GetValue<decimal>()).Should().Equal(
            PaletteServerless.Domain.Provisioning.Prices.InstanceHour("m5.large"),
            PaletteServerless.Domain.Provisioning.Prices.InstanceHour("m6g.large"),
            PaletteServerless.Domain.Provisioning.Prices.InstanceHour("t3.medium"),
            null);
        items[3]!.AsObject().Should().ContainKey("onDemandHourlyUsd", "the console shows 'no estimate' rather than a missing field");
        _api.CloudReader.Calls.Should().ContainSingle().Which.Argument.Should().Be("us-east-1b");
    }

    [Fact]
    public async Task Vpcs_and_subnets_carry_their_tags_and_a_name_from_the_Name_tag_or_null()
    {
        await _api.SeedProjectAsync("demo");

        var vpcs = await GetAsync($"{Base}/vpcs");
        var subnets = await GetAsync($"{Base}/vpcs/{ScriptedCloudAccountReader.VpcId}/subnets");

        vpcs.Body!.ToJsonString().Should().Be($$$"""
            {"items":[{"vpcId":"vpc-01234567","cidrBlock":"172.31.0.0/16","isDefault":true,"name":null,"tags":{}},{"vpcId":"{{{ScriptedCloudAccountReader.VpcId}}}","cidrBlock":"10.0.0.0/16","isDefault":false,"name":"shared","tags":{"Name":"shared","team":"net"}}]}
            """);
        subnets.Status.Should().Be(200, subnets.ToString());
        subnets.Body!.ToJsonString().Should().Be("""
            {"items":[{"subnetId":"subnet-0aaaaaaaaaaaaaaaa","availabilityZone":"us-east-1a","cidrBlock":"10.0.1.0/24","mapPublicIpOnLaunch":true,"availableIpAddressCount":250,"name":"public-a","tags":{"Name":"public-a","kubernetes.io/role/elb":"1"}},{"subnetId":"subnet-0bbbbbbbbbbbbbbbb","availabilityZone":"us-east-1b","cidrBlock":"10.0.2.0/24","mapPublicIpOnLaunch":false,"availableIpAddressCount":251,"name":null,"tags":{}}]}
            """);
    }

    [Theory]
    [InlineData("tenant-admin")]
    [InlineData("project-admin:demo")]
    [InlineData("project-editor:demo")]
    [InlineData("project-viewer:demo")]
    public async Task Every_role_that_may_read_the_project_may_list(string role)
    {
        await _api.SeedProjectAsync("demo");

        foreach (var path in new[] { "keypairs", "availabilityzones", "vpcs", $"vpcs/{ScriptedCloudAccountReader.VpcId}/subnets" })
            (await GetAsync($"{Base}/{path}", _api.As(role))).Status.Should().Be(200, path);
        (await GetAsync($"{Base}/instancetypes", _api.As(role), "us-east-1a")).Status.Should().Be(200);
    }

    [Fact]
    public async Task A_caller_without_the_project_gets_404_and_no_cloud_call_is_made()
    {
        await _api.SeedProjectAsync("demo");

        (await GetAsync($"{Base}/vpcs", _api.As("project-viewer:other"))).Status.Should().Be(404);
        (await GetAsync($"{Base}/vpcs", _api.As("tenant-admin", tenant: "x" + _api.Tenant))).Status.Should().Be(404);
        _api.CloudReader.Calls.Should().BeEmpty();
    }

    [Theory]
    [InlineData("keypairs", null)]
    [InlineData("availabilityzones", null)]
    [InlineData("instancetypes", "us-east-1a")]
    [InlineData("vpcs", null)]
    [InlineData("vpcs/vpc-0a1b2c3d/subnets", null)]
    public async Task An_unknown_cloud_account_is_404_naming_it(string path, string? zone)
    {
        await _api.SeedProjectAsync("demo");

        var response = await GetAsync($"/v1/projects/demo/cloudaccounts/ghost/regions/us-east-1/{path}", zone: zone);

        response.Status.Should().Be(404);
        response.ContentType.Should().Be("application/problem+json");
        response.Body!["detail"]!.GetValue<string>().Should().Contain("cloud account 'ghost' not found");
        _api.CloudReader.Calls.Should().BeEmpty();
    }

    [Theory]
    [InlineData("US-EAST-1")]
    [InlineData("mars-1")]
    [InlineData("us-east-1a")]
    public async Task A_region_outside_the_cluster_spec_rule_is_400_naming_region(string region)
    {
        await _api.SeedProjectAsync("demo");

        foreach (var path in new[] { "keypairs", "availabilityzones", "vpcs", "vpcs/vpc-0a1b2c3d/subnets" })
        {
            var response = await GetAsync($"/v1/projects/demo/cloudaccounts/prod/regions/{region}/{path}");
            response.Status.Should().Be(400, path);
            response.ErrorFields.Should().Equal(["region"], path);
        }
        var types = await GetAsync($"/v1/projects/demo/cloudaccounts/prod/regions/{region}/instancetypes", zone: "us-east-1a");
        types.Status.Should().Be(400);
        types.ErrorFields.Should().Contain("region");
        _api.CloudReader.Calls.Should().BeEmpty();
    }

    [Theory]
    [InlineData(null, "is required")]
    [InlineData("", "is required")]
    [InlineData("us-west-2a", "must be an availability zone of region us-east-1")]
    [InlineData("east", "must be an availability zone name such as us-east-1a")]
    public async Task Instance_types_need_a_zone_of_the_region_named_zone(string? zone, string message)
    {
        await _api.SeedProjectAsync("demo");

        var response = await GetAsync($"{Base}/instancetypes", zone: zone);

        response.Status.Should().Be(400, response.ToString());
        response.ErrorFields.Should().Equal("zone");
        response.Body!["errors"]![0]!["message"]!.GetValue<string>().Should().Be(message);
        _api.CloudReader.Calls.Should().BeEmpty();
    }

    [Theory]
    [InlineData("subnet-0a1b2c3d")]
    [InlineData("vpc-XYZ")]
    [InlineData("vpc-0a1b2c3d4")]
    public async Task An_invalid_vpc_id_is_400_naming_vpcId(string vpcId)
    {
        await _api.SeedProjectAsync("demo");

        var response = await GetAsync($"{Base}/vpcs/{vpcId}/subnets");

        response.Status.Should().Be(400, response.ToString());
        response.ErrorFields.Should().Equal("vpcId");
        _api.CloudReader.Calls.Should().BeEmpty();
    }

    [Fact]
    public async Task A_vpc_that_does_not_exist_is_404_naming_it()
    {
        await _api.SeedProjectAsync("demo");

        var response = await GetAsync($"{Base}/vpcs/vpc-0123456789abcdef0/subnets");

        response.Status.Should().Be(404, response.ToString());
        response.Body!["detail"]!.GetValue<string>().Should().Contain("VPC 'vpc-0123456789abcdef0' not found in region us-east-1 of cloud account 'prod'");
    }

    [Fact]
    public async Task A_role_AWS_refuses_is_502_saying_so_never_a_403_or_500()
    {
        await _api.SeedProjectAsync("demo");
        _api.CloudReader.DenyRole = true;

        foreach (var path in new[] { "keypairs", "availabilityzones", "vpcs", $"vpcs/{ScriptedCloudAccountReader.VpcId}/subnets" })
        {
            var response = await GetAsync($"{Base}/{path}");
            response.Status.Should().Be(502, path);
            response.ContentType.Should().Be("application/problem+json");
            response.Body!["detail"]!.GetValue<string>().Should().Contain("cloud account 'prod' cannot be assumed");
        }
        (await GetAsync($"{Base}/instancetypes", zone: "us-east-1a")).Status.Should().Be(502);
    }

    [Fact]
    public async Task Only_GET_is_allowed()
    {
        await _api.SeedProjectAsync("demo");

        var response = await _api.SendAsync(ApiCall.Post($"{Base}/vpcs").By(_api.Admin).WithJson(new JsonObject()));

        response.Status.Should().Be(405);
        response.Headers["Allow"].Should().Be("GET");
    }
}
