#:project ../functions/PaletteServerless.Manifest/PaletteServerless.Manifest.csproj
// Writes console/src/routes.json, the route file psctl and the web console read, from the manifest's
// ApiRouteCatalog. Run from anywhere inside the repository: dotnet run tools/generate-routes.cs
using PaletteServerless.Manifest;

var root = RepositoryLayout.FindRoot(Directory.GetCurrentDirectory());
var path = Path.Combine(root, ClientRoutes.RelativePath);
File.WriteAllText(path, ClientRoutes.Render());
Console.WriteLine($"wrote {ClientRoutes.RelativePath}: {ClientRoutes.Named().Count} routes");
