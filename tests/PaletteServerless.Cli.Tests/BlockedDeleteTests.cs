using System.Text.Json.Nodes;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using PaletteServerless.Aws.Clients;

namespace PaletteServerless.Cli.Tests;

[Collection(PsctlStackCollection.Name)]
public sealed class BlockedDeleteTests(PsctlStack stack)
{
    [Fact]
    public async Task A_blocked_delete_shows_its_blocker_force_delete_reports_the_leftovers_and_orphans_sweep_removes_them()
    {
        using var user = await Samples.LoggedInUserAsync(stack, "blocked");
        (await user.RunAsync("clusters", "create", "-f", user.File("cluster.yaml", Samples.Cluster("cli-blocked")), "--wait")).ExitCode.Should().Be(0);
        var uid = JsonNode.Parse((await user.RunAsync("clusters", "get", "cli-blocked", "-o", "json")).Out)!["uid"]!.GetValue<string>();

        // Someone else's load balancer in the cluster's public subnet (untagged): the delete may not remove it, so it is blocked.
        using var ec2 = new AmazonEC2Client(new BasicAWSCredentials("000000000000", "cli"),
            new AmazonEC2Config { ServiceURL = stack.Endpoint.ToString(), AuthenticationRegion = "us-east-1" });
        var publicSubnet = (await ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest
        {
            Filters = [new Filter("tag:palette.serverless/cluster-uid", [uid]), new Filter("tag:sigs.k8s.io/cluster-api-provider-aws/role", ["public"])],
        })).Subnets.Single().SubnetId;
        using var elb = new Elbv2Client(new AwsClientOptions("us-east-1") { Endpoint = stack.Endpoint, Credentials = new BasicAWSCredentials("000000000000", "cli") });
        var intruder = await elb.CreateLoadBalancerAsync(new CreateLoadBalancerRequest { Name = "cli-intruder", Subnets = [publicSubnet] });

        var waiting = await user.RunAsync(["clusters", "delete", "cli-blocked", "--yes", "--wait"], terminal: false,
            onOutput: (text, ctrlC) =>
            {
                if (text.Contains("blocked by", StringComparison.Ordinal))
                    ctrlC.Cancel();
            });
        waiting.ExitCode.Should().Be(130, waiting.ToString());
        waiting.Out.Should().MatchRegex(@"wait  Deleted  Deleting  \(\d+s\)  .*blocked by: network interface");
        waiting.Error.Should().Contain("the delete of cluster cli-blocked goes on");

        // The 15-minute wait is scaled by the stack's time scale; once over, force delete opens.
        for (var poll = 0; poll < 300 && !ForceDeleteOpen(await user.RunAsync("clusters", "get", "cli-blocked", "-o", "json")); poll++)
            await Task.Delay(100);
        var describe = await user.RunAsync("clusters", "describe", "cli-blocked");
        describe.Out.Should().Contain("cluster cli-blocked  Deleting").And.Contain("hourly cost: none: the cluster is Deleting").And.Contain("DeleteBlocked");

        var forced = await user.RunAsync("clusters", "force-delete", "cli-blocked");
        forced.ExitCode.Should().Be(0, forced.ToString());
        forced.Out.Should().MatchRegex(@"done  Deleted  ").And.Contain("cluster cli-blocked is Deleted").And.Contain("network interface").And.Contain("VPC")
            .And.MatchRegex(@"\d+ left, estimated \$[0-9.]+ per hour");

        var orphans = await user.RunAsync("orphans", "list", "-o", "json");
        var leftovers = JsonNode.Parse(orphans.Out)!["leftovers"]!.AsArray();
        leftovers.Should().NotBeEmpty("the force delete left the VPC and what blocks it");
        (await user.RunAsync("orphans", "list")).Out.Should().Contain("cli-blocked").And.Contain("VPC");

        // A sweep started without waiting is followed by its id, with a line per state.
        var started = await user.RunAsync("orphans", "sweep", "--no-wait", "-o", "json");
        started.ExitCode.Should().Be(0, started.ToString());
        var sweepId = JsonNode.Parse(started.Out)!["id"]!.GetValue<string>();
        var followed = await user.RunAsync("orphans", "sweep-status", sweepId, "--wait");
        followed.ExitCode.Should().Be(0, followed.ToString());
        followed.Out.Should().MatchRegex($@"sweep {sweepId}  Succeeded  \(\d+s\)").And.Contain("VPC", "the intruder still blocks the VPC");

        await elb.DeleteLoadBalancerAsync(intruder.LoadBalancerArn);
        PsctlResult sweep;
        var sweeps = 0;
        do
        {
            sweep = await user.RunAsync("orphans", "sweep");
            sweep.ExitCode.Should().Be(0, sweep.ToString());
            sweeps++;
        }
        while (!sweep.Out.Contains("nothing left", StringComparison.Ordinal) && sweeps < 20);
        sweep.Out.Should().Contain("nothing left", "repeated sweeps remove everything once the blocker is gone");
        (await user.RunAsync("orphans", "list")).Out.Should().Contain("no orphans");
    }

    private static bool ForceDeleteOpen(PsctlResult get) =>
        JsonNode.Parse(get.Out)?["forceDeleteSecondsLeft"]?.GetValue<long>() == 0;
}
