using System.Security.Cryptography;
using System.Text;
using PaletteServerless.Local.Aws.Core;
using static PaletteServerless.Local.Aws.Ec2.Ec2Filters;

namespace PaletteServerless.Local.Aws.Ec2;

// Regions, zones, account attributes, instance types, images and key pairs.
public sealed partial class Ec2Service
{
    private static LocalAwsResponse DescribeRegions(Ec2Request r)
    {
        var names = r.P.List("RegionName");
        var regions = Ec2Catalog.ZonesByRegion.Keys.Where(n => names.Count == 0 || names.Contains(n)).Order(StringComparer.Ordinal);
        var chosen = ApplyPlain(regions, r.P.Structures("Filter"), (region, filter) => filter switch
        {
            "region-name" => [region],
            "endpoint" => [Endpoint(region)],
            "opt-in-status" => ["opt-in-not-required"],
            _ => null,
        });
        return r.Respond(x => x.List("regionInfo", chosen, (x, region) => x
            .Element("regionName", region)
            .Element("regionEndpoint", Endpoint(region))
            .Element("optInStatus", "opt-in-not-required")));
    }

    private static string Endpoint(string region) => $"ec2.{region}.amazonaws.com";

    private static LocalAwsResponse DescribeAvailabilityZones(Ec2Request r)
    {
        var zones = Ec2Catalog.Zones(r.World.Region);
        foreach (var name in r.P.List("ZoneName").Where(n => !zones.Contains(n)))
            throw new AwsErrorException("InvalidParameterValue", $"The zone '{name}' does not exist.");
        var names = r.P.List("ZoneName");
        var ids = r.P.List("ZoneId");
        var chosen = ApplyPlain(
            zones.Where(z => (names.Count == 0 || names.Contains(z)) && (ids.Count == 0 || ids.Contains(Ec2Catalog.ZoneId(z)))),
            r.P.Structures("Filter"),
            (zone, filter) => filter switch
            {
                "zone-name" => [zone],
                "zone-id" => [Ec2Catalog.ZoneId(zone)],
                "state" => ["available"],
                "region-name" => [r.World.Region],
                "zone-type" => ["availability-zone"],
                "group-name" or "network-border-group" => [r.World.Region],
                "opt-in-status" => ["opt-in-not-required"],
                _ => null,
            });
        return r.Respond(x => x.List("availabilityZoneInfo", chosen, (x, zone) => x
            .Element("zoneName", zone)
            .Element("zoneState", "available")
            .Element("regionName", r.World.Region)
            .Element("zoneId", Ec2Catalog.ZoneId(zone))
            .Element("zoneType", "availability-zone")
            .Element("optInStatus", "opt-in-not-required")
            .Element("groupName", r.World.Region)
            .Element("networkBorderGroup", r.World.Region)
            .Open("messageSet").Close()));
    }

    private static LocalAwsResponse DescribeAccountAttributes(Ec2Request r)
    {
        var attributes = new (string Name, string[] Values)[]
        {
            ("supported-platforms", ["VPC"]),
            ("default-vpc", ["none"]),
            ("max-instances", ["20"]),
            ("vpc-max-security-groups-per-interface", ["5"]),
            ("max-elastic-ips", [Ec2Quotas.ElasticIps.ToString(System.Globalization.CultureInfo.InvariantCulture)]),
            ("vpc-max-elastic-ips", [Ec2Quotas.ElasticIps.ToString(System.Globalization.CultureInfo.InvariantCulture)]),
        };
        var wanted = r.P.List("AttributeName");
        return r.Respond(x => x.List("accountAttributeSet", attributes.Where(a => wanted.Count == 0 || wanted.Contains(a.Name)), (x, a) => x
            .Element("attributeName", a.Name)
            .List("attributeValueSet", a.Values, (x, v) => x.Element("attributeValue", v))));
    }

