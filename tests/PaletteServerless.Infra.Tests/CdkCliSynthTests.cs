using System.Diagnostics;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.Json.Nodes;
using PaletteServerless.Manifest;
using PaletteServerless.Infra.Tests.Support;

namespace PaletteServerless.Infra.Tests;

/// <summary>
/// The app as a new user runs it: the pinned CDK CLI (infra/node_modules) synthesizes cdk.json's
/// app offline, publishing the functions for real; every synthesized state machine definition,
/// with its substitutions filled by dummy values, then passes asl-validator.
/// </summary>
public sealed class CdkCliSynthTests
{
    private static readonly string Root = StateMachineFiles.RepositoryRoot;

    [Fact]
    public void Cdk_synth_produces_both_templates_offline_and_every_definition_passes_asl_validator()
    {
        EnsureCdkCli();
        var validator = Path.Combine(Root, "local", "node", "node_modules", "asl-validator", "dist", "bin", "asl-validator.js");
        File.Exists(validator).Should().BeTrue("asl-validator comes from `npm ci` in local/node (tests/run.sh runs it)");

        var output = Directory.CreateTempSubdirectory("infra-cli-out-").FullName;
        List<string> arguments = [Path.Combine(Root, "infra", "node_modules", "aws-cdk", "bin", "cdk"), "synth", "--quiet", "--no-notices", "--output", output];
        // Until the repository holds every catalog definition, synthesize with generated ones (the
        // real app refuses to synth without them: SynthRulesTests).
        if (!StateMachineFiles.RepositoryHasAll)
            arguments.AddRange(["--context", "statemachinesDirectory=" + StateMachineFiles.Generated()]);
        var (exitCode, log) = Run("node", Root, arguments);
        exitCode.Should().Be(0, log);

        var product = TemplateJson.Load(Path.Combine(output, "PaletteServerless.template.json"));
        File.Exists(Path.Combine(output, "PaletteServerlessTargetAccount.template.json")).Should().BeTrue();
        // The catalog's functions (.NET handlers "Assembly::Type::Method"), and one more: CDK's handler that deploys the web console's files.
        var functions = product.Resources("AWS::Lambda::Function").ToList();
        functions.Count(f => f.Resource["Properties"]!["Handler"]!.GetValue<string>().Contains("::", StringComparison.Ordinal)).Should().Be(FunctionCatalog.All.Count);
        functions.Should().HaveCount(FunctionCatalog.All.Count + 1);
        product.Resources("Custom::CDKBucketDeployment").Should().ContainSingle();

        // The functions' code is the real publish output, staged as an asset.
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "PaletteServerless.assets.json")))!;
        var stagedFolders = manifest["files"]!.AsObject()
            .Select(f => f.Value!["source"]!["path"]!.GetValue<string>())
            .Where(p => Directory.Exists(Path.Combine(output, p)))
            .ToList();
        foreach (var function in FunctionCatalog.All)
        {
            var assembly = DotnetPublishedCode.AssemblyOf(function);
            var folder = stagedFolders.FirstOrDefault(p => File.Exists(Path.Combine(output, p, assembly + ".dll")));
            folder.Should().NotBeNull($"{assembly} is published into an asset");
            // The runtime loads Assembly::Namespace.Type::Method: the package must have that public method.
            var handler = function.Handler.Split("::");
            PublicMethods(Path.Combine(output, folder!, assembly + ".dll"), handler[1]).Should().Contain(handler[2], function.Handler);
        }

        var machines = product.Resources("AWS::StepFunctions::StateMachine").ToList();
        machines.Should().HaveCount(StateMachineCatalog.All.Count);
        foreach (var (id, machine) in machines)
        {
            var properties = machine["Properties"]!;
            var dummies = properties["DefinitionSubstitutions"]!.AsObject().ToDictionary(
                s => s.Key,
                s => s.Key.EndsWith("FunctionArn", StringComparison.Ordinal)
                    ? $"arn:aws:lambda:eu-west-1:123456789012:function:{s.Key}"
                    : $"dummy-{s.Key}");
            var definition = StateMachineCatalog.Substitute(properties["DefinitionString"]!.GetValue<string>(), dummies);
            var file = Path.Combine(output, id + ".asl.json");
            File.WriteAllText(file, definition);
            var (validatorExit, validatorLog) = Run("node", Root, [validator, "--json-path", file]);
            validatorExit.Should().Be(0, $"{id}: {validatorLog}");
        }
    }

    /// <summary>The public method names of a type in an assembly, read from its metadata without loading it.</summary>
    private static IReadOnlyList<string> PublicMethods(string assemblyPath, string typeFullName)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        foreach (var handle in metadata.TypeDefinitions)
        {
            var type = metadata.GetTypeDefinition(handle);
            if ($"{metadata.GetString(type.Namespace)}.{metadata.GetString(type.Name)}" != typeFullName)
                continue;
            return [.. type.GetMethods()
                .Select(metadata.GetMethodDefinition)
                .Where(m => (m.Attributes & MethodAttributes.MemberAccessMask) == MethodAttributes.Public)
                .Select(m => metadata.GetString(m.Name))];
        }
        return [];
    }

    private static void EnsureCdkCli()
    {
        if (File.Exists(Path.Combine(Root, "infra", "node_modules", "aws-cdk", "bin", "cdk")))
            return;
        var (exitCode, log) = Run("npm", Path.Combine(Root, "infra"), ["ci", "--no-audit", "--no-fund"]);
        exitCode.Should().Be(0, log);
    }

    private static (int ExitCode, string Log) Run(string program, string workingDirectory, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Offline: no version check against the npm registry, no instance metadata lookup for a default account.
        start.Environment["CDK_DISABLE_VERSION_CHECK"] = "1";
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            return (-1, "timed out after 5 minutes\n" + stdout.Result + stderr.Result);
        }
        return (process.ExitCode, stdout.Result + "\n" + stderr.Result);
    }
}
