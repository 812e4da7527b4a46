namespace PaletteServerless.Local.Aws.Ec2;

public sealed record InstanceTypeInfo(string Name, int VCpus, int MemoryMiB, string Architecture, string? Gpu = null, int GpuCount = 0, int GpuMemoryMiB = 0)
{
    public int DefaultCores => Math.Max(1, VCpus / 2);
    public int ThreadsPerCore => VCpus == 1 ? 1 : 2;
    public string Family => Name.Split('.')[0];
}

public sealed record ImageInfo(string ImageId, string Name, string Description, string Architecture, string OwnerId, string OwnerAlias, string PlatformDetails, DateTimeOffset CreationDate);

/// <summary>
/// What the local EC2 offers: real regions with their real AZ names, instance types with real
/// vCPU and memory figures, and a few public images. Offerings have deliberate gaps so preflight
/// checks can be tested:
/// <list type="bullet">
/// <item><c>us-east-1e</c> is an old zone: it offers only the t3, m5 and c5 families.</item>
/// <item><c>g4dn.xlarge</c> (GPU) is not offered in <c>us-east-1f</c> nor in <c>us-west-2d</c>.</item>
/// <item><c>p3.2xlarge</c> (GPU) is offered only in <c>us-east-1a</c>, <c>us-east-1b</c>, <c>us-west-2a</c>, <c>us-west-2b</c>, <c>eu-west-1a</c>.</item>
/// </list>
/// </summary>
public static class Ec2Catalog
{
    public static readonly IReadOnlyDictionary<string, string[]> ZonesByRegion = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["us-east-1"] = ["a", "b", "c", "d", "e", "f"],
        ["us-east-2"] = ["a", "b", "c"],
        ["us-west-1"] = ["a", "c"],
        ["us-west-2"] = ["a", "b", "c", "d"],
        ["eu-west-1"] = ["a", "b", "c"],
        ["eu-central-1"] = ["a", "b", "c"],
        ["ap-southeast-1"] = ["a", "b", "c"],
        ["ap-northeast-1"] = ["a", "c", "d"],
    };

    /// <summary>Short region codes AWS uses in zone ids (<c>use1-az1</c>).</summary>
    private static readonly IReadOnlyDictionary<string, string> ZoneIdPrefixes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["us-east-1"] = "use1", ["us-east-2"] = "use2", ["us-west-1"] = "usw1", ["us-west-2"] = "usw2",
        ["eu-west-1"] = "euw1", ["eu-central-1"] = "euc1", ["ap-southeast-1"] = "apse1", ["ap-northeast-1"] = "apne1",
    };

    public static readonly IReadOnlyList<InstanceTypeInfo> InstanceTypes =
    [
        new("t3.micro", 2, 1024, "x86_64"),
        new("t3.small", 2, 2048, "x86_64"),
        new("t3.medium", 2, 4096, "x86_64"),
        new("t3.large", 2, 8192, "x86_64"),
        new("t3.xlarge", 4, 16384, "x86_64"),
        new("t3.2xlarge", 8, 32768, "x86_64"),
        new("m5.large", 2, 8192, "x86_64"),
        new("m5.xlarge", 4, 16384, "x86_64"),
        new("m5.2xlarge", 8, 32768, "x86_64"),
        new("m5.4xlarge", 16, 65536, "x86_64"),
        new("m6i.large", 2, 8192, "x86_64"),
        new("m6i.xlarge", 4, 16384, "x86_64"),
        new("m6g.large", 2, 8192, "arm64"),
        new("c5.large", 2, 4096, "x86_64"),
        new("c5.xlarge", 4, 8192, "x86_64"),
        new("r5.large", 2, 16384, "x86_64"),
        new("r5.xlarge", 4, 32768, "x86_64"),
        new("g4dn.xlarge", 4, 16384, "x86_64", "T4", 1, 16384),
        new("p3.2xlarge", 8, 62464, "x86_64", "V100", 1, 16384),
    ];

    /// <summary>Canonical's account, the owner of the official Ubuntu images on EC2.</summary>
    private const string CanonicalOwnerId = "099720109477";

    /// <summary>An Ubuntu LTS release as Canonical names it: its version and its codename.</summary>
    public sealed record UbuntuRelease(string Version, string Codename);

    // Declared before Images, which reads them (static fields are set in the order they are written).
    public static readonly UbuntuRelease UbuntuJammy = new("22.04", "jammy");
    public static readonly UbuntuRelease UbuntuNoble = new("24.04", "noble");

    public static readonly IReadOnlyList<ImageInfo> Images =
    [
        CanonicalUbuntu("ami-0c7217cdde317cfec", UbuntuJammy, "amd64", "hvm-ssd", new(2024, 3, 1)),
        CanonicalUbuntu("ami-0e4a9ad2eb120e054", UbuntuJammy, "arm64", "hvm-ssd", new(2024, 3, 1)),
        CanonicalUbuntu("ami-0fc5d935ebf8bc3bc", UbuntuNoble, "amd64", "hvm-ssd-gp3", new(2024, 4, 23)),
        new("ami-0440d3b780d96b29d", "al2023-ami-2023.4.20240401.1-kernel-6.1-x86_64",
            "Amazon Linux 2023 AMI 2023.4.20240401.1 x86_64 HVM kernel-6.1", "x86_64", "137112412989", "amazon", "Linux/UNIX", new(2024, 4, 1, 0, 0, 0, TimeSpan.Zero)),
    ];

    /// <summary>
    /// One of Canonical's Ubuntu server images as EC2 lists it: named
    /// <c>ubuntu/images/&lt;folder&gt;/ubuntu-&lt;codename&gt;-&lt;version&gt;-&lt;arch&gt;-server-&lt;serial&gt;</c> (the folder says
    /// virtualization and volume type, <c>hvm-ssd</c> or <c>hvm-ssd-gp3</c>; the serial is the build date),
    /// owned by Canonical's account and shown with the alias <c>amazon</c> as public images of that account are.
    /// </summary>
    private static ImageInfo CanonicalUbuntu(string imageId, UbuntuRelease release, string arch, string folder, DateOnly build) => new(
        imageId,
        $"ubuntu/images/{folder}/ubuntu-{release.Codename}-{release.Version}-{arch}-server-{build:yyyyMMdd}",
        $"Canonical, Ubuntu, {release.Version} LTS, {arch} {release.Codename} image",
        arch == "arm64" ? "arm64" : "x86_64", CanonicalOwnerId, "amazon", "Linux/UNIX",
        new DateTimeOffset(build.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));

    public static bool IsRegion(string region) => ZonesByRegion.ContainsKey(region);

    public static IReadOnlyList<string> Zones(string region) =>
        ZonesByRegion.TryGetValue(region, out var letters) ? [.. letters.Select(l => region + l)] : [];

    public static string ZoneId(string zoneName)
    {
        var region = zoneName[..^1];
        var index = Array.IndexOf(ZonesByRegion[region], zoneName[^1..]) + 1;
        return $"{ZoneIdPrefixes[region]}-az{index}";
    }

    public static InstanceTypeInfo? FindType(string name) => InstanceTypes.FirstOrDefault(t => t.Name == name);

    public static ImageInfo? FindImage(string imageId) => Images.FirstOrDefault(i => i.ImageId == imageId);

    /// <summary>Whether <paramref name="instanceType"/> can be launched in <paramref name="zone"/> (see the class remarks).</summary>
    public static bool IsOffered(InstanceTypeInfo instanceType, string zone) => instanceType.Name switch
    {
        _ when zone == "us-east-1e" => instanceType.Family is "t3" or "m5" or "c5",
        "g4dn.xlarge" => zone is not ("us-east-1f" or "us-west-2d"),
        "p3.2xlarge" => zone is "us-east-1a" or "us-east-1b" or "us-west-2a" or "us-west-2b" or "eu-west-1a",
        _ => true,
    };
}
