using PaletteServerless.Manifest;

namespace PaletteServerless.Infra.Tests;

/// <summary>The functions' environment is built in one place for the CDK app and the local stack alike.</summary>
public sealed class FunctionEnvironmentTests
{
    [Fact]
    public void Every_variable_but_the_region_has_a_value_and_each_state_machine_variable_names_its_own_machine()
    {
        var names = typeof(EnvironmentNames).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();

        var values = FunctionEnvironment.Values(machine => "arn:" + machine.Name, "table", "bus", "123456789012", "");

        values.Keys.Should().BeEquivalentTo(names.Where(n => n != EnvironmentNames.Region), "Lambda sets the region, the deployment sets the rest");
        FunctionEnvironment.StateMachineArns.Values.Should().OnlyHaveUniqueItems().And.BeSubsetOf(StateMachineCatalog.All);
        foreach (var (variable, machine) in FunctionEnvironment.StateMachineArns)
        {
            values[variable].Should().Be("arn:" + machine.Name);
            variable.Should().Be($"PALETTE_{machine.Name["palette-".Length..].Replace("-cluster", "", StringComparison.Ordinal).Replace('-', '_').ToUpperInvariant()}_STATE_MACHINE_ARN");
        }
    }
}
