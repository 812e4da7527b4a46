using System.Security;
using System.Text.Json;

namespace PaletteServerless.Local.Aws.Core;

/// <summary>How a service writes its errors on the wire.</summary>
public enum AwsErrorStyle
{
    /// <summary><c>&lt;Response&gt;&lt;Errors&gt;&lt;Error&gt;&lt;Code/&gt;&lt;Message/&gt;...&lt;RequestID/&gt;</c></summary>
    Ec2,
    /// <summary><c>&lt;ErrorResponse&gt;&lt;Error&gt;&lt;Type/&gt;&lt;Code/&gt;&lt;Message/&gt;...&lt;RequestId/&gt;</c> (ELBv2, STS)</summary>
    Query,
    /// <summary><c>{"__type":"Code","message":"..."}</c> (JSON 1.0 and 1.1)</summary>
    Json,
    /// <summary><c>&lt;Error&gt;&lt;Code/&gt;&lt;Message/&gt;...&lt;RequestId/&gt;&lt;HostId/&gt;&lt;/Error&gt;</c> (S3); a HEAD request's error has no body.</summary>
    S3,
}

/// <summary>Writes an <see cref="AwsErrorException"/> in each protocol's error format.</summary>
public static class AwsErrors
{
    public static LocalAwsResponse Format(AwsErrorException error, AwsErrorStyle style, string requestId, string? xmlNamespace = null, string jsonContentType = "application/x-amz-json-1.1") =>
        style switch
        {
            AwsErrorStyle.Ec2 => Ec2(error, requestId),
            AwsErrorStyle.Query => Query(error, requestId, xmlNamespace),
            AwsErrorStyle.S3 => S3(error, requestId),
            _ => Json(error, requestId, jsonContentType),
        };

    public static LocalAwsResponse Ec2(AwsErrorException error, string requestId) =>
        LocalAwsResponse.Xml(error.StatusCode,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error>"
            + $"<Code>{Escape(error.Code)}</Code><Message>{Escape(error.Message)}</Message>"
            + $"</Error></Errors><RequestID>{requestId}</RequestID></Response>",
            requestId);

    public static LocalAwsResponse Query(AwsErrorException error, string requestId, string? xmlNamespace) =>
        LocalAwsResponse.Xml(error.StatusCode,
            (xmlNamespace is null ? "<ErrorResponse>" : $"<ErrorResponse xmlns=\"{xmlNamespace}\">")
            + $"<Error><Type>{(error.IsSenderFault ? "Sender" : "Receiver")}</Type>"
            + $"<Code>{Escape(error.Code)}</Code><Message>{Escape(error.Message)}</Message></Error>"
            + $"<RequestId>{requestId}</RequestId></ErrorResponse>",
            requestId);

    /// <summary>S3's error document; <see cref="AwsErrorException.Details"/> adds members such as BucketName or Key.</summary>
    public static LocalAwsResponse S3(AwsErrorException error, string requestId)
    {
        var details = string.Concat(error.Details.Select(d => $"<{d.Key}>{Escape(d.Value)}</{d.Key}>"));
        var response = LocalAwsResponse.Xml(error.StatusCode,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>"
            + $"<Code>{Escape(error.Code)}</Code><Message>{Escape(error.Message)}</Message>{details}"
            + $"<RequestId>{requestId}</RequestId><HostId>{requestId}</HostId></Error>",
            requestId);
        return response with { ContentType = "application/xml" };
    }

    public static LocalAwsResponse Json(AwsErrorException error, string requestId, string contentType)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["__type"] = error.Code,
            ["message"] = error.Message,
        });
        return LocalAwsResponse.Json(error.StatusCode, contentType, body, requestId,
            new Dictionary<string, string> { ["x-amzn-ErrorType"] = error.Code });
    }

    public static string Escape(string text) => SecurityElement.Escape(text) ?? "";
}
