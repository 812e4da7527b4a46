using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace PaletteServerless.Domain.Validation;

/// <summary>Collects every broken rule of a request so the caller can fix them all at once.</summary>
public sealed partial class Rules
{
    /// <summary>Pack values are configuration, never this deep; the bound keeps parsing safe.</summary>
    public const int MaxYamlDepth = 64;

    /// <summary>How the product reads values into maps and lists (the user data merges them so): what it cannot read is refused here.</summary>
    private static readonly YamlDotNet.Serialization.IDeserializer ValuesReader = new YamlDotNet.Serialization.DeserializerBuilder().Build();

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

    /// <summary>
    /// One YAML document that parses, with no anchor, alias, merge key or tag; empty text is an empty document. Returns
    /// whether it is such YAML, so a caller reads it further only then.
    /// </summary>
    public bool Yaml(string field, string? value, string what)
    {
        if (string.IsNullOrWhiteSpace(value))
            return true;
        try
        {
            if (Unreadable(value) is { } problem)
            {
                Add(field, $"{what} {problem}");
                return false;
            }
            // The document model refuses duplicate keys; the reader the user data is made with refuses a null key.
            new YamlStream().Load(new StringReader(value));
            ValuesReader.Deserialize<object?>(value);
            return true;
        }
        catch (YamlException ex)
        {
            var cause = ex.InnerException is { } inner ? $"{ex.Message}: {inner.Message}" : ex.Message;
            Add(field, $"{what} is not valid YAML (line {ex.Start.Line}, column {ex.Start.Column}): {cause}");
        }
        catch (Exception ex)
        {
            // YamlDotNet also fails with ArgumentException or InvalidOperationException on some malformed
            // text (e.g. "- :", "? {"): whatever the parser throws, the client's text is at fault, so a 400, never a 500.
            Add(field, $"{what} could not be read as YAML: {ex.Message}");
        }
        return false;
    }

    /// <summary>
    /// What makes YAML unfit to be read any further, judged on the parser's events alone (nothing is built,
    /// so nothing is expanded or recursed into), or null. Collections nested deeper than <see cref="MaxYamlDepth"/>:
    /// the document model recurses per level, and "[[[[..." 30,000 deep overflows the stack and kills the process.
    /// Anchors, aliases and merge keys (<c>&amp;a</c>, <c>*a</c>, <c>&lt;&lt;:</c>): every reader that builds
    /// values expands them, so a few lines of aliases of aliases ("billion laughs") become gigabytes in
    /// whatever reads them next (the merge the user data is made with, the node's readers); values are written out instead.
    /// Tags and further documents: readers fail on them (an unknown tag, a second document) after validation.
    /// The first such event ends the reading, before the rest of the text is parsed.
    /// </summary>
    private static string? Unreadable(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        // Per open collection: whether it is a mapping, and how many nodes it holds so far (in a mapping, even ones are keys).
        var open = new Stack<(bool Mapping, int Nodes)>();
        var documents = 0;
        while (parser.MoveNext())
        {
            var current = parser.Current;
            var line = current!.Start.Line;
            if (current is AnchorAlias alias)
                return $"uses the YAML alias *{alias.Value} (line {line}): anchors, aliases and merge keys are not accepted; write the values out";
            if (current is NodeEvent node)
            {
                if (!node.Anchor.IsEmpty)
                    return $"defines the YAML anchor &{node.Anchor} (line {line}): anchors, aliases and merge keys are not accepted; write the values out";
                var isKey = open.Count > 0 && open.Peek().Mapping && open.Peek().Nodes % 2 == 0;
                if (!node.Tag.IsEmpty && node.Tag.Value == "tag:yaml.org,2002:merge" || isKey && node is Scalar { Value: "<<" })
                    return $"uses the YAML merge key << (line {line}): anchors, aliases and merge keys are not accepted; write the values out";
                // A tag asks the reader to make a type of it: unknown ones (!foo, !!python/...) or ones that do not
                // fit (!!int x) fail whatever reads the values later, far from this field.
                if (!node.Tag.IsEmpty)
                    return $"uses the YAML tag {node.Tag.Value} (line {line}): tags are not accepted; write plain values (quote a string)";
            }
            if (current is DocumentStart && ++documents > 1)
                return $"holds more than one YAML document (line {line}): pack values are one document";
            if (current is NodeEvent && open.Count > 0)
            {
                var (mapping, nodes) = open.Pop();
                open.Push((mapping, nodes + 1));
            }
            if (current is SequenceStart or MappingStart)
            {
                open.Push((current is MappingStart, 0));
                if (open.Count > MaxYamlDepth)
                    return $"nests deeper than {MaxYamlDepth} levels";
            }
            else if (current is SequenceEnd or MappingEnd)
            {
                open.Pop();
            }
        }
        return null;
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
