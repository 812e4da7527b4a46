using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;

namespace PaletteServerless.Local.Aws.EventBridge;

/// <summary>
/// Every event put on any bus, as its EventBridge JSON envelope, for live readers such as the
/// local stack's <c>/local/events</c> server-sent events. A reader that falls behind loses its
/// oldest unread events rather than slowing PutEvents down.
/// </summary>
public sealed class EventStream
{
    private const int BufferPerSubscriber = 1000;
    private readonly Lock _sync = new();
    private readonly List<Channel<string>> _subscribers = [];

    /// <summary>Raised for every event, after it is queued to subscribers.</summary>
    public event Action<string>? Published;

    public int SubscriberCount
    {
        get
        {
            lock (_sync)
                return _subscribers.Count;
        }
    }

    public void Publish(string eventJson)
    {
        lock (_sync)
        {
            foreach (var subscriber in _subscribers)
                subscriber.Writer.TryWrite(eventJson);
        }
        Published?.Invoke(eventJson);
    }

    /// <summary>
    /// Writes every event published from now on to <paramref name="body"/> as server-sent events
    /// (<c>event: aws-event</c>, <c>data: {json}</c>, blank line), flushing each; returns when <paramref name="cancellationToken"/> is cancelled.
    /// This is the body of <c>GET /local/events</c> (content type <c>text/event-stream</c>).
    /// </summary>
    public async Task WriteServerSentEventsAsync(Stream body, CancellationToken cancellationToken)
    {
        var events = Subscribe(cancellationToken);
        // A comment line first, so the client sees the stream open before the first event.
        await body.WriteAsync(": subscribed\n\n"u8.ToArray(), cancellationToken);
        await body.FlushAsync(cancellationToken);
        await foreach (var evt in events)
        {
            await body.WriteAsync(Encoding.UTF8.GetBytes($"event: aws-event\ndata: {evt}\n\n"), cancellationToken);
            await body.FlushAsync(cancellationToken);
        }
    }

    /// <summary>
    /// The events published from the moment of this call on (the subscription starts here, not at
    /// the first read), until <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public IAsyncEnumerable<string> Subscribe(CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(BufferPerSubscriber)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (_sync)
            _subscribers.Add(channel);
        // Unsubscribe on cancellation even if the caller never reads.
        cancellationToken.Register(() =>
        {
            lock (_sync)
                _subscribers.Remove(channel);
            channel.Writer.TryComplete();
        });
        return ReadAsync(channel, cancellationToken);
    }

    private async IAsyncEnumerable<string> ReadAsync(Channel<string> channel, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                string next;
                try
                {
                    if (!await channel.Reader.WaitToReadAsync(cancellationToken))
                        yield break;
                    if (!channel.Reader.TryRead(out next!))
                        continue;
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }
                yield return next;
            }
        }
        finally
        {
            lock (_sync)
                _subscribers.Remove(channel);
        }
    }
}
