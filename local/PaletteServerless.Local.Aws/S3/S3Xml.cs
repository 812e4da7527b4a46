using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.S3;

/// <summary>S3's XML: request documents read whatever their namespace, responses in S3's namespace.</summary>
public static class S3Xml
{
    public const string Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

    public static AwsErrorException Malformed() =>
        new("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema");

    /// <summary>The root element of a request body, which must be <paramref name="rootName"/>.</summary>
    public static XElement Parse(byte[] payload, string rootName)
    {
        XElement root;
        try
        {
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
            using var reader = XmlReader.Create(new MemoryStream(payload), settings);
            root = XElement.Load(reader);
        }
        catch (XmlException)
        {
            throw Malformed();
        }
        return root.Name.LocalName == rootName ? root : throw Malformed();
    }

    public static IEnumerable<XElement> Children(this XElement element, string name) =>
        element.Elements().Where(e => e.Name.LocalName == name);

    public static XElement? Child(this XElement element, string name) => element.Children(name).FirstOrDefault();

    public static string? ChildText(this XElement element, string name) => element.Child(name)?.Value;

    /// <summary>A boolean member: absent is false; anything but true/false is malformed.</summary>
    public static bool ChildBool(this XElement element, string name) => element.ChildText(name)?.Trim() switch
    {
        null or "false" => false,
        "true" => true,
        _ => throw Malformed(),
    };

    /// <summary>Tags of a <c>TagSet</c> or of <c>Tag</c> elements, checked as S3 checks tag sets.</summary>
    public static Dictionary<string, string> Tags(IEnumerable<XElement> tagElements, int maxTags)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in tagElements)
        {
            var key = tag.ChildText("Key") ?? throw Malformed();
            var value = tag.ChildText("Value") ?? throw Malformed();
            if (key.Length is 0 or > 128 || value.Length > 256)
                throw new AwsErrorException("InvalidTag", "The TagKey you have provided is invalid");
            if (key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
                throw new AwsErrorException("InvalidTag", "System tags cannot be added/updated by requester");
            if (!tags.TryAdd(key, value))
                throw new AwsErrorException("InvalidTag", "Cannot provide multiple Tags with the same key");
        }
        if (tags.Count > maxTags)
            throw new AwsErrorException("BadRequest", $"Object tags cannot be greater than {maxTags}");
        return tags;
    }

    public static LocalAwsResponse Ok(XmlBuilder xml, string requestId, int status = 200)
    {
        var text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + xml;
        return new LocalAwsResponse(status, "application/xml", Encoding.UTF8.GetBytes(text), Headers(requestId));
    }

    public static LocalAwsResponse Empty(string requestId, int status = 200, IReadOnlyDictionary<string, string>? headers = null)
    {
        var all = Headers(requestId);
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            all[name] = value;
        return new LocalAwsResponse(status, "application/xml", [], all);
    }

    public static Dictionary<string, string> Headers(string requestId) =>
        new(StringComparer.OrdinalIgnoreCase) { ["x-amz-request-id"] = requestId, ["x-amz-id-2"] = requestId };

    /// <summary>ISO 8601 with milliseconds, as S3 writes LastModified and CreationDate in XML.</summary>
    public static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>RFC 1123, as S3 writes Last-Modified headers.</summary>
    public static string HttpDate(DateTimeOffset at) => at.UtcDateTime.ToString("R", CultureInfo.InvariantCulture);
}
