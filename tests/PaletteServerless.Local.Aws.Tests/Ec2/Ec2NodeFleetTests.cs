using System.Text;
using Amazon.EC2.Model;
using PaletteServerless.Aws.Cloud.Adapters;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Local.Aws.Tests.Ec2;

/// <summary>The product's node adapter (<see cref="Ec2NodeFleet"/>) through the real SDK client on the local EC2.</summary>
public sealed class Ec2NodeFleetTests : Ec2TestBase
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly Dictionary<string, string> Owner = new() { ["palette.serverless/cluster-uid"] = "c1", ["sigs.k8s.io/cluster-api-provider-aws/role"] = "node" };

    private Ec2NodeFleet Fleet => new(Ec2);

    private static NodeLaunchRequest Request(string subnetId, string token, int count = 1, SpotCapacity? spot = null, string name = "demo-workers") => new(
        token, count, "ami-0c7217cdde317cfec", "m5.large", null, SecretParameters.WorkerInstanceProfileName, subnetId, [],
        Convert.ToBase64String(Encoding.UTF8.GetBytes("#!/bin/sh\ntrue\n")), 30, 1, spot,
        new Dictionary<string, string>(Owner) { ["Name"] = name }, new Dictionary<string, string>(Owner) { ["Name"] = name + "-root" });

    private static async Task<CloudServiceException> Refused(string code, Func<Task> call)
    {
        var error = (await call.Should().ThrowAsync<CloudServiceException>()).Which;
        error.Code.Should().Be(code, error.Message);
        return error;
    }

    [Fact]
    public async Task A_batch_launches_whole_once_per_token_tagged_with_its_volumes_and_IMDSv2_only()
    {
        var subnetId = await CreateSubnetAsync(await CreateVpcAsync(), zone: "us-east-1b");
        var fleet = Fleet;

        var ids = await fleet.LaunchAsync(Request(subnetId, "c1-batch-1", count: 3), Ct);
        (await fleet.LaunchAsync(Request(subnetId, "c1-batch-1", count: 3), Ct)).Should().Equal(ids, "the same token answers the first launch");

        ids.Should().HaveCount(3).And.OnlyHaveUniqueItems();
        var described = await fleet.DescribeAsync(ids, Ct);
        described.Select(i => i.Id).Should().BeEquivalentTo(ids);
        described.Should().AllSatisfy(i =>
        {
            i.State.Should().BeOneOf(InstanceStates.Pending, InstanceStates.Running);
            i.Zone.Should().Be("us-east-1b");
            i.SubnetId.Should().Be(subnetId);
            i.InstanceType.Should().Be("m5.large");
            i.Lifecycle.Should().Be("on-demand");
            i.LaunchTime.Should().NotBeNull();
            i.PrivateIp.Should().StartWith("10.0.1.");
            i.ClientToken.Should().Be("c1-batch-1");
            i.Tag("Name").Should().Be("demo-workers");
        });
        (await fleet.LaunchedWithAsync(["c1-batch-1", "c1-other"], Ct)).Select(i => i.Id).Should().BeEquivalentTo(ids);
        (await fleet.OwnedVolumesAsync(new OwnedBy(new Dictionary<string, string>(Owner) { ["Name"] = "demo-workers-root" }), Ct)).Should().HaveCount(3);

        var raw = await DescribeInstanceAsync(ids[0]);
        raw.MetadataOptions.HttpTokens.Value.Should().Be("required");
        raw.MetadataOptions.HttpPutResponseHopLimit.Should().Be(1);
        raw.IamInstanceProfile.Arn.Should().EndWith("/" + SecretParameters.WorkerInstanceProfileName);
        var volume = (await Ec2.DescribeVolumesAsync(new DescribeVolumesRequest { Filters = [new Filter("attachment.instance-id", [ids[0]])] })).Volumes.Single();
        (volume.Size, volume.VolumeType.Value, volume.Attachments.Single().DeleteOnTermination).Should().Be((30, "gp3", true));
    }

    [Fact]
    public async Task A_spot_launch_is_described_as_spot_and_the_owner_lookup_matches_every_tag_and_state()
    {
        var subnetId = await CreateSubnetAsync(await CreateVpcAsync());
        var fleet = Fleet;
        var spot = (await fleet.LaunchAsync(Request(subnetId, "c1-spot", spot: new SpotCapacity(0.05m), name: "demo-a"), Ct)).Single();
        var other = (await fleet.LaunchAsync(Request(subnetId, "c1-other", name: "demo-b"), Ct)).Single();

        (await fleet.DescribeAsync([spot], Ct)).Single().Lifecycle.Should().Be("spot");
        (await fleet.OwnedAsync(new OwnedBy(new Dictionary<string, string>(Owner) { ["Name"] = "demo-a" }), [InstanceStates.Pending, InstanceStates.Running], Ct))
            .Select(i => i.Id).Should().Equal(spot);
        (await fleet.OwnedAsync(new OwnedBy(Owner), [InstanceStates.Pending, InstanceStates.Running], Ct)).Select(i => i.Id).Should().BeEquivalentTo([spot, other]);
        (await fleet.OwnedAsync(new OwnedBy(Owner), [InstanceStates.Stopped], Ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task Many_ids_are_described_in_calls_EC2_takes_and_one_EC2_does_not_know_is_left_out()
    {
        var subnetId = await CreateSubnetAsync(await CreateVpcAsync());
        var fleet = Fleet;
        var ids = await fleet.LaunchAsync(Request(subnetId, "c1-many", count: 2), Ct);
        // More ids than one filter takes (200), the real ones last: they are found in the second call.
        var unknown = Enumerable.Range(0, 250).Select(i => $"i-{i:x17}").ToList();

        (await fleet.DescribeAsync([.. unknown, .. ids], Ct)).Select(i => i.Id).Should().BeEquivalentTo(ids);
        (await fleet.FindAsync("i-0000000000000dead", Ct)).Should().BeNull();
        (await fleet.FindAsync(ids[0], Ct))!.Id.Should().Be(ids[0]);
    }

    [Fact]
    public async Task Status_checks_are_read_for_running_nodes_and_a_terminate_is_refused_for_an_unknown_one()
    {
        var subnetId = await CreateSubnetAsync(await CreateVpcAsync());
        var fleet = Fleet;
        var ids = await fleet.LaunchAsync(Request(subnetId, "c1-checks", count: 2), Ct);
        Advance(TimeSpan.FromMinutes(3));

        var checks = await fleet.StatusChecksAsync(ids, Ct);
        checks.Select(c => c.Id).Should().BeEquivalentTo(ids);
        checks.Should().OnlyContain(c => c.Instance == "ok" && c.System == "ok" && !c.IsImpaired);

        await fleet.TerminateAsync(ids, Ct);
        (await fleet.DescribeAsync(ids, Ct)).Should().OnlyContain(i => i.State == InstanceStates.ShuttingDown || i.State == InstanceStates.Terminated);
        await fleet.TerminateAsync(ids, Ct);
        var refused = await Refused("InvalidInstanceID.NotFound", () => fleet.TerminateAsync(["i-0000000000000dead"], Ct));
        refused.Transient.Should().BeFalse();
    }

    [Fact]
    public async Task Tags_are_put_and_taken_on_instances_and_volumes_alike()
    {
        var subnetId = await CreateSubnetAsync(await CreateVpcAsync());
        var fleet = Fleet;
        var id = (await fleet.LaunchAsync(Request(subnetId, "c1-tags"), Ct)).Single();
        var volume = (await fleet.OwnedVolumesAsync(new OwnedBy(Owner), Ct)).Single();

        await fleet.TagAsync([id, volume], new Dictionary<string, string> { ["team"] = "b" }, Ct);
        (await fleet.DescribeAsync([id], Ct)).Single().Tag("team").Should().Be("b");
        (await fleet.OwnedVolumesAsync(new OwnedBy(new Dictionary<string, string>(Owner) { ["team"] = "b" }), Ct)).Should().Equal(volume);

        await fleet.UntagAsync([id, volume], ["team"], Ct);
        (await fleet.DescribeAsync([id], Ct)).Single().Tag("team").Should().BeNull();
        (await fleet.OwnedVolumesAsync(new OwnedBy(new Dictionary<string, string>(Owner) { ["team"] = "b" }), Ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_launch_EC2_refuses_is_the_port_s_error_with_EC2_s_code()
    {
        var subnetId = await CreateSubnetAsync(await CreateVpcAsync());

        await Refused("InvalidParameterValue", () => Fleet.LaunchAsync(Request(subnetId, "c1-bad") with { InstanceProfile = "NoSuchProfile" }, Ct));
        await Refused("InvalidKeyPair.NotFound", () => Fleet.LaunchAsync(Request(subnetId, "c1-key") with { KeyName = "no-such-key" }, Ct));
    }
}
