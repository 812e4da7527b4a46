using Amazon.CDK;
using Amazon.CDK.Assertions;
using PaletteServerless.Infra;

namespace PaletteServerless.Infra.Tests.Support;

/// <summary>
/// The app synthesized once for all template tests (synth through jsii takes seconds): the product
/// stack and the target-account stack, as Amazon.CDK.Assertions templates and as plain JSON.
/// </summary>
public sealed class SynthesizedApp : IDisposable
{
    private readonly string _outdir = Directory.CreateTempSubdirectory("infra-cdk-out-").FullName;

    public ProductStack Product { get; }
    public TargetAccountStack Target { get; }
    public Template ProductTemplate { get; }
    public Template TargetTemplate { get; }
    public TemplateJson ProductJson { get; }
    public TemplateJson TargetJson { get; }
    public StubFunctionCode Code { get; } = new();
    public string StateMachinesDirectory { get; } = StateMachineFiles.DirectoryForTests();

    public SynthesizedApp()
    {
        var app = new App(new AppProps { Outdir = _outdir });
        Product = new ProductStack(app, "PaletteServerless", new ProductStackProps
        {
            StateMachinesDirectory = StateMachinesDirectory,
            FunctionCode = Code,
        });
        Target = new TargetAccountStack(app, "PaletteServerlessTargetAccount", new StackProps { Synthesizer = new CliCredentialsStackSynthesizer() });
        var assembly = app.Synth();
        ProductJson = TemplateJson.Load(assembly.GetStackByName(Product.StackName).TemplateFullPath);
        TargetJson = TemplateJson.Load(assembly.GetStackByName(Target.StackName).TemplateFullPath);
        ProductTemplate = Template.FromStack(Product);
        TargetTemplate = Template.FromStack(Target);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_outdir, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}
