using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.Ssm;

/// <summary>
/// A Parameter Store parameter with its history. Its id is its ARN, so it cannot meet another
/// service's ids in the world. A SecureString's values are kept only as ciphertext.
/// </summary>
public sealed class SsmParameter : AwsResource
{
    public const string ResourceType = "ssm:parameter";

    public string Name { get; set; } = "";

    /// <summary>String, StringList or SecureString; fixed at creation, as AWS keeps it.</summary>
    public string ParameterType { get; set; } = "String";

    public string? Description { get; set; }

    /// <summary>Standard or Advanced.</summary>
    public string Tier { get; set; } = "Standard";

    public string DataType { get; set; } = "text";

    /// <summary>Every version, oldest first; the last one is current.</summary>
    public List<SsmParameterVersion> Versions { get; set; } = [];

    public SsmParameterVersion Current => Versions[^1];
}

/// <summary>
/// One version of a parameter. <see cref="Value"/> is the plain value of a String or StringList
/// and the base64 ciphertext of a SecureString.
/// </summary>
public sealed record SsmParameterVersion(long Version, string Value, string? KeyId, DateTimeOffset LastModifiedDate, string? Description);
