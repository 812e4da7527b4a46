using System.Net.Http.Headers;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace PaletteServerless.Aws.Clients;

/// <summary>
/// The AWS query protocol: a form POST of <c>Action</c>, <c>Version</c> and flattened parameters,
/// answered with XML. Errors come as <c>&lt;ErrorResponse&gt;&lt;Error&gt;</c> (ELBv2, STS) or
/// <c>&lt;Response&gt;&lt;Errors&gt;&lt;Error&gt;</c> (EC2); both are understood.
/// </summary>
public sealed class AwsQueryProtocolClient : IDisposable
{
    private static readonly MediaTypeHeaderValue FormContentType = new("application/x-www-form-urlencoded") { CharSet = "utf-8" };
    private readonly AwsHttpTransport _transport;
    private readonly string _apiVersion;

    public AwsQueryProtocolClient(AwsService service, string apiVersion, AwsClientOptions options)
    {
        _transport = new AwsHttpTransport(service, options);
        _apiVersion = apiVersion;
    }

    public Uri Endpoint => _transport.Endpoint;

    /// <summary>
    /// Calls <paramref name="action"/> and returns its <c>&lt;ActionResult&gt;</c> element (an empty
    /// element when the operation has no result). Parameters are sent in the order given.
    /// </summary>
    public async Task<XElement> InvokeAsync(string action, IEnumerable<KeyValuePair<string, string>> parameters, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(EncodeForm(action, _apiVersion, parameters));
        var response = await _transport.SendAsync(
            endpoint =>
            {
                var message = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
                message.Content.Headers.ContentType = FormContentType;
                return message;
            },
            ParseError,
            cancellationToken).ConfigureAwait(false);

        var root = LoadXml(response.Body)?.Root
            ?? throw new AwsServiceException("InvalidResponse", $"{action} answered without XML", response.StatusCode, response.RequestId);
        return root.Elements().FirstOrDefault(e => e.Name.LocalName == action + "Result") ?? new XElement(action + "Result");
    }

    public void Dispose() => _transport.Dispose();

    /// <summary>Form-encodes the parameters with RFC 3986 escaping, as the AWS SDKs send them.</summary>
    public static string EncodeForm(string action, string apiVersion, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var form = new StringBuilder();
        form.Append("Action=").Append(Uri.EscapeDataString(action));
        form.Append("&Version=").Append(Uri.EscapeDataString(apiVersion));
        foreach (var (name, value) in parameters)
        {
            form.Append('&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }

        return form.ToString();
    }

    /// <summary>Turns a query-protocol error answer into <see cref="AwsServiceException"/>.</summary>
    public static AwsServiceException ParseError(AwsRawResponse response)
    {
        var document = LoadXml(response.Body);
        var error = document?.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
        var code = Child(error, "Code") ?? $"Http{(int)response.StatusCode}";
        var message = Child(error, "Message") ?? string.Empty;
        var requestId = document?.Descendants().FirstOrDefault(e => e.Name.LocalName is "RequestId" or "RequestID")?.Value ?? response.RequestId;
        return new AwsServiceException(code, message, response.StatusCode, requestId);
    }

    /// <summary>The text of the child named <paramref name="localName"/>, whatever its XML namespace.</summary>
    public static string? Child(XElement? parent, string localName) =>
        parent?.Elements().FirstOrDefault(e => e.Name.LocalName == localName)?.Value;

    private static XDocument? LoadXml(byte[] body)
    {
        if (body.Length == 0)
        {
            return null;
        }

        try
        {
            using var stream = new MemoryStream(body);
            return XDocument.Load(stream);
        }
        catch (XmlException)
        {
            return null;
        }
    }
}
