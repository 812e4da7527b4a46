using System.Net;
using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.EndToEnd.Tests;

[Collection(LocalStackCollection.Name)]
public sealed class FaultTests(LocalStackFixture stack)
{
    [Fact]
    public async Task A_NAT_gateway_that_fails_ends_the_cluster_Failed_with_nothing_left()
    {
        var scenario = await Scenario.StartAsync(stack, "nat-fails");
        var original = stack.Stack.LocalAws.Faults;
        stack.Stack.LocalAws.Faults = new FaultInjector(new FaultProfile { NatGatewayFailureRate = 1, NatGatewayFailureCode = "InsufficientFreeAddressesInSubnet" }, 7);
        try
        {
            var created = await scenario.CreateAsync(Scenario.Cluster("no-nat"));
            var failed = await scenario.WaitForStatusAsync("no-nat", "Failed");

            failed["statusReason"]!.GetValue<string>().Should().Contain("NAT gateway").And.Contain("InsufficientFreeAddressesInSubnet");
            (await stack.ResourcesOfAsync(created["uid"]!.GetValue<string>())).Should().BeEmpty("the rollback removes everything the create made ({0})", failed["statusReason"]);
        }
        finally
        {
            stack.Stack.LocalAws.Faults = original;
        }
    }

    [Fact]
    public async Task A_step_that_keeps_crashing_ends_the_cluster_Failed_with_nothing_left()
    {
        var scenario = await Scenario.StartAsync(stack, "crashing");
        stack.Stack.Crashes.Rule = name => name == "palette-nodepools";
        try
        {
            var created = await scenario.CreateAsync(Scenario.Cluster("crashes"));
            var failed = await scenario.WaitForStatusAsync("crashes", "Failed");

            failed["statusReason"]!.GetValue<string>().Should().Contain("Sandbox.Timedout");
            (await stack.ResourcesOfAsync(created["uid"]!.GetValue<string>())).Should().BeEmpty("instances started by the crashed step are found by their tags and removed");
        }
        finally
        {
            stack.Stack.Crashes.Rule = null;
        }
    }

    [Fact]
    public async Task A_step_whose_answer_is_lost_once_is_retried_and_creates_nothing_twice()
    {
        var scenario = await Scenario.StartAsync(stack, "lost-answer");
        var crashed = new HashSet<string>();
        // Every create step loses its first answer: the retry must adopt what the first run made.
        // (The network step also makes the load balancer.)
        stack.Stack.Crashes.Rule = name => name is "palette-network" or "palette-natgateways" or "palette-nodepools" && crashed.Add(name);
        try
        {
            var created = await scenario.CreateAsync(Scenario.Cluster("retried"));
            await scenario.WaitForStatusAsync("retried", "Running");

            crashed.Should().HaveCount(3);
            var counts = (await stack.ResourcesOfAsync(created["uid"]!.GetValue<string>())).GroupBy(r => r["type"]!.GetValue<string>()).ToDictionary(g => g.Key, g => g.Count());
            counts["ec2:vpc"].Should().Be(1);
            counts["ec2:natgateway"].Should().Be(1);
            counts["ec2:instance"].Should().Be(2);
            counts["elasticloadbalancing:loadbalancer"].Should().Be(1);
        }
        finally
        {
            stack.Stack.Crashes.Rule = null;
        }
        (await scenario.DeleteAsync("retried")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await scenario.WaitForStatusAsync("retried", "Deleted");
    }
}
