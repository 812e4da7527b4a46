using PaletteServerless.Infra.Tests.Support;

namespace PaletteServerless.Infra.Tests;

/// <summary>Rules of the repository's own source that keep it easy to change by the next person.</summary>
public sealed class SourceRulesTests
{
    private const int MaxLines = 450;

    private static string Root => StateMachineFiles.RepositoryRoot;

    /// <summary>The source files (C#, JavaScript) under the given top-level folders, without build output or packages.</summary>
    private static List<string> Sources(params string[] folders) =>
        folders.Where(folder => Directory.Exists(Path.Combine(Root, folder)))
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(Root, folder), "*.*", SearchOption.AllDirectories))
            .Where(path => Path.GetExtension(path) is ".cs" or ".js" or ".mjs")
            .Where(path => !path.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or "node_modules"))
            .ToList();

    /// <summary>The files (relative paths) that spell <paramref name="text"/>; this file, which names what it looks for, aside.</summary>
    private static List<string> Spelling(IEnumerable<string> files, string text) =>
        files.Where(path => Path.GetFileName(path) != nameof(SourceRulesTests) + ".cs")
            .Where(path => File.ReadAllText(path).Contains(text, StringComparison.Ordinal)).Select(path => Path.GetRelativePath(Root, path)).ToList();

    [Fact]
    public void No_source_file_of_the_product_the_local_stack_the_console_or_the_tests_is_longer_than_one_reading()
    {
        var sources = Sources("functions", "local", "cli", "infra", "console", "tests", "tools");
        sources.Should().NotBeEmpty();
        var tooLong = sources.Select(path => (Path: Path.GetRelativePath(Root, path), Lines: File.ReadLines(path).Count()))
            .Where(file => file.Lines > MaxLines).Select(file => $"{file.Path}: {file.Lines} lines").ToList();
        tooLong.Should().BeEmpty($"a source file should fit in one reading ({MaxLines} lines); split it along its concerns");
    }

    [Fact]
    public void The_local_stack_knows_no_product_name_but_what_a_node_boots_with()
    {
        var local = Sources("local");
        local.Should().NotBeEmpty();
        Spelling(local, "palette.serverless/").Should().BeEmpty(
            "the node model learns the product's tag keys and parameter paths from the user data it boots, as a real node would");
    }

    [Fact]
    public void The_machine_image_release_is_named_only_by_the_pack_catalog()
    {
        // The OS pack's image name pattern is data of the pack catalog (functions/PaletteServerless.Domain/Profiles/PackCatalog.cs),
        // assembled from its parts: no source spells a release by hand beside it.
        Spelling(Sources("functions", "local", "cli", "infra", "console", "tests", "tools"), "ubuntu-jammy-22.04").Should().BeEmpty();
    }

    [Fact]
    public void EventBridge_and_Step_Functions_clients_are_made_only_at_composition_roots()
    {
        // The Lambda entry points build their clients once; everything else is handed them.
        var roots = new[] { "functions/PaletteServerless.Api/ApiFunction.cs", "functions/PaletteServerless.Steps/StepRuntime.cs" }
            .Select(path => path.Replace('/', Path.DirectorySeparatorChar)).ToList();
        var product = Sources("functions", "local", "cli");
        var makers = Spelling(product, "new EventBridgeClient(").Concat(Spelling(product, "new StepFunctionsClient(")).ToList();
        makers.Should().Contain(roots);
        makers.Where(path => !roots.Contains(path)).Should().BeEmpty();
    }

    [Fact]
    public void No_source_or_document_cites_a_file_outside_the_repository()
    {
        var files = Sources("functions", "local", "cli", "infra", "console", "tests", "tools")
            .Concat(Directory.EnumerateFiles(Root, "*.md", SearchOption.TopDirectoryOnly))
            .Concat(Directory.Exists(Path.Combine(Root, "docs")) ? Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md", SearchOption.AllDirectories) : [])
            .Concat(Directory.EnumerateFiles(Path.Combine(Root, "statemachines"), "*.json"))
            .ToList();
        // The reference notes the team works from are not shipped with the repository: a citation of them cannot be followed.
        foreach (var outside in new[] { "aws-facts", "node-facts", "../shared/" })
            Spelling(files, outside).Should().BeEmpty($"\"{outside}\" is not in the repository");
    }

    [Fact]
    public void The_network_kinds_reach_the_cloud_only_through_the_network_port()
    {
        // IClusterNetworkCloud (Domain/Ports) is what they use; EC2's request shapes live in its adapter (Cloud/Adapters/Ec2ClusterNetwork.cs).
        var kinds = new[] { "VpcKind", "SubnetKind", "InternetGatewayKind", "RouteTableKind", "NatGatewayKind", "SecurityGroupKind", "ClusterNetwork", "DeletePass" }
            .Select(name => Path.Combine(Root, "functions", "PaletteServerless.Aws", "Cloud", "Kinds", name + ".cs")).ToList();
        kinds.Should().OnlyContain(path => File.Exists(path));
        Spelling(kinds, "Amazon.EC2").Concat(Spelling(kinds, "Cloud.Ec2")).Should().BeEmpty();
    }

    [Fact]
    public void Preflight_static_placement_the_account_reader_the_load_balancer_and_the_orphan_sweep_reach_the_cloud_only_through_their_ports()
    {
        // IComputeCatalog, ILoadBalancers and ITaggedResources (Domain/Ports) are what they use; the request shapes live in
        // Cloud/Adapters (Ec2ComputeCatalog, Elbv2LoadBalancers, TaggingApiResources).
        var cloud = Path.Combine(Root, "functions", "PaletteServerless.Aws", "Cloud");
        var files = new[] { "Preflight", "StaticPlacement", "OnDemandVcpuQuota", "CloudAccountReader", "OrphanSweeper", Path.Combine("Kinds", "LoadBalancerKind") }
            .Select(name => Path.Combine(cloud, name + ".cs")).ToList();
        files.Should().OnlyContain(path => File.Exists(path));
        new[] { "Amazon.", ".Ec2", ".LoadBalancing", ".ServiceQuotas", ".Tagging", "Aws.Clients" }.SelectMany(text => Spelling(files, text)).Should().BeEmpty();
    }

    [Fact]
    public void The_node_work_reaches_instances_only_through_the_node_port()
    {
        // INodeFleet (Domain/Ports) is what they use; EC2's request shapes live in its adapter (Cloud/Adapters/Ec2NodeFleet.cs).
        var cloud = Path.Combine(Root, "functions", "PaletteServerless.Aws", "Cloud");
        var steps = Path.Combine(Root, "functions", "PaletteServerless.Steps");
        var files = new[] { "NodePoolKind", "NodeBatches", "PoolRollout", "NodeRemediation", "OsPatchKind", "ClusterRetagging" }
            .Select(name => Path.Combine(cloud, "Kinds", name + ".cs"))
            .Concat([Path.Combine(cloud, "ClusterInstances.cs"), Path.Combine(cloud, "Teardown.cs"), Path.Combine(cloud, "OrphanSweeper.cs"),
                Path.Combine(steps, "Remediation", "InstanceEventsFunction.cs"), Path.Combine(steps, "Update", "PacksCheckStep.cs")])
            .ToList();
        files.Should().OnlyContain(path => File.Exists(path));
        new[] { "Amazon.EC2", "Cloud.Ec2", "session.Ec2", ".LoadBalancing", "Aws.Clients" }.SelectMany(text => Spelling(files, text)).Should().BeEmpty();
    }

    [Fact]
    public void The_cloud_session_hands_out_ports_and_no_step_test_substitutes_an_AWS_SDK_client()
    {
        // The session's SDK clients stay inside it, feeding the adapters: what it hands the workflow logic is shaped like the product.
        var session = File.ReadAllText(Path.Combine(Root, "functions", "PaletteServerless.Aws", "Cloud", "CloudSession.cs"));
        var start = session.IndexOf("public interface ICloudSession", StringComparison.Ordinal);
        start.Should().BeGreaterThan(0);
        var contract = session[start..session.IndexOf("\n}", start, StringComparison.Ordinal)];
        contract.Should().NotContain("IAmazon").And.NotContain("Elbv2Client").And.NotContain("TaggingClient").And.NotContain("ServiceQuotasClient");
        // Step tests decide on in-memory fakes of the ports (FakeCloud), never on substitutes of the SDK's request shapes.
        var stepTests = Directory.EnumerateFiles(Path.Combine(Root, "tests", "PaletteServerless.Steps.Tests"), "*.cs").ToList();
        stepTests.Should().NotBeEmpty();
        new[] { "IAmazon", "Amazon.EC2.Model", "IElbv2Client", "ITaggingClient", "IServiceQuotasClient" }.SelectMany(text => Spelling(stepTests, text)).Should().BeEmpty();
    }
}
