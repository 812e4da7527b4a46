using System.Text.RegularExpressions;
using PaletteServerless.Local.StepFunctions.Language;
using RepositoryLayout = PaletteServerless.Manifest.RepositoryLayout;

namespace PaletteServerless.Local.StepFunctions.Tests;

/// <summary>The product's own workflows (statemachines/*.asl.json) are definitions this engine accepts.</summary>
public sealed partial class ProductDefinitionTests
{
    [GeneratedRegex(@"\$\{([A-Za-z0-9_]+)\}")]
    private static partial Regex Placeholder();

    public static TheoryData<string> Definitions()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(RepositoryLayout.StateMachinesDirectory(RepositoryLayout.FindRootOfBinaries()), "*.asl.json").Order())
            data.Add(Path.GetFileName(file));
        return data;
    }

    [Theory]
    [MemberData(nameof(Definitions))]
    public void Every_product_definition_parses_once_its_placeholders_are_filled(string file)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryLayout.StateMachinesDirectory(RepositoryLayout.FindRootOfBinaries()), file));
        // The same shapes the deployment fills in: function ARNs, and plain names for the rest.
        var filled = Placeholder().Replace(text, m => m.Groups[1].Value.EndsWith("FunctionArn", StringComparison.Ordinal)
            ? $"arn:aws:lambda:us-east-1:000000000000:function:{m.Groups[1].Value[..^"FunctionArn".Length]}"
            : m.Groups[1].Value);
        var definition = StateMachineDefinition.Parse(filled);
        definition.States.Should().NotBeEmpty();
    }
}
