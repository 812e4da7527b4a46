using NSubstitute;
using PaletteServerless.Aws.Cloud;
using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;
using static PaletteServerless.Steps.Tests.TestCluster;

namespace PaletteServerless.Steps.Tests;

/// <summary>The decisions each kind's ensure and delete make, against the in-memory network (<see cref="FakeClusterNetwork"/>) and the in-memory nodes (<see cref="FakeNodeFleet"/>).</summary>
public sealed class KindTests
{
    private readonly FakeCloud _cloud = new();
    private readonly InMemoryInventory _inventory = new();
    private FakeClusterNetwork Network => _cloud.Network;
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task A_delete_that_finds_the_vpc_gone_is_done_and_forgets_it()
    {
        _inventory.Add(ResourceKinds.Vpc, "vpc-1");
        var pass = new DeletePass();

        var done = await new VpcKind(await ResourcesAsync(_cloud, _inventory)).DeleteAsync(pass, Ct);

        done.Should().BeTrue();
        _inventory.Items.Should().BeEmpty();
        pass.Errors.Should().BeEmpty();
        pass.WaitingFor.Should().BeEmpty();
        Network.Calls.Should().Contain("DeleteVpc vpc-1");
    }

    [Fact]
    public async Task A_subnet_with_a_dependency_waits_for_the_next_pass_and_names_what_blocks_it()
    {
        Network.Seed(new("vpc", "vpc-1"));
        Network.Seed(new("subnet", "subnet-1") { VpcId = "vpc-1" });
        Network.Seed(new("subnet", "subnet-2") { VpcId = "vpc-1" });
        Network.NetworkInterfaces.Add(new NetworkInterfaceInfo("eni-1", "subnet-1", null, "Lambda of someone else", "lambda"));
        Network.NetworkInterfaces.Add(new NetworkInterfaceInfo("eni-2", "subnet-2", "i-2", null, "interface"));
        _inventory.Add(ResourceKinds.Subnet, "subnet-1", "public", "us-east-1a");
        var pass = new DeletePass();

        var done = await new SubnetKind(await ResourcesAsync(_cloud, _inventory)).DeleteAsync(pass, Ct);

        done.Should().BeFalse();
        _inventory.Items.Should().ContainSingle(i => i.Id == "subnet-1", "a subnet that is still there stays recorded");
        Network.Find("subnet-1").Should().NotBeNull();
        pass.WaitingFor.Should().ContainSingle().Which.Should().Contain("subnet-1").And.Contain("DependencyViolation");
        pass.Blockers.Should().ContainSingle("only what sits in that subnet blocks it").Which.Should().Be(
            new Blocker(ResourceKinds.NetworkInterface, "eni-1", "network interface eni-1 (Lambda of someone else) in subnet-1"));
        pass.Errors.Should().BeEmpty();
    }

    [Fact]
    public async Task A_vpc_with_a_dependency_names_the_interfaces_and_load_balancers_in_it()
    {
        Network.Seed(new("vpc", "vpc-1"));
        Network.Seed(new("subnet", "subnet-1") { VpcId = "vpc-1" });
        Network.NetworkInterfaces.Add(new NetworkInterfaceInfo("eni-1", "subnet-1", "i-1", null, "interface"));
        Network.LoadBalancers.Add(("vpc-1", new LoadBalancerInfo("arn:lb/1", "someone-elses")));
        Network.LoadBalancers.Add(("vpc-other", new LoadBalancerInfo("arn:lb/2", "elsewhere")));
        _inventory.Add(ResourceKinds.Vpc, "vpc-1");
        var pass = new DeletePass();

        (await new VpcKind(await ResourcesAsync(_cloud, _inventory)).DeleteAsync(pass, Ct)).Should().BeFalse();

        pass.Blockers.Should().BeEquivalentTo([
            new Blocker(ResourceKinds.NetworkInterface, "eni-1", "network interface eni-1 (instance i-1) in subnet-1"),
            new Blocker(ResourceKinds.LoadBalancer, "arn:lb/1", "load balancer someone-elses (arn:lb/1), not tagged for this cluster"),
        ]);
        _inventory.Items.Should().ContainSingle(i => i.Id == "vpc-1");
    }

