using System.Globalization;
using System.Text;

namespace PaletteServerless.Local.Aws.Core;

/// <summary>
/// Writes the XML of query-protocol responses. Elements with a null value are left out, as AWS
/// leaves out members it has no value for; SDK parsers treat a missing member as null.
/// </summary>
public sealed class XmlBuilder
{
    private readonly StringBuilder _xml = new();
    private readonly Stack<string> _open = new();

    public XmlBuilder Open(string name, string? xmlNamespace = null)
    {
        _xml.Append('<').Append(name);
        if (xmlNamespace is not null)
            _xml.Append(" xmlns=\"").Append(xmlNamespace).Append('"');
        _xml.Append('>');
        _open.Push(name);
        return this;
    }

    public XmlBuilder Close()
    {
        _xml.Append("</").Append(_open.Pop()).Append('>');
        return this;
    }

    public XmlBuilder Element(string name, string? value)
    {
        if (value is not null)
            _xml.Append('<').Append(name).Append('>').Append(AwsErrors.Escape(value)).Append("</").Append(name).Append('>');
        return this;
    }

    public XmlBuilder Element(string name, int? value) => Element(name, value?.ToString(CultureInfo.InvariantCulture));

    public XmlBuilder Element(string name, long? value) => Element(name, value?.ToString(CultureInfo.InvariantCulture));

    public XmlBuilder Element(string name, double? value) => Element(name, value?.ToString(CultureInfo.InvariantCulture));

    public XmlBuilder Element(string name, bool? value) => Element(name, value is null ? null : value.Value ? "true" : "false");

    /// <summary>ISO 8601 in UTC with milliseconds, as AWS writes timestamps.</summary>
    public XmlBuilder Element(string name, DateTimeOffset? value) =>
        Element(name, value?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));

    /// <summary>A list wrapped in <paramref name="name"/>, each entry in <paramref name="itemName"/> (EC2: <c>item</c>, ELBv2: <c>member</c>).</summary>
    public XmlBuilder List<T>(string name, IEnumerable<T> items, Action<XmlBuilder, T> writeItem, string itemName = "item")
    {
        Open(name);
        foreach (var item in items)
        {
            Open(itemName);
            writeItem(this, item);
            Close();
        }
        return Close();
    }

    /// <summary>A list of plain values (<c>&lt;set&gt;&lt;item&gt;value&lt;/item&gt;&lt;/set&gt;</c>).</summary>
    public XmlBuilder ValueList(string name, IEnumerable<string> values, string itemName = "item")
    {
        Open(name);
        foreach (var value in values)
            Element(itemName, value);
        return Close();
    }

    /// <summary>Runs a shared writer inline, to keep chains readable (<c>.Call(WriteTags, tags)</c>).</summary>
    public XmlBuilder Call<T>(Action<XmlBuilder, T> write, T value)
    {
        write(this, value);
        return this;
    }

    /// <summary>Raw, already-escaped XML.</summary>
    public XmlBuilder Raw(string xml)
    {
        _xml.Append(xml);
        return this;
    }

    public override string ToString() => _xml.ToString();
}

/// <summary>The envelopes of query-protocol responses.</summary>
public static class QueryResponses
{
    /// <summary>
    /// EC2: <c>&lt;ActionResponse xmlns="..."&gt;&lt;requestId/&gt;...members...&lt;/ActionResponse&gt;</c>.
    /// </summary>
    public static LocalAwsResponse Ec2(string action, string xmlNamespace, string requestId, Action<XmlBuilder> writeMembers)
    {
        var xml = new XmlBuilder().Raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
            .Open(action + "Response", xmlNamespace)
            .Element("requestId", requestId);
        writeMembers(xml);
        return LocalAwsResponse.Xml(200, xml.Close().ToString(), requestId);
    }

    /// <summary>
    /// ELBv2, STS: <c>&lt;ActionResponse xmlns="..."&gt;&lt;ActionResult&gt;...&lt;/ActionResult&gt;&lt;ResponseMetadata&gt;&lt;RequestId/&gt;...</c>.
    /// </summary>
    public static LocalAwsResponse Query(string action, string xmlNamespace, string requestId, Action<XmlBuilder> writeResult)
    {
        var xml = new XmlBuilder()
            .Open(action + "Response", xmlNamespace)
            .Open(action + "Result");
        writeResult(xml);
        xml.Close().Open("ResponseMetadata").Element("RequestId", requestId).Close();
        return LocalAwsResponse.Xml(200, xml.Close().ToString(), requestId);
    }
}
