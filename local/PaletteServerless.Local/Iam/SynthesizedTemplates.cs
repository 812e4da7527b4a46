using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.AWS.Lambda;
using PaletteServerless.Infra;
using PaletteServerless.Manifest;

namespace PaletteServerless.Local.Iam;

/// <summary>
/// The CloudFormation templates of the CDK app (infra/), synthesized in this process exactly as
/// <c>cdk synth</c> does (same stacks, same policies) but with a placeholder in place of each
/// function's published package, which IAM does not read. A synth takes seconds (the CDK runs in a
/// node child through jsii), so the templates are kept in a cache folder keyed by the CDK app's,
/// the domain's and the manifest's assemblies and the state machine files: a change of any policy
/// is a new key, and is synthesized afresh.
/// </summary>
public static class SynthesizedTemplates
{
    public const string ProductStackName = "PaletteServerless";
    public const string TargetStackName = "PaletteServerlessTargetAccount";

    private static readonly SemaphoreSlim Sync = new(1, 1);
    private static (JsonNode Product, JsonNode Target)? _loaded;

    public static async Task<(JsonNode Product, JsonNode Target)> LoadAsync(string repositoryRoot, TextWriter progress, CancellationToken ct)
    {
        await Sync.WaitAsync(ct);
        try
        {
            if (_loaded is { } loaded)
                return loaded;
            var stateMachines = RepositoryLayout.StateMachinesDirectory(repositoryRoot);
            var cache = Path.Combine(Path.GetTempPath(), "palette-serverless-templates", Key(stateMachines));
            var product = Path.Combine(cache, ProductStackName + ".template.json");
            var target = Path.Combine(cache, TargetStackName + ".template.json");
            if (!File.Exists(product) || !File.Exists(target))
            {
                progress.WriteLine("synthesizing the CDK app's templates for the local IAM (once per change of infra/) ...");
                Synthesize(stateMachines, cache);
            }
            _loaded = (JsonNode.Parse(await File.ReadAllTextAsync(product, ct))!, JsonNode.Parse(await File.ReadAllTextAsync(target, ct))!);
            return _loaded.Value;
        }
        finally
        {
            Sync.Release();
        }
    }

    private static void Synthesize(string stateMachines, string cache)
    {
        var outdir = Directory.CreateTempSubdirectory("palette-serverless-synth-").FullName;
        // The jsii runtime warns on every start about the node release it runs on; the local stack
        // pins its own node tools and has nothing to act on in that warning.
        System.Environment.SetEnvironmentVariable("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "1");
        System.Environment.SetEnvironmentVariable("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1");
        System.Environment.SetEnvironmentVariable("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1");
        try
        {
            // Construct paths in each resource's metadata, as the CDK CLI asks for by default: they name
            // the function or role a resource belongs to.
            var app = new App(new AppProps { Outdir = outdir, Context = new Dictionary<string, object> { ["aws:cdk:enable-path-metadata"] = true } });
            var product = new ProductStack(app, ProductStackName, new ProductStackProps
            {
                StateMachinesDirectory = stateMachines,
                FunctionCode = new PlaceholderCode(outdir),
            });
            var target = new TargetAccountStack(app, TargetStackName, new StackProps { Synthesizer = new CliCredentialsStackSynthesizer() });
            var assembly = app.Synth();
            Directory.CreateDirectory(cache);
            // Written beside, then renamed: a reader in another process sees a whole file or none.
            foreach (var stack in new Stack[] { product, target })
            {
                var destination = Path.Combine(cache, stack.StackName + ".template.json");
                var partial = destination + "." + Guid.NewGuid().ToString("N");
                File.Copy(assembly.GetStackByName(stack.StackName).TemplateFullPath, partial);
                File.Move(partial, destination, overwrite: true);
            }
        }
        finally
        {
            try
            {
                Directory.Delete(outdir, recursive: true);
            }
            catch (IOException)
            {
                // A temporary folder left behind is harmless.
            }
        }
    }

    /// <summary>What the templates depend on: the CDK app, what it reads, and how this class synthesizes it.</summary>
    private static string Key(string stateMachines)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var type in new[] { typeof(ProductStack), typeof(Domain.Clusters.Cluster), typeof(FunctionCatalog), typeof(SynthesizedTemplates) })
            hash.AppendData(File.ReadAllBytes(type.Assembly.Location));
        foreach (var file in Directory.GetFiles(stateMachines, "*.json").Order(StringComparer.Ordinal))
            hash.AppendData(File.ReadAllBytes(file));
        return Convert.ToHexString(hash.GetHashAndReset())[..16].ToLowerInvariant();
    }

    /// <summary>A one-file package in place of each function's publish output: IAM reads no code.</summary>
    private sealed class PlaceholderCode(string outdir) : IFunctionCode
    {
        private readonly Lazy<string> _directory = new(() =>
        {
            var directory = Path.Combine(outdir, "placeholder-code");
            Directory.CreateDirectory(directory);
            File.WriteAllText(Path.Combine(directory, "placeholder.txt"), "not a real package: the local IAM reads only the templates' policies");
            return directory;
        });

        public Code For(FunctionDefinition function) => Code.FromAsset(_directory.Value);
    }
}
