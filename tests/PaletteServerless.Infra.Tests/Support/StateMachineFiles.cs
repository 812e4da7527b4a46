using System.Text.Json.Nodes;
using PaletteServerless.Manifest;
using PaletteServerless.Infra;

namespace PaletteServerless.Infra.Tests.Support;

/// <summary>
/// The statemachines/ folder the tests synthesize with: the repository's own when it holds every
/// catalog definition, otherwise a temporary one with a small valid definition per catalog entry
/// that uses every placeholder (so substitutions are still proven complete).
/// </summary>
public static class StateMachineFiles
{
    public static string RepositoryRoot { get; } = RepositoryLayout.FindRootOfBinaries();

    public static string RepositoryDirectory => RepositoryLayout.StateMachinesDirectory(RepositoryRoot);

    public static bool RepositoryHasAll =>
        StateMachineCatalog.All.All(m => File.Exists(Path.Combine(RepositoryDirectory, m.DefinitionFile)));

    public static string DirectoryForTests() => RepositoryHasAll ? RepositoryDirectory : Generated();

    /// <summary>A temporary folder with one small definition per catalog entry, using every placeholder plus <paramref name="extraPlaceholder"/>.</summary>
    public static string Generated(string? extraPlaceholder = null, string? skip = null)
    {
        var directory = Directory.CreateTempSubdirectory("infra-statemachines-").FullName;
        foreach (var machine in StateMachineCatalog.All.Where(m => m.DefinitionFile != skip))
            File.WriteAllText(Path.Combine(directory, machine.DefinitionFile), Definition(extraPlaceholder).ToJsonString());
        return directory;
    }

    private static JsonObject Definition(string? extraPlaceholder)
    {
        var states = new JsonObject();
        var functions = FunctionCatalog.All;
        for (var i = 0; i < functions.Count; i++)
        {
            states[functions[i].Name] = new JsonObject
            {
                ["Type"] = "Task",
                ["Resource"] = "arn:aws:states:::lambda:invoke",
                ["Parameters"] = new JsonObject
                {
                    ["FunctionName"] = "${" + StateMachineCatalog.FunctionPlaceholder(functions[i]) + "}",
                    ["Payload.$"] = "$",
                },
                ["ResultPath"] = "$.result",
                ["Next"] = i + 1 < functions.Count ? functions[i + 1].Name : "Record",
            };
        }
        states["Record"] = new JsonObject
        {
            ["Type"] = "Pass",
            ["Parameters"] = new JsonObject
            {
                ["table"] = "${" + StateMachineCatalog.TablePlaceholder + "}",
                ["bus"] = "${" + StateMachineCatalog.EventBusPlaceholder + "}",
                ["extra"] = extraPlaceholder is null ? "none" : "${" + extraPlaceholder + "}",
            },
            ["End"] = true,
        };
        return new JsonObject
        {
            ["Comment"] = "test definition using every placeholder",
            ["StartAt"] = functions[0].Name,
            ["States"] = states,
        };
    }
}
