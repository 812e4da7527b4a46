using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace PaletteServerless.Aws.Clients;

/// <summary>
/// The AWS JSON protocol (1.0 or 1.1): <c>POST /</c> with an <c>X-Amz-Target</c> naming the operation
/// and a JSON body; errors carry their code in <c>__type</c> (or the <c>x-amzn-ErrorType</c> header).
/// </summary>
public sealed class AwsJsonProtocolClient : IDisposable
{
    private readonly AwsHttpTransport _transport;
    private readonly MediaTypeHeaderValue _contentType;

    /// <param name="jsonVersion">"1.0" or "1.1", as the service model's <c>jsonVersion</c> says.</param>
    public AwsJsonProtocolClient(AwsService service, string jsonVersion, AwsClientOptions options)
    {
        _transport = new AwsHttpTransport(service, options);
        _contentType = new MediaTypeHeaderValue($"application/x-amz-json-{jsonVersion}");
    }

    public Uri Endpoint => _transport.Endpoint;

    public async Task<TResponse> InvokeAsync<TRequest, TResponse>(
        string target,
        TRequest request,
        JsonTypeInfo<TRequest> requestType,
        JsonTypeInfo<TResponse> responseType,
        CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(request, requestType);
        var response = await _transport.SendAsync(
            endpoint =>
            {
                var message = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
                message.Content.Headers.ContentType = _contentType;
                message.Headers.Add("X-Amz-Target", target);
                return message;
            },
            ParseError,
            cancellationToken).ConfigureAwait(false);

        // Some operations answer with an empty body; treat it as an empty object.
        var json = response.Body.Length == 0 ? "{}"u8.ToArray() : response.Body;
        return JsonSerializer.Deserialize(json, responseType)
            ?? throw new AwsServiceException("InvalidResponse", $"{target} answered with null", response.StatusCode, response.RequestId);
    }

    public void Dispose() => _transport.Dispose();

    /// <summary>Turns a JSON-protocol error answer into <see cref="AwsServiceException"/>.</summary>
    public static AwsServiceException ParseError(AwsRawResponse response)
    {
        string? code = null;
        string? message = null;
        try
        {
            using var document = JsonDocument.Parse(response.Body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (property.Value.ValueKind != JsonValueKind.String)
                    {
                        continue;
                    }

                    if (property.NameEquals("__type") || property.NameEquals("code"))
                    {
                        code ??= property.Value.GetString();
                    }
                    else if (property.Name.Equals("message", StringComparison.OrdinalIgnoreCase))
                    {
                        message ??= property.Value.GetString();
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's HTML page, say): fall back to the header and the status code.
        }

        code = CleanCode(response.ErrorTypeHeader) ?? CleanCode(code) ?? $"Http{(int)response.StatusCode}";
        return new AwsServiceException(code, message ?? string.Empty, response.StatusCode, response.RequestId);
    }

    // "com.amazonaws.sfn#ExecutionDoesNotExist" and "ThrottlingException:http://internal..." both mean the bare code.
    private static string? CleanCode(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        var code = raw;
        var colon = code.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            code = code[..colon];
        }

        var hash = code.LastIndexOf('#');
        if (hash >= 0)
        {
            code = code[(hash + 1)..];
        }

        return code.Trim();
    }
}
