using System.Collections.Concurrent;
using System.Net;

namespace PaletteServerless.Aws.Tests.Clients;

/// <summary>A request exactly as it arrived on the loopback socket.</summary>
public sealed record RecordedRequest(string Method, string RawUrl, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string BodyText => System.Text.Encoding.UTF8.GetString(Body);

    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"header {name} not sent");
}

/// <summary>A canned answer: status, body and extra headers.</summary>
public sealed record CannedResponse(int StatusCode, string Body, string ContentType = "application/x-amz-json-1.0", IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>
/// An <see cref="HttpListener"/> on 127.0.0.1 that records every request and answers from a queue,
/// so tests see the real bytes our clients put on the wire.
/// </summary>
public sealed class LoopbackAwsServer : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly ConcurrentQueue<CannedResponse> _responses = new();
    private readonly Task _loop;

    public LoopbackAwsServer()
    {
        _listener = PaletteServerless.Testing.LoopbackHttpListener.Start();
        Endpoint = PaletteServerless.Testing.LoopbackHttpListener.Url(_listener);
        _loop = Task.Run(ServeAsync);
    }

    public Uri Endpoint { get; }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public LoopbackAwsServer Enqueue(CannedResponse response)
    {
        _responses.Enqueue(response);
        return this;
    }

    public async ValueTask DisposeAsync()
    {
        // Close alone: Stop then Close removes the endpoint twice, and the second removal rebinds
        // the port for a moment ("Address already in use" when another test took it meanwhile).
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (HttpListenerException)
        {
            // The listener was stopped while waiting for a request: the normal way out.
        }
        catch (ObjectDisposedException)
        {
            // Same, reported differently depending on timing.
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            var context = await _listener.GetContextAsync();
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var headers = context.Request.Headers.AllKeys
                .Where(key => key is not null)
                .ToDictionary(key => key!, key => context.Request.Headers[key]!, StringComparer.OrdinalIgnoreCase);
            Requests.Enqueue(new RecordedRequest(context.Request.HttpMethod, context.Request.RawUrl ?? "/", headers, body.ToArray()));

            var canned = _responses.TryDequeue(out var next) ? next : new CannedResponse(500, "{\"__type\":\"NoCannedResponse\"}");
            var bytes = System.Text.Encoding.UTF8.GetBytes(canned.Body);
            context.Response.StatusCode = canned.StatusCode;
            context.Response.ContentType = canned.ContentType;
            foreach (var (name, value) in canned.Headers ?? new Dictionary<string, string>())
            {
                context.Response.Headers[name] = value;
            }

            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }
}
