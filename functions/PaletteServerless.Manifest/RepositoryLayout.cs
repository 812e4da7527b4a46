namespace PaletteServerless.Manifest;

/// <summary>
/// Where the repository keeps what the deployments read at build or start time: the state machine
/// definitions, the function projects and the node tools. The CDK app, the local stack and the
/// tests all find the repository the same way.
/// </summary>
public static class RepositoryLayout
{
    public const string SolutionFile = "PaletteServerless.sln";

    /// <summary>
    /// The folder holding the solution and statemachines/, from <paramref name="start"/> up: the CDK
    /// CLI runs the app from the repository root, and test or local binaries sit below it.
    /// </summary>
    public static string FindRoot(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, SolutionFile)) && Directory.Exists(StateMachinesDirectory(directory.FullName)))
                return directory.FullName;
        }
        throw new DirectoryNotFoundException($"no {SolutionFile} with a statemachines/ folder beside it in {start} or above: run from inside the repository");
    }

    /// <summary>The repository holding the running binaries (tests, the local stack).</summary>
    public static string FindRootOfBinaries() => FindRoot(AppContext.BaseDirectory);

    public static string StateMachinesDirectory(string root) => Path.Combine(root, "statemachines");

    public static string StateMachineFile(string root, StateMachineDefinition machine) => Path.Combine(StateMachinesDirectory(root), machine.DefinitionFile);

    public static string NodeToolsDirectory(string root) => Path.Combine(root, "local", "node");

    /// <summary>The web console's static files (index.html and its modules), served as they are.</summary>
    public static string ConsoleDirectory(string root) => Path.Combine(root, "console");

    public static string FunctionProject(string root, string assembly) => Path.Combine(root, "functions", assembly, assembly + ".csproj");
}
