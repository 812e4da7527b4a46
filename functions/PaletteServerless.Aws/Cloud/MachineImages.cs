using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Profiles;

namespace PaletteServerless.Aws.Cloud;

/// <summary>
/// The OS image of a node: the newest image the profile's OS pack names in the catalog
/// (<see cref="MachineImageInstall"/>: owner and name pattern), for the instance type's architecture.
/// The catalog is the one source: a profile naming ubuntu 24.04 boots noble, 22.04 jammy.
/// </summary>
public static class MachineImages
{
    /// <summary>Instance type -> the architecture its image is built for: arm64 when it runs arm64, else x86_64.</summary>
    public static async Task<Dictionary<string, string>> ArchitecturesAsync(IComputeCatalog catalog, IEnumerable<string> instanceTypes, CancellationToken ct) =>
        (await catalog.InstanceTypesAsync([.. instanceTypes.Distinct()], ct))
            .GroupBy(t => t.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Architectures.Contains("arm64") ? "arm64" : "x86_64");

    /// <summary>The catalog entry of the profile's OS pack (validated profiles always have one).</summary>
    public static (CatalogPack Pack, MachineImageInstall Image) OsOf(ClusterProfile profile)
    {
        var os = profile.PackOfLayer(PackLayers.Os)
            ?? throw new InvalidOperationException($"profile '{profile.Name}' has no {PackLayers.Os} pack");
        var pack = PackCatalog.Find(os.Name!, os.Version!)
            ?? throw new InvalidOperationException($"the catalog has no OS pack {os.Name} {os.Version}");
        return pack.Install is MachineImageInstall image
            ? (pack, image)
            : throw new InvalidOperationException($"catalog pack {pack.Name} {pack.Version} is not a machine image");
    }

    /// <summary>The name filter of an image entry for an architecture: <c>{arch}</c> is Canonical's amd64 or arm64.</summary>
    public static string NameFilter(MachineImageInstall image, string architecture) =>
        image.NamePattern.Replace("{arch}", architecture == "arm64" ? "arm64" : "amd64", StringComparison.Ordinal);

    /// <summary>The newest image id of the OS pack for an architecture, or null when the region has none.</summary>
    public static async Task<string?> FindAsync(IComputeCatalog catalog, MachineImageInstall image, string architecture, CancellationToken ct) =>
        (await catalog.ImagesAsync(image.OwnerId, NameFilter(image, architecture), architecture, ct))
            .OrderByDescending(i => i.Created).FirstOrDefault()?.Id;
}
