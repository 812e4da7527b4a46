using PaletteServerless.Aws.Cloud;
using PaletteServerless.Domain.Profiles;
using PaletteServerless.Local.Aws.Ec2;

namespace PaletteServerless.Local.Aws.Tests.Ec2;

/// <summary>
/// The two sides of the machine image, each written once: the pack catalog says which Ubuntu release an OS
/// pack boots (and how the product looks for it), the local EC2 lists Canonical's images as Canonical names them.
/// Neither reads the other; this holds them together.
/// </summary>
public sealed class MachineImageCatalogTests : Ec2TestBase
{
    private static IEnumerable<(CatalogPack Pack, MachineImageInstall Image)> OsPacks() =>
        PackCatalog.Packs.Where(p => p.Layer == PackLayers.Os).Select(p => (p, (MachineImageInstall)p.Install));

    [Fact]
    public async Task Every_os_pack_of_the_catalog_finds_its_release_among_the_local_images()
    {
        OsPacks().Should().NotBeEmpty();
        foreach (var (pack, image) in OsPacks())
        {
            var found = await MachineImages.FindAsync(new PaletteServerless.Aws.Cloud.Adapters.Ec2ComputeCatalog(Ec2, null), image, "x86_64", CancellationToken.None);

            found.Should().NotBeNull($"the catalog's {pack.Name} {pack.Version} looks for {MachineImages.NameFilter(image, "x86_64")}");
            var listed = Ec2Catalog.FindImage(found!)!;
            listed.OwnerId.Should().Be(image.OwnerId);
            listed.Name.Should().Contain($"-{pack.Version}-amd64-server-", "the image found boots the pack's release");
            listed.Description.Should().Contain($"Ubuntu, {pack.Version} LTS");
        }
    }

    [Fact]
    public async Task Every_local_Canonical_image_is_one_an_os_pack_of_the_catalog_can_find()
    {
        var canonical = Ec2Catalog.Images.Where(i => i.Name.StartsWith("ubuntu/images/", StringComparison.Ordinal)).ToList();
        canonical.Should().NotBeEmpty();
        foreach (var listed in canonical)
        {
            var arch = listed.Architecture;
            var finders = new List<string>();
            foreach (var (pack, image) in OsPacks())
            {
                if (await MachineImages.FindAsync(new PaletteServerless.Aws.Cloud.Adapters.Ec2ComputeCatalog(Ec2, null), image, arch, CancellationToken.None) == listed.ImageId)
                    finders.Add($"{pack.Name} {pack.Version}");
            }
            finders.Should().ContainSingle($"{listed.Name} is the newest image of exactly one OS pack's release");
        }
    }
}