    private static LocalAwsResponse DescribeInstanceTypes(Ec2Request r)
    {
        var names = r.P.List("InstanceType");
        // The model bounds the list of names: at most 100 in one call.
        if (names.Count > 100)
            throw new AwsErrorException("InvalidParameterValue", $"The parameter instanceTypes may list at most 100 instance types, not {names.Count}.");
        var unknown = names.Where(n => Ec2Catalog.FindType(n) is null).ToList();
        if (unknown.Count > 0)
            throw new AwsErrorException("InvalidInstanceType", $"The following supplied instance types do not exist: [{string.Join(", ", unknown)}]");
        var types = ApplyPlain(
            Ec2Catalog.InstanceTypes.Where(t => names.Count == 0 || names.Contains(t.Name)),
            r.P.Structures("Filter"),
            (type, filter) => filter switch
            {
                "instance-type" => [type.Name],
                "vcpu-info.default-vcpus" => [Text(type.VCpus)],
                "memory-info.size-in-mib" => [Text(type.MemoryMiB)],
                "processor-info.supported-architecture" => [type.Architecture],
                "current-generation" => ["true"],
                "gpu-info.gpus.count" => [Text(type.GpuCount)],
                _ => null,
            });
        var (page, next) = Page(types, r.P, defaultSize: 100, maxSize: 100);
        return r.Respond(x =>
        {
            x.List("instanceTypeSet", page, (x, type) =>
            {
                x.Element("instanceType", type.Name)
                    .Element("currentGeneration", true)
                    .ValueList("supportedUsageClasses", ["on-demand", "spot"])
                    .ValueList("supportedRootDeviceTypes", ["ebs"])
                    .ValueList("supportedVirtualizationTypes", ["hvm"])
                    .Element("bareMetal", false)
                    .Element("hypervisor", "nitro")
                    .Open("processorInfo").ValueList("supportedArchitectures", [type.Architecture]).Close()
                    .Open("vCpuInfo")
                    .Element("defaultVCpus", type.VCpus)
                    .Element("defaultCores", type.DefaultCores)
                    .Element("defaultThreadsPerCore", type.ThreadsPerCore)
                    .Close()
                    .Open("memoryInfo").Element("sizeInMiB", (long)type.MemoryMiB).Close();
                if (type.Gpu is not null)
                {
                    x.Open("gpuInfo")
                        .List("gpus", [type], (x, t) => x
                            .Element("name", t.Gpu)
                            .Element("manufacturer", "NVIDIA")
                            .Element("count", t.GpuCount)
                            .Open("memoryInfo").Element("sizeInMiB", t.GpuMemoryMiB).Close())
                        .Element("totalGpuMemoryInMiB", type.GpuMemoryMiB)
                        .Close();
                }
            });
            x.Element("nextToken", next);
        });
    }

    private static LocalAwsResponse DescribeInstanceTypeOfferings(Ec2Request r)
    {
        var locationType = r.P["LocationType"] ?? "region";
        var zones = Ec2Catalog.Zones(r.World.Region);
        var offerings = locationType switch
        {
            "region" => Ec2Catalog.InstanceTypes.Select(t => (Type: t.Name, Location: r.World.Region)),
            "availability-zone" => zones.SelectMany(z => Ec2Catalog.InstanceTypes.Where(t => Ec2Catalog.IsOffered(t, z)).Select(t => (Type: t.Name, Location: z))),
            "availability-zone-id" => zones.SelectMany(z => Ec2Catalog.InstanceTypes.Where(t => Ec2Catalog.IsOffered(t, z)).Select(t => (Type: t.Name, Location: Ec2Catalog.ZoneId(z)))),
            _ => throw new AwsErrorException("InvalidParameterValue", $"Value ({locationType}) for parameter locationType is invalid."),
        };
        var chosen = ApplyPlain(offerings, r.P.Structures("Filter"), (offering, filter) => filter switch
        {
            "instance-type" => [offering.Type],
            "location" => [offering.Location],
            _ => null,
        });
        var (page, next) = Page(chosen, r.P);
        return r.Respond(x => x
            .List("instanceTypeOfferingSet", page, (x, o) => x
                .Element("instanceType", o.Type)
                .Element("locationType", locationType)
                .Element("location", o.Location))
            .Element("nextToken", next));
    }

