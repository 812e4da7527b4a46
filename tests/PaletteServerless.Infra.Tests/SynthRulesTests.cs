using Amazon.CDK;
using PaletteServerless.Manifest;
using PaletteServerless.Infra.Tests.Support;

namespace PaletteServerless.Infra.Tests;

/// <summary>What makes synth fail, loudly and with a message that says what to fix.</summary>
public sealed class SynthRulesTests
{
    private static ProductStack Synth(string stateMachines, IReadOnlyList<FunctionDefinition>? functions = null)
    {
        var app = new App(new AppProps { Outdir = Directory.CreateTempSubdirectory("infra-cdk-out-").FullName });
        return new ProductStack(app, "PaletteServerless", new ProductStackProps
        {
            StateMachinesDirectory = stateMachines,
            FunctionCode = new StubFunctionCode(),
            Functions = functions ?? FunctionCatalog.All,
        });
    }

    [Fact]
    public void A_function_missing_from_the_policy_table_fails_synth()
    {
        var mystery = new FunctionDefinition("Mystery", "PaletteServerless.Api::PaletteServerless.Api.Mystery::Handle", [], "not in the table");

        FluentActions.Invoking(() => Synth(StateMachineFiles.Generated(), [.. FunctionCatalog.All, mystery]))
            .Should().Throw<InvalidOperationException>().WithMessage("*function Mystery is not in the policy table*");
    }

    [Fact]
    public void A_missing_definition_file_fails_synth_with_its_name()
    {
        var directory = StateMachineFiles.Generated(skip: StateMachineCatalog.Delete.DefinitionFile);

        FluentActions.Invoking(() => Synth(directory))
            .Should().Throw<InvalidOperationException>().WithMessage($"*statemachines/{StateMachineCatalog.Delete.DefinitionFile} does not exist*");
    }

    [Fact]
    public void A_placeholder_without_a_value_fails_synth()
    {
        FluentActions.Invoking(() => Synth(StateMachineFiles.Generated(extraPlaceholder: "NobodyFillsThis")))
            .Should().Throw<InvalidOperationException>().WithMessage("*placeholders with no value: NobodyFillsThis*");
    }

    [Fact]
    public void An_environment_variable_the_app_has_no_value_for_fails_synth()
    {
        var odd = new FunctionDefinition("Api", FunctionCatalog.Api.Handler, ["PALETTE_SOMETHING_ELSE"], "reads an unknown variable");

        FluentActions.Invoking(() => Synth(StateMachineFiles.Generated(), [odd]))
            .Should().Throw<InvalidOperationException>().WithMessage("*reads PALETTE_SOMETHING_ELSE*");
    }
}
