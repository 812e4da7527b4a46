using System.Text;

namespace PaletteServerless.Local.Aws.Core;

/// <summary>One HTTP response for the edge to write back as is.</summary>
public sealed record LocalAwsResponse(
    int StatusCode,
    string ContentType,
    byte[] Body,
    IReadOnlyDictionary<string, string> Headers)
{
    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();

    public static LocalAwsResponse Xml(int statusCode, string xml, string requestId) =>
        new(statusCode, "text/xml;charset=UTF-8", Encoding.UTF8.GetBytes(xml), RequestIdHeaders(requestId));

    public static LocalAwsResponse Json(int statusCode, string contentType, byte[] body, string requestId, IReadOnlyDictionary<string, string>? extra = null)
    {
        var headers = new Dictionary<string, string>(RequestIdHeaders(requestId));
        foreach (var (name, value) in extra ?? NoHeaders)
            headers[name] = value;
        return new LocalAwsResponse(statusCode, contentType, body, headers);
    }

    public string BodyText => Encoding.UTF8.GetString(Body);

    private static Dictionary<string, string> RequestIdHeaders(string requestId) =>
        new() { ["x-amzn-RequestId"] = requestId, ["x-amz-request-id"] = requestId };
}
