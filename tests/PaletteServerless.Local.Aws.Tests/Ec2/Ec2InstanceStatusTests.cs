using Amazon.EC2;
using Amazon.EC2.Model;
using PaletteServerless.Local.Aws.Tests.Sts;
using PaletteServerless.Testing;
using LocalInstance = PaletteServerless.Local.Aws.Ec2.Instance;

namespace PaletteServerless.Local.Aws.Tests.Ec2;

/// <summary>DescribeInstanceStatus: the instance and system status checks, their filters and paging, over the SDK and the CLI.</summary>
public sealed class Ec2InstanceStatusTests : Ec2TestBase
{
    private void ImpairSystemCheck(string instanceId)
    {
        lock (Host.Aws.Store.Sync)
        {
            Host.Aws.Store.Worlds.SelectMany(w => w.All<LocalInstance>()).Single(i => i.Id == instanceId)
                .SystemStatusImpairedSince = Host.Clock.GetUtcNow();
        }
    }

    private async Task<List<InstanceStatus>> StatusesAsync(DescribeInstanceStatusRequest request) =>
        (await Ec2.DescribeInstanceStatusAsync(request)).InstanceStatuses ?? [];

    [Fact]
    public async Task More_than_100_named_instances_or_200_filter_values_are_refused_as_EC2_refuses_them()
    {
        var ids = Enumerable.Range(0, 101).Select(i => $"i-{i:x17}").ToList();

        (await FluentActions.Awaiting(() => Ec2.DescribeInstanceStatusAsync(new DescribeInstanceStatusRequest { InstanceIds = ids }))
            .Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("InvalidParameterValue");
        var tooMany = Enumerable.Range(0, 201).Select(i => $"i-{i:x17}").ToList();
        (await FluentActions.Awaiting(() => Ec2.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = [new Filter("instance-id", tooMany)] }))
            .Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("FilterLimitExceeded");
        // At the limits, nothing is refused (none of these instances exists: an id filter matches nothing).
        (await Ec2.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = [new Filter("instance-id", tooMany[..200])] }))
            .Reservations.Should().BeNullOrEmpty();
    }

    [Fact]
    public async Task Checks_initialize_pass_and_fail_with_reachability_details()
    {
        var subnetId = await CreateSubnetAsync(await CreateVpcAsync());
        var instance = (await RunAsync(subnetId)).Single();
        (await StatusesAsync(new DescribeInstanceStatusRequest())).Should().BeEmpty("only running instances without IncludeAllInstances");
        var pending = (await StatusesAsync(new DescribeInstanceStatusRequest { IncludeAllInstances = true })).Single();
        pending.InstanceState.Name.Value.Should().Be("pending");
        pending.Status.Status.Value.Should().Be("not-applicable");
        pending.Status.Details.Should().BeNullOrEmpty();

        Advance(TimeSpan.FromSeconds(45));
        var initializing = (await StatusesAsync(new DescribeInstanceStatusRequest { InstanceIds = [instance.InstanceId] })).Single();
        initializing.AvailabilityZone.Should().Be("us-east-1a");
        initializing.Status.Status.Value.Should().Be("initializing");
        initializing.SystemStatus.Details.Single().Status.Value.Should().Be("initializing");

        Advance(TimeSpan.FromMinutes(2));
        var ok = (await StatusesAsync(new DescribeInstanceStatusRequest { InstanceIds = [instance.InstanceId] })).Single();
        ok.Status.Status.Value.Should().Be("ok");
        ok.SystemStatus.Status.Value.Should().Be("ok");
        ok.Status.Details.Single().Name.Value.Should().Be("reachability");
        ok.Status.Details.Single().Status.Value.Should().Be("passed");

        var impairedAt = Host.Clock.GetUtcNow();
        ImpairSystemCheck(instance.InstanceId);
        var impaired = (await StatusesAsync(new DescribeInstanceStatusRequest { InstanceIds = [instance.InstanceId] })).Single();
        impaired.SystemStatus.Status.Value.Should().Be("impaired");
        impaired.SystemStatus.Details.Single().Status.Value.Should().Be("failed");
        impaired.SystemStatus.Details.Single().ImpairedSince.Should().Be(impairedAt.UtcDateTime);
        impaired.Status.Status.Value.Should().Be("ok", "only the system check failed");

        await Ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [instance.InstanceId] });
        (await StatusesAsync(new DescribeInstanceStatusRequest { InstanceIds = [instance.InstanceId] })).Should().BeEmpty();
        (await StatusesAsync(new DescribeInstanceStatusRequest { InstanceIds = [instance.InstanceId], IncludeAllInstances = true }))
            .Single().SystemStatus.Status.Value.Should().Be("not-applicable");
    }

    [Fact]
    public async Task Filters_select_by_check_and_pages_follow_MaxResults()
    {
        var subnetId = await CreateSubnetAsync(await CreateVpcAsync());
        var instances = await RunAsync(subnetId, count: 7);
        Advance(TimeSpan.FromMinutes(3));
        ImpairSystemCheck(instances[2].InstanceId);

        async Task<List<string>> Ids(params Filter[] filters) =>
            [.. (await StatusesAsync(new DescribeInstanceStatusRequest { Filters = [.. filters] })).Select(s => s.InstanceId)];

        (await Ids(new Filter("system-status.status", ["impaired"]))).Should().Equal(instances[2].InstanceId);
        (await Ids(new Filter("system-status.reachability", ["failed"]))).Should().Equal(instances[2].InstanceId);
        (await Ids(new Filter("instance-status.reachability", ["passed"]))).Should().HaveCount(7);
        (await Ids(new Filter("system-status.status", ["ok"]), new Filter("availability-zone", ["us-east-1a"]))).Should().HaveCount(6);
        (await Ids(new Filter("instance-state-name", ["running"]), new Filter("instance-status.status", ["initializing"]))).Should().BeEmpty();

        var first = await Ec2.DescribeInstanceStatusAsync(new DescribeInstanceStatusRequest { MaxResults = 5 });
        first.InstanceStatuses.Should().HaveCount(5);
        var second = await Ec2.DescribeInstanceStatusAsync(new DescribeInstanceStatusRequest { MaxResults = 5, NextToken = first.NextToken });
        second.InstanceStatuses.Should().HaveCount(2);
        second.NextToken.Should().BeNull();
        await FailsWith("InvalidParameterCombination", () => Ec2.DescribeInstanceStatusAsync(new DescribeInstanceStatusRequest { MaxResults = 5, InstanceIds = [instances[0].InstanceId] }));
        await FailsWith("InvalidInstanceID.NotFound", () => Ec2.DescribeInstanceStatusAsync(new DescribeInstanceStatusRequest { InstanceIds = ["i-0123456789abcdef0"] }));
    }

    [Fact]
    public async Task Cli_reads_the_checks_and_filters_impaired_instances()
    {
        var subnetId = await CreateSubnetAsync(await CreateVpcAsync());
        var instances = await RunAsync(subnetId, count: 2);
        Advance(TimeSpan.FromMinutes(3));
        ImpairSystemCheck(instances[1].InstanceId);

        var all = AwsCli.RunAsync(Host, "test", ["ec2", "describe-instance-status", "--include-all-instances"]);
        var impaired = AwsCli.RunAsync(Host, "test", ["ec2", "describe-instance-status", "--filters", "Name=system-status.status,Values=impaired"]);
        var allResult = await all;
        allResult.ExitCode.Should().Be(0, allResult.StandardError);
        var statuses = allResult.Json.GetProperty("InstanceStatuses");
        statuses.GetArrayLength().Should().Be(2);
        statuses[0].GetProperty("InstanceStatus").GetProperty("Details")[0].GetProperty("Status").GetString().Should().Be("passed");
        statuses[0].GetProperty("InstanceState").GetProperty("Name").GetString().Should().Be("running");
        var impairedResult = await impaired;
        impairedResult.ExitCode.Should().Be(0, impairedResult.StandardError);
        var only = impairedResult.Json.GetProperty("InstanceStatuses").EnumerateArray().Should().ContainSingle().Subject;
        only.GetProperty("InstanceId").GetString().Should().Be(instances[1].InstanceId);
        only.GetProperty("SystemStatus").GetProperty("Details")[0].GetProperty("ImpairedSince").GetString().Should().NotBeNullOrEmpty();
    }
}