    private static LocalAwsResponse DescribeImages(Ec2Request r)
    {
        var ids = r.P.List("ImageId");
        foreach (var id in ids.Where(id => Ec2Catalog.FindImage(id) is null))
            throw new AwsErrorException("InvalidAMIID.NotFound", $"The image id '[{id}]' does not exist");
        var owners = r.P.List("Owner");
        var images = ApplyPlain(
            Ec2Catalog.Images.Where(i => (ids.Count == 0 || ids.Contains(i.ImageId))
                && (owners.Count == 0 || owners.Contains(i.OwnerId) || owners.Contains(i.OwnerAlias))),
            r.P.Structures("Filter"),
            (image, filter) => filter switch
            {
                "image-id" => [image.ImageId],
                "name" => [image.Name],
                "description" => [image.Description],
                "architecture" => [image.Architecture],
                "owner-id" => [image.OwnerId],
                "owner-alias" => [image.OwnerAlias],
                "state" => ["available"],
                "is-public" => ["true"],
                "image-type" => ["machine"],
                "root-device-type" => ["ebs"],
                "virtualization-type" => ["hvm"],
                "platform-details" => [image.PlatformDetails],
                _ => null,
            });
        return r.Respond(x => x.List("imagesSet", images, (x, image) => x
            .Element("imageId", image.ImageId)
            .Element("imageLocation", $"{image.OwnerId}/{image.Name}")
            .Element("imageState", "available")
            .Element("imageOwnerId", image.OwnerId)
            .Element("creationDate", image.CreationDate)
            .Element("isPublic", true)
            .Element("architecture", image.Architecture)
            .Element("imageType", "machine")
            .Element("platformDetails", image.PlatformDetails)
            .Element("usageOperation", "RunInstances")
            .Element("imageOwnerAlias", image.OwnerAlias)
            .Element("name", image.Name)
            .Element("description", image.Description)
            .Element("rootDeviceType", "ebs")
            .Element("rootDeviceName", "/dev/sda1")
            .List("blockDeviceMapping", [image], (x, _) => x
                .Element("deviceName", "/dev/sda1")
                .Open("ebs")
                .Element("volumeSize", 8)
                .Element("deleteOnTermination", true)
                .Element("volumeType", "gp3")
                .Element("encrypted", false)
                .Close())
            .Element("virtualizationType", "hvm")
            .Element("hypervisor", "xen")
            .Element("enaSupport", true)));
    }

    private static LocalAwsResponse CreateKeyPair(Ec2Request r)
    {
        var name = RequireNewKeyName(r);
        var keyType = r.P["KeyType"] ?? "rsa";
        if (keyType != "rsa")
            throw new AwsErrorException("InvalidParameterValue", $"The local AWS creates rsa key pairs only, not {keyType}.");
        r.CheckTagSpecificationTypes("key-pair");
        using var rsa = RSA.Create(2048);
        // AWS fingerprints a key pair it created by the SHA-1 of the private key in PKCS#8 DER.
        var fingerprint = ColonHex(SHA1.HashData(rsa.ExportPkcs8PrivateKey()));
        var keyPair = AddKeyPair(r, name, fingerprint, publicKey: null);
        var material = rsa.ExportRSAPrivateKeyPem();
        return r.Respond(x => x
            .Element("keyName", keyPair.KeyName)
            .Element("keyFingerprint", keyPair.Fingerprint)
            .Element("keyMaterial", material)
            .Element("keyPairId", keyPair.Id)
            .Call(Ec2Xml.Tags, keyPair.Tags));
    }

    private static LocalAwsResponse ImportKeyPair(Ec2Request r)
    {
        var name = RequireNewKeyName(r);
        r.CheckTagSpecificationTypes("key-pair");
        var publicKey = DecodePublicKey(r.P.Required("PublicKeyMaterial"));
        var parts = publicKey.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        byte[] blob;
        try
        {
            blob = parts.Length >= 2 && parts[0].StartsWith("ssh-", StringComparison.Ordinal) ? Convert.FromBase64String(parts[1]) : throw new FormatException();
        }
        catch (FormatException)
        {
            throw new AwsErrorException("InvalidKey.Format", "Key is not in valid OpenSSH public key format");
        }
        // AWS fingerprints an imported RSA key by the MD5 of its public key blob (RFC 4716), and an
        // ED25519 key by the base64 SHA-256 of it, as OpenSSH does (EC2 API Reference, KeyPairInfo).
        var keyType = parts[0] switch
        {
            "ssh-rsa" => "rsa",
            "ssh-ed25519" => "ed25519",
            _ => throw new AwsErrorException("InvalidKey.Format", $"Key type {parts[0]} is not supported; import an rsa or ed25519 key"),
        };
        var fingerprint = keyType == "ed25519" ? Convert.ToBase64String(SHA256.HashData(blob)) : ColonHex(MD5.HashData(blob));
        var keyPair = AddKeyPair(r, name, fingerprint, publicKey.Trim(), keyType);
        return r.Respond(x => x
            .Element("keyFingerprint", keyPair.Fingerprint)
            .Element("keyName", keyPair.KeyName)
            .Element("keyPairId", keyPair.Id)
            .Call(Ec2Xml.Tags, keyPair.Tags));
    }

