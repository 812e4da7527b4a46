using System.Collections.Concurrent;
using System.Text;
using Newtonsoft.Json.Linq;

namespace PaletteServerless.Local.StepFunctions.Tests;

/// <summary>Lambda handlers the engine loads by handler string, as the .NET runtime would.</summary>
public sealed class TestFunctions
{
    public const string Assembly = "PaletteServerless.Local.StepFunctions.Tests";
    public const string Type = "PaletteServerless.Local.StepFunctions.Tests.TestFunctions";

    public static string Handler(string method) => $"{Assembly}::{Type}::{method}";

    /// <summary>Invocations per "key" field of the input, for handlers that fail a given number of times.</summary>
    public static readonly ConcurrentDictionary<string, int> Calls = new();

    private static JToken Read(Stream input)
    {
        using var reader = new StreamReader(input, Encoding.UTF8);
        return JToken.Parse(reader.ReadToEnd());
    }

    private static Stream Write(JToken output) => new MemoryStream(Encoding.UTF8.GetBytes(output.ToString(Newtonsoft.Json.Formatting.None)));

    public Task<Stream> Echo(Stream input) => Task.FromResult(Write(Read(input)));

    public Task<Stream> Add(Stream input)
    {
        var numbers = (JArray)Read(input);
        return Task.FromResult(Write(new JValue(numbers.Sum(n => (long)n))));
    }

    public Task<Stream> Fail(Stream input) => throw new InvalidOperationException("boom");

    /// <summary>Fails with TimeoutException until called "failures" times for the same "key", then echoes.</summary>
    public Task<Stream> FailThenSucceed(Stream input)
    {
        var request = Read(input);
        var calls = Calls.AddOrUpdate((string)request["key"]!, 1, (_, n) => n + 1);
        if (calls <= (int)request["failures"]!)
            throw new TimeoutException($"attempt {calls}");
        return Task.FromResult(Write(new JObject { ["attempts"] = calls }));
    }

    public Task<Stream> ReadEnvironment(Stream input)
    {
        var name = (string)Read(input)["variable"]!;
        return Task.FromResult(Write(new JObject { ["value"] = Environment.GetEnvironmentVariable(name) }));
    }

    private static int _running;

    /// <summary>The most calls of <see cref="Concurrent"/> that ever overlapped.</summary>
    public static int MostConcurrent;

    /// <summary>The inputs of <see cref="RecordOrder"/>, in the order the calls began.</summary>
    public static readonly ConcurrentQueue<string> Began = new();

    /// <summary>Records its input as it begins, then takes a little real time.</summary>
    public async Task<Stream> RecordOrder(Stream input)
    {
        var value = Read(input);
        Began.Enqueue(value.ToString(Newtonsoft.Json.Formatting.None));
        await Task.Delay(5);
        return Write(value);
    }

    /// <summary>Takes a little real time, counting how many calls overlap.</summary>
    public async Task<Stream> Concurrent(Stream input)
    {
        var now = Interlocked.Increment(ref _running);
        int seen;
        while ((seen = MostConcurrent) < now && Interlocked.CompareExchange(ref MostConcurrent, now, seen) != seen)
        {
        }
        await Task.Delay(20);
        Interlocked.Decrement(ref _running);
        return Write(Read(input));
    }

    private readonly string _instanceId = Guid.NewGuid().ToString();

    /// <summary>Answers with the identity of the handler instance, after a little real time.</summary>
    public async Task<Stream> WhoAmI(Stream input)
    {
        await Task.Delay(50);
        return Write(new JValue(_instanceId));
    }

    /// <summary>Never answers, for timeouts.</summary>
    public Task<Stream> Hang(Stream input) => new TaskCompletionSource<Stream>().Task;

    public Task<Stream> NotJson(Stream input) => Task.FromResult<Stream>(new MemoryStream(Encoding.UTF8.GetBytes("plain text")));
}
