using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PaletteServerless.Domain.Validation;

/// <summary>Collects every broken rule of a request so the caller can fix them all at once.</summary>
public sealed partial class Rules
{
    /// <summary>Pack values are configuration, never this deep; the bound keeps parsing safe.</summary>
    public const int MaxYamlDepth = 64;

    private readonly List<ValidationError> _errors = [];

    public IReadOnlyList<ValidationError> Errors => _errors;

    public bool IsValid => _errors.Count == 0;

    public void Add(string field, string message) => _errors.Add(new ValidationError(field, message));

    public void ThrowIfInvalid()
    {
        if (_errors.Count > 0)
            throw new Errors.ValidationFailedException(_errors);
    }

    public bool Required(string field, object? value)
    {
        if (value is null || value is string s && string.IsNullOrWhiteSpace(s))
        {
            Add(field, "is required");
            return false;
        }
        return true;
    }

    /// <summary>A DNS label (RFC 1123): lowercase letters, digits and '-', starting and ending alphanumeric.</summary>
    public void DnsLabel(string field, string? value, int minLength, int maxLength)
    {
        if (!Required(field, value))
            return;
        if (value!.Length < minLength || value.Length > maxLength)
            Add(field, $"must be {minLength} to {maxLength} characters long");
        else if (!DnsLabelPattern().IsMatch(value))
            Add(field, "must contain only lowercase letters, digits and '-', and start and end with a letter or digit");
    }

    public void MaxLength(string field, string? value, int maxLength)
    {
        if (value is not null && value.Length > maxLength)
            Add(field, $"must be at most {maxLength} characters long");
    }

    public void Range(string field, long value, long min, long max)
    {
        if (value < min || value > max)
            Add(field, $"must be between {min} and {max}");
    }

    public void OneOf(string field, string? value, params string[] allowed)
    {
        if (value is not null && !allowed.Contains(value, StringComparer.Ordinal))
            Add(field, $"must be one of {string.Join(", ", allowed)}");
    }

    public void Matches(string field, string? value, Regex pattern, string rule)
    {
        if (value is not null && !pattern.IsMatch(value))
            Add(field, rule);
    }

    /// <summary>Semantic versioning 2.0.0: MAJOR.MINOR.PATCH with optional pre-release and build.</summary>
    public void SemVer(string field, string? value)
    {
        if (Required(field, value) && !SemVerPattern().IsMatch(value!))
            Add(field, "must be a semantic version such as 1.2.3");
    }

    /// <summary>YAML text that parses; empty text is an empty document.</summary>
    public void Yaml(string field, string? value, string what)
    {
        if (string.IsNullOrWhiteSpace(value))
            return;
        try
        {
            if (NestingDepth(value) > MaxYamlDepth)
            {
                Add(field, $"{what} nests deeper than {MaxYamlDepth} levels");
                return;
            }
            new YamlStream().Load(new StringReader(value));
        }
        catch (YamlException ex)
        {
            Add(field, $"{what} is not valid YAML (line {ex.Start.Line}, column {ex.Start.Column}): {ex.Message}");
        }
        catch (Exception ex)
        {
            // YamlDotNet also fails with ArgumentException or InvalidOperationException on some malformed
            // text (e.g. "- :", "? {"): whatever the parser throws, the client's text is at fault, so a 400, never a 500.
            Add(field, $"{what} could not be read as YAML: {ex.Message}");
        }
    }

    /// <summary>
    /// How deep collections nest, read from the event stream (the parser keeps its own stack). The
    /// document model recurses per level: "[[[[..." 30,000 deep overflows the stack and kills the process.
    /// </summary>
    private static int NestingDepth(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        int depth = 0, deepest = 0;
        while (parser.MoveNext())
        {
            if (parser.Current is YamlDotNet.Core.Events.SequenceStart or YamlDotNet.Core.Events.MappingStart)
                deepest = Math.Max(deepest, ++depth);
            else if (parser.Current is YamlDotNet.Core.Events.SequenceEnd or YamlDotNet.Core.Events.MappingEnd)
                depth--;
            if (deepest > MaxYamlDepth)
                break;
        }
        return deepest;
    }

    /// <summary>An IPv4 CIDR block whose prefix length is within bounds and whose host bits are zero.</summary>
    public void Ipv4Cidr(string field, string value, int minPrefix, int maxPrefix)
    {
        var parts = value.Split('/');
        // Only canonical dotted decimal: IPAddress also reads "010.0.0.0" as octal (8.0.0.0) and "0x0a..." as hex,
        // which EC2 would read differently or refuse.
        if (parts.Length != 2 || !IPAddress.TryParse(parts[0], out var address)
            || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork
            || address.ToString() != parts[0]
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix)
            || prefix.ToString(CultureInfo.InvariantCulture) != parts[1])
        {
            Add(field, "must be an IPv4 CIDR block such as 10.0.0.0/16");
            return;
        }
        if (prefix < minPrefix || prefix > maxPrefix)
        {
            Add(field, $"must have a prefix length from /{minPrefix} to /{maxPrefix}");
            return;
        }
        var bytes = address.GetAddressBytes();
        var bits = (uint)(bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]);
        var hostMask = prefix == 32 ? 0u : uint.MaxValue >> prefix;
        if ((bits & hostMask) != 0)
            Add(field, $"must be a network address (the host bits of /{prefix} must be zero)");
    }

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?\z")]
    private static partial Regex DnsLabelPattern();

    [GeneratedRegex(@"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?\z")]
    private static partial Regex SemVerPattern();
}
