namespace PaletteServerless.Testing;

public static class RepositoryRoot
{
    /// <summary>The folder holding PaletteServerless.sln, found by walking up from the test binaries.</summary>
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PaletteServerless.sln")))
                return dir.FullName;
        }
        throw new DirectoryNotFoundException("PaletteServerless.sln not found above " + AppContext.BaseDirectory);
    }
}
