namespace PaletteServerless.Aws.Configuration;

/// <summary>One deployed Lambda function: its name, the handler string the runtime loads, and what it reads.</summary>
public sealed record FunctionDefinition(string Name, string Handler, IReadOnlyList<string> EnvironmentVariables, string Description);

/// <summary>
/// Every Lambda function of the product, with its handler string exactly as the managed .NET
/// runtime resolves it (Assembly::Namespace.Type::Method). The CDK app deploys from this list and
/// the local stack invokes from it.
/// </summary>
public static class FunctionCatalog
{
    public static readonly FunctionDefinition Api = new(
        "Api",
        "PaletteServerless.Api::PaletteServerless.Api.ApiFunction::Handle",
        [EnvironmentNames.TableName, EnvironmentNames.ProvisionStateMachineArn, EnvironmentNames.DeleteStateMachineArn],
        "The product API behind API Gateway (HTTP API payload 2.0)");

    public static readonly IReadOnlyList<FunctionDefinition> All = [Api];
}