    [Fact]
    public async Task Any_other_error_of_a_delete_is_collected_and_the_record_kept()
    {
        Network.Seed(new("vpc", "vpc-1"));
        _inventory.Add(ResourceKinds.Vpc, "vpc-1");
        Network.Fail("DeleteVpc", "UnauthorizedOperation");
        var pass = new DeletePass();

        (await new VpcKind(await ResourcesAsync(_cloud, _inventory)).DeleteAsync(pass, Ct)).Should().BeFalse();

        pass.Errors.Should().ContainSingle().Which.Should().Contain("UnauthorizedOperation");
        _inventory.Items.Should().ContainSingle(i => i.Id == "vpc-1");
    }

    [Fact]
    public async Task Ensure_adopts_the_vpc_its_tags_find_instead_of_creating_a_second()
    {
        var resources = await ResourcesAsync(_cloud, _inventory);
        Network.Seed(new("vpc", "vpc-of-another-cluster") { Tags = new(resources.OwnedBy(VpcKind.Role).Tags) { ["palette.serverless/cluster-uid"] = "another" } });
        Network.Seed(new("vpc", "vpc-lost-record") { Tags = new(resources.OwnedBy(VpcKind.Role).Tags) });

        var id = await new VpcKind(resources).EnsureAsync(ClusterPlan.Build(resources.Cluster), Ct);

        id.Should().Be("vpc-lost-record");
        _inventory.Items.Should().ContainSingle(i => i.Kind == ResourceKinds.Vpc && i.Id == "vpc-lost-record");
        Network.All("vpc").Should().HaveCount(2, "nothing was created");
    }

    [Fact]
    public async Task Ensure_run_again_creates_nothing_more()
    {
        var first = await ResourcesAsync(_cloud, _inventory);
        var plan = ClusterPlan.Build(first.Cluster);

        var made = await new VpcKind(first).EnsureAsync(plan, Ct);
        // The same step again, as a retry would run it: a fresh load of the inventory.
        var id = await new VpcKind(await ResourcesAsync(_cloud, _inventory)).EnsureAsync(plan, Ct);

        id.Should().Be(made);
        _inventory.Items.Should().ContainSingle();
        var vpc = Network.All("vpc").Should().ContainSingle().Subject;
        vpc.Id.Should().Be(made);
        vpc.Cidr.Should().Be("10.0.0.0/16");
        vpc.Tags.Should().ContainKey("Name").And.Contain("palette.serverless/cluster-uid", Uid);
    }

    [Fact]
    public async Task The_elastic_ip_is_recorded_before_the_nat_gateway_create_can_fail()
    {
        Network.Seed(new("subnet", "subnet-public-a") { VpcId = "vpc-1", Zone = "us-east-1a" });
        _inventory.Add(ResourceKinds.Subnet, "subnet-public-a", "public", "us-east-1a");
        Network.Fail("CreateNatGateway", "NatGatewayLimitExceeded");
        var resources = await ResourcesAsync(_cloud, _inventory);

        var create = () => new NatGatewayKind(resources).EnsureAsync(ClusterPlan.Build(resources.Cluster), Ct);

        (await create.Should().ThrowAsync<ProvisioningFailedException>()).Which.Message.Should().Contain("NatGatewayLimitExceeded");
        var address = Network.All("eip").Should().ContainSingle().Subject;
        _inventory.Items.Should().ContainSingle(i => i.Kind == ResourceKinds.ElasticIp && i.Id == address.Id && i.AvailabilityZone == "us-east-1a");
        _inventory.Items.Should().NotContain(i => i.Kind == ResourceKinds.NatGateway);
    }

    [Fact]
    public async Task A_nat_gateway_still_deleting_keeps_its_address_for_a_later_pass()
    {
        Network.Seed(new("eip", "eipalloc-1") { AssociationId = "eipassoc-1", HeldByService = true });
        Network.Seed(new("nat", "nat-1") { SubnetId = "subnet-1", AllocationId = "eipalloc-1", Phase = NatGatewayPhase.Deleting });
        _inventory.Add(ResourceKinds.NatGateway, "nat-1", "nat", "us-east-1a");
        _inventory.Add(ResourceKinds.ElasticIp, "eipalloc-1", "nat", "us-east-1a");

        var result = await new Teardown(await ResourcesAsync(_cloud, _inventory)).PassAsync(Ct);

        result.Done.Should().BeFalse();
        result.Remaining.Should().Be(2);
        result.WaitingFor.Should().Contain("NAT gateway nat-1 deleting");
        Network.Calls.Should().NotContain(c => c.StartsWith("DeleteNatGateway", StringComparison.Ordinal) || c.StartsWith("ReleaseAddress", StringComparison.Ordinal));
        Network.Find("eipalloc-1").Should().NotBeNull();
    }

