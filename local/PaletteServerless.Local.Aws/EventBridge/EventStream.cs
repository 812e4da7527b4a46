using System.Runtime.CompilerServices;
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

    /// <summary>The events published from now on, until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async IAsyncEnumerable<string> Subscribe([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(BufferPerSubscriber)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (_sync)
            _subscribers.Add(channel);
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