    // The query protocol carries a blob base64-encoded; some callers send the key text as is.
    private static string DecodePublicKey(string material)
    {
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(material));
            return decoded.StartsWith("ssh-", StringComparison.Ordinal) ? decoded : material;
        }
        catch (FormatException)
        {
            return material;
        }
    }

    private static string RequireNewKeyName(Ec2Request r)
    {
        var name = r.P.Required("KeyName");
        if (r.World.All<KeyPair>().Any(k => k.KeyName == name))
            throw new AwsErrorException("InvalidKeyPair.Duplicate", $"The keypair '{name}' already exists.");
        return name;
    }

    private static KeyPair AddKeyPair(Ec2Request r, string name, string fingerprint, string? publicKey, string keyType = "rsa")
    {
        var id = Ec2Request.NewId("key");
        var keyPair = new KeyPair
        {
            Id = id,
            Type = "ec2:key-pair",
            KeyName = name,
            Fingerprint = fingerprint,
            KeyType = keyType,
            PublicKey = publicKey,
            Arn = r.Arn("key-pair", id),
            Tags = r.TagsFor("key-pair"),
        };
        keyPair.SetState("available", r.Now);
        return r.World.Add(keyPair, r.Now);
    }

    private static string ColonHex(byte[] hash) => string.Join(':', hash.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));

    private static LocalAwsResponse DescribeKeyPairs(Ec2Request r)
    {
        var names = r.P.List("KeyName");
        var all = r.World.All<KeyPair>().ToList();
        foreach (var name in names.Where(n => all.All(k => k.KeyName != n)))
            throw new AwsErrorException("InvalidKeyPair.NotFound", $"The key pair '{name}' does not exist");
        var keyPairs = r.Select("KeyPairId", "InvalidKeyPair.NotFound", "key pair", new Ec2FilterSet<KeyPair>
        {
            ["key-name"] = k => [k.KeyName],
            ["key-pair-id"] = k => [k.Id],
            ["fingerprint"] = k => [k.Fingerprint],
            ["key-type"] = k => [k.KeyType],
        }).Where(k => names.Count == 0 || names.Contains(k.KeyName)).ToList();
        var includePublicKey = r.P.Bool("IncludePublicKey") == true;
        return r.Respond(x => x.List("keySet", keyPairs, (x, k) => x
            .Element("keyPairId", k.Id)
            .Element("keyName", k.KeyName)
            .Element("keyFingerprint", k.Fingerprint)
            .Element("keyType", k.KeyType)
            .Call(Ec2Xml.Tags, k.Tags)
            .Element("publicKey", includePublicKey ? k.PublicKey : null)
            .Element("createTime", k.CreatedAt)));
    }

    private static KeyPair? FindKeyPair(AwsWorld world, string name) => world.All<KeyPair>().FirstOrDefault(k => k.KeyName == name);

    // Deleting a key pair that does not exist succeeds, as in EC2.
    private static LocalAwsResponse DeleteKeyPair(Ec2Request r)
    {
        var keyPair = r.P["KeyPairId"] is { } id ? r.World.Find<KeyPair>(id) : FindKeyPair(r.World, r.P.Required("KeyName"));
        if (keyPair is not null)
            r.World.Remove(keyPair.Id);
        return r.Respond(x => x.Element("return", true).Element("keyPairId", keyPair?.Id));
    }
}