    [Fact]
    public async Task A_large_pool_is_terminated_in_calls_of_at_most_200_and_its_status_names_the_count_and_the_first_ten()
    {
        var ids = Enumerable.Range(0, 503).Select(i => $"i-{i:D4}").ToList();
        foreach (var id in ids)
        {
            _inventory.Add(ResourceKinds.Instance, id, id, "us-east-1a");
            _cloud.Nodes.Seed(id);
        }

        var result = await new Teardown(await ResourcesAsync(_cloud, _inventory)).PassAsync(Ct);

        var terminates = _cloud.Nodes.Calls.Where(c => c.StartsWith("TerminateInstances", StringComparison.Ordinal)).ToList();
        terminates.Select(c => c.Split(' ')[1].Split(',').Length).Should().BeEquivalentTo([200, 200, 103]);
        ids.Should().OnlyContain(id => _cloud.Nodes.Find(id)!.State == InstanceStates.ShuttingDown);
        result.WaitingFor.Should().ContainSingle().Which.Should().Be(
            $"503 instances terminating: {string.Join(", ", ids.Take(10))} and 493 more");
    }

    [Theory]
    [InlineData("arn:aws:ec2:us-east-1:111122223333:vpc/vpc-1")]
    [InlineData("arn:aws:ec2:us-east-1:111122223333:subnet/subnet-1")]
    [InlineData("arn:aws:ec2:us-east-1:111122223333:internet-gateway/igw-1")]
    [InlineData("arn:aws:ec2:us-east-1:111122223333:elastic-ip/eipalloc-1")]
    [InlineData("arn:aws:ec2:us-east-1:111122223333:natgateway/nat-1")]
    [InlineData("arn:aws:ec2:us-east-1:111122223333:route-table/rtb-1")]
    [InlineData("arn:aws:ec2:us-east-1:111122223333:security-group/sg-1")]
    [InlineData("arn:aws:ec2:us-east-1:111122223333:instance/i-1")]
    [InlineData("arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/demo/1")]
    [InlineData("arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/demo/1")]
    [InlineData("arn:aws:s3:::palette-backups-demo")]
    public async Task The_teardown_lists_by_type_exactly_the_kinds_it_removes(string arn)
    {
        _cloud.TaggedResources.Add(arn, new Dictionary<string, string> { [PaletteServerless.Domain.Clusters.OwnershipTags.ClusterUid] = TestCluster.Uid });
        _cloud.TaggedResources.Add("arn:aws:ec2:us-east-1:111122223333:volume/vol-1", new Dictionary<string, string> { [PaletteServerless.Domain.Clusters.OwnershipTags.ClusterUid] = TestCluster.Uid });

        var owned = await Teardown.FindOwnedAsync(_cloud, TestCluster.Uid, Ct);

        Teardown.KindAndId(arn).Kind.Should().NotBeNull();
        owned.Should().ContainSingle("a node's volume goes with it and is not listed").Which.Id.Should().Be(Teardown.KindAndId(arn).Id);
        _cloud.TaggedResources.Finds.Should().ContainSingle().Which.ResourceTypes.Should().Equal(Teardown.AdoptableTypes);
    }

