using Amazon.CDK;
using PaletteServerless.Infra;
using PaletteServerless.Manifest;

var app = new App();

// Context values, all optional: -c repositoryRoot=<dir> and -c statemachinesDirectory=<dir>.
var root = app.Node.TryGetContext("repositoryRoot") as string ?? RepositoryLayout.FindRoot(Directory.GetCurrentDirectory());
var stateMachines = app.Node.TryGetContext("statemachinesDirectory") as string ?? RepositoryLayout.StateMachinesDirectory(root);

_ = new ProductStack(app, "PaletteServerless", new ProductStackProps
{
    Description = "PaletteServerless: the cluster API, its workflows and their data",
    StateMachinesDirectory = stateMachines,
    FunctionCode = new DotnetPublishedCode(root),
    ConsoleDirectory = RepositoryLayout.ConsoleDirectory(root),
});
_ = new TargetAccountStack(app, "PaletteServerlessTargetAccount", new StackProps
{
    Description = "PaletteServerless target account: the role the product assumes to build clusters here",
    // No assets and no bootstrap: a tenant deploys it with their own credentials, with the CDK CLI
    // or as a plain CloudFormation template (cdk.out/PaletteServerlessTargetAccount.template.json).
    Synthesizer = new CliCredentialsStackSynthesizer(),
});

app.Synth();
