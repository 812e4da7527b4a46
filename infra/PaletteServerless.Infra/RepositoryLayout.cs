namespace PaletteServerless.Infra;

/// <summary>Where the app finds the repository it deploys from.</summary>
public static class RepositoryLayout
{
    /// <summary>
    /// The folder holding cdk.json, from the working directory up: the CDK CLI runs the app from
    /// there, and `dotnet run` from anywhere inside the repository finds it too.
    /// </summary>
    public static string FindRoot(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "cdk.json")) && Directory.Exists(Path.Combine(directory.FullName, "functions")))
                return directory.FullName;
        }
        throw new InvalidOperationException($"no cdk.json with a functions/ folder beside it in {start} or above: run the app from the repository");
    }
}