    [Fact]
    public async Task Teardown_goes_no_further_than_the_instances_while_they_run()
    {
        _inventory.Add(ResourceKinds.Instance, "i-1", "demo-cp-0", "us-east-1a");
        _inventory.Add(ResourceKinds.Vpc, "vpc-1");
        _cloud.Nodes.Seed("i-1");

        var result = await new Teardown(await ResourcesAsync(_cloud, _inventory)).PassAsync(Ct);

        result.Done.Should().BeFalse();
        result.WaitingFor.Should().ContainSingle().Which.Should().Be("instances terminating: i-1");
        _cloud.Nodes.Calls.Where(c => c.StartsWith("TerminateInstances", StringComparison.Ordinal)).Should().Equal("TerminateInstances i-1");
        _cloud.Nodes.Find("i-1")!.State.Should().Be(InstanceStates.ShuttingDown);
        Network.Calls.Should().NotContain(c => c.StartsWith("DeleteVpc", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_pass_that_starts_the_terminate_expects_what_it_waits_for_in_about_a_minute_and_starts_the_nat_gateway_delete_beside_it()
    {
        _inventory.Add(ResourceKinds.Instance, "i-1", "demo-cp-0", "us-east-1a");
        _inventory.Add(ResourceKinds.NatGateway, "nat-1", "nat", "us-east-1a");
        _cloud.Nodes.Seed("i-1");
        Network.Seed(new("nat", "nat-1") { Phase = NatGatewayPhase.Available });

        var started = DateTimeOffset.UtcNow;
        var result = await new Teardown(await ResourcesAsync(_cloud, _inventory)).PassAsync(Ct);

        result.Done.Should().BeFalse();
        // Counted from the terminate call: the longer of the two latencies, from within the pass.
        result.ExpectedDoneAt.Should().BeOnOrAfter(started + TypicalLatency.InstanceTermination).And.BeOnOrBefore(DateTimeOffset.UtcNow + TypicalLatency.InstanceTermination);
        Network.Find("nat-1")!.Phase.Should().Be(NatGatewayPhase.Deleting);
    }

    [Fact]
    public async Task A_pass_that_only_finds_instances_still_shutting_down_leaves_the_cadence_to_the_workflow()
    {
        _inventory.Add(ResourceKinds.Instance, "i-1", "demo-cp-0", "us-east-1a");
        _cloud.Nodes.Seed("i-1", InstanceStates.ShuttingDown);

        var result = await new Teardown(await ResourcesAsync(_cloud, _inventory)).PassAsync(Ct);

        result.Done.Should().BeFalse();
        result.ExpectedDoneAt.Should().BeNull();
        _cloud.Nodes.Calls.Should().NotContain(c => c.StartsWith("TerminateInstances", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true, null, 0)]
    [InlineData(false, null, 10)]
    [InlineData(false, 60.0, 60)]
    [InlineData(false, 59.2, 60)]
    [InlineData(false, 0.3, 1)]
    [InlineData(false, -5.0, 1)]
    public void The_wait_before_the_next_pass_lasts_until_what_the_pass_expects_else_the_poll_cadence(bool done, double? expectedInSeconds, int wait)
    {
        var now = new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);
        var result = new TeardownResult(done, done ? 0 : 1, [], [], [], expectedInSeconds is { } s ? now.AddSeconds(s) : null);

        Steps.Deletion.TeardownStep.WaitSecondsFor(result, now).Should().Be(wait);
    }

    [Fact]
    public async Task Teardown_is_done_when_everything_recorded_is_already_gone()
    {
        _inventory.Add(ResourceKinds.Instance, "i-1", "demo-cp-0", "us-east-1a");
        _inventory.Add(ResourceKinds.SecurityGroup, "sg-1", "node");
        _inventory.Add(ResourceKinds.InternetGateway, "igw-1");
        _inventory.Add(ResourceKinds.Subnet, "subnet-1", "public", "us-east-1a");
        _inventory.Add(ResourceKinds.Vpc, "vpc-1");
        // EC2 knows none of the instances any more.

        var result = await new Teardown(await ResourcesAsync(_cloud, _inventory)).PassAsync(Ct);

        result.Done.Should().BeTrue();
        result.Remaining.Should().Be(0);
        result.Errors.Should().BeEmpty();
        _inventory.Items.Should().BeEmpty();
    }

    [Fact]
    public async Task Teardown_records_what_carries_the_cluster_tag_before_deleting_it()
    {
        _cloud.TaggedResources.Add("arn:aws:ec2:us-east-1:111122223333:vpc/vpc-crashed", new Dictionary<string, string> { [Domain.Clusters.OwnershipTags.ClusterUid] = Uid });
        _cloud.TaggedResources.Add("arn:aws:ec2:us-east-1:111122223333:vpc/vpc-another-clusters", new Dictionary<string, string> { [Domain.Clusters.OwnershipTags.ClusterUid] = "another" });
        Network.Seed(new("vpc", "vpc-crashed"));
        Network.Seed(new("subnet", "subnet-not-recorded") { VpcId = "vpc-crashed" });

        var result = await new Teardown(await ResourcesAsync(_cloud, _inventory)).PassAsync(Ct);

        result.Done.Should().BeFalse();
        _inventory.Items.Should().ContainSingle(i => i.Kind == ResourceKinds.Vpc && i.Id == "vpc-crashed" && i.Role == "adopted");
        Network.Calls.Should().ContainSingle(c => c.StartsWith("DeleteVpc", StringComparison.Ordinal)).Which.Should().Be("DeleteVpc vpc-crashed");
        Network.Find("vpc-crashed").Should().NotBeNull("a subnet is still in it");
    }
}
