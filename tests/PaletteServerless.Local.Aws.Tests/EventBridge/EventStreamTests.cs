using System.Text;
using PaletteServerless.Local.Aws.EventBridge;

namespace PaletteServerless.Local.Aws.Tests.EventBridge;

public class EventStreamTests
{
    [Fact]
    public async Task Server_sent_events_carry_each_published_event_until_cancelled()
    {
        var stream = new EventStream();
        var body = new RecordingStream();
        using var stop = new CancellationTokenSource();

        var writing = stream.WriteServerSentEventsAsync(body, stop.Token);
        await body.WaitForAsync(": subscribed\n\n");
        stream.Publish("""{"id":"1"}""");
        stream.Publish("""{"id":"2"}""");
        await body.WaitForAsync("""data: {"id":"2"}""");
        await stop.CancelAsync();

        await writing.WaitAsync(TimeSpan.FromSeconds(60));
        body.Text.Should().Be(": subscribed\n\nevent: aws-event\ndata: {\"id\":\"1\"}\n\nevent: aws-event\ndata: {\"id\":\"2\"}\n\n");
        stream.SubscriberCount.Should().Be(0);
    }

    [Fact]
    public void A_subscription_starts_when_it_is_made_and_ends_with_its_cancellation()
    {
        var stream = new EventStream();
        using var stop = new CancellationTokenSource();

        _ = stream.Subscribe(stop.Token);
        stream.SubscriberCount.Should().Be(1);
        stop.Cancel();

        stream.SubscriberCount.Should().Be(0);
    }

    /// <summary>A write-only stream that remembers what was written and lets a test wait for it.</summary>
    private sealed class RecordingStream : MemoryStream
    {
        private readonly SemaphoreSlim _written = new(0);

        public string Text
        {
            get
            {
                lock (this)
                    return Encoding.UTF8.GetString(ToArray());
            }
        }

        public override async Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            lock (this)
                Write(buffer, offset, count);
            _written.Release();
            await Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            lock (this)
                Write(buffer.Span);
            _written.Release();
            return ValueTask.CompletedTask;
        }

        public async Task WaitForAsync(string text)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (!Text.Contains(text, StringComparison.Ordinal))
                await _written.WaitAsync(timeout.Token);
        }
    }
}
