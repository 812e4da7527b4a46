using System.Collections.Concurrent;
using System.Reflection;
using Newtonsoft.Json.Linq;
using PaletteServerless.Local.StepFunctions.Language;

namespace PaletteServerless.Local.StepFunctions.Resources;

/// <summary>
/// Lambda functions run in this process, the way the managed .NET runtime runs a class-library
/// handler "Assembly::Namespace.Type::Method": the type is created with its public parameterless
/// constructor and <c>Task&lt;Stream&gt; Method(Stream)</c> gets the UTF-8 JSON payload. Like Lambda's
/// execution environments, an instance serves one invocation at a time and is kept warm for the
/// next; overlapping invocations get instances of their own. Serves bare function ARNs and
/// <c>arn:aws:states:::lambda:invoke</c>.
/// </summary>
public sealed class LambdaRegistry : ITaskResource
{
    public const string InvokeIntegration = "arn:aws:states:::lambda:invoke";

    private sealed record Function(string Arn, Type Type, MethodInfo Method, ConcurrentBag<object> Idle);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Function> _functionsByName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Value, string FunctionArn)> _appliedEnvironment = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FunctionCredentials> _credentialsByName = new(StringComparer.Ordinal);
    private static readonly AsyncLocal<FunctionCredentials?> Invoking = new();

    /// <summary>
    /// The credentials of the function whose invocation the caller runs in, or null outside any.
    /// Lambda gives every function its execution role's credentials in its own environment; the
    /// functions here share one process, so the credentials flow with the invocation instead (the
    /// local stack's credential provider reads them here).
    /// </summary>
    public static FunctionCredentials? CurrentCredentials => Invoking.Value;

    /// <summary>Makes a function's invocations act with <paramref name="credentials"/> (its execution role's session).</summary>
    public void SetCredentials(string functionNameOrArn, FunctionCredentials credentials)
    {
        lock (_lock)
            _credentialsByName[FunctionName(functionNameOrArn)] = credentials;
    }

    /// <summary>
    /// Registers a function. Its environment variables are applied to this process now, because
    /// handlers read configuration from process environment variables and every in-process function
    /// shares the one process: two functions that need different values for one variable cannot
    /// both be served, so such a registration is refused instead of silently changing the other.
    /// </summary>
    public void Register(string functionArn, string handler, IReadOnlyDictionary<string, string>? environment = null)
    {
        var name = FunctionName(functionArn);
        lock (_lock)
        {
            foreach (var (variable, value) in environment ?? new Dictionary<string, string>())
                if (_appliedEnvironment.TryGetValue(variable, out var earlier) && earlier.Value != value)
                    throw new InvalidOperationException(
                        $"Function {functionArn} needs {variable}={value}, but {earlier.FunctionArn} already set it to {earlier.Value}; in-process functions share one environment.");
            foreach (var (variable, value) in environment ?? new Dictionary<string, string>())
            {
                _appliedEnvironment[variable] = (value, functionArn);
                Environment.SetEnvironmentVariable(variable, value);
            }
            // Created after its environment is in place: a handler's constructor reads its configuration, as on a cold start.
            var (instance, method) = ResolveHandler(handler);
        var idle = new ConcurrentBag<object> { instance };
            _functionsByName[name] = new Function(functionArn, method.DeclaringType!, method, idle);
        }
    }

    public bool Handles(string resource) =>
        resource == InvokeIntegration || resource.StartsWith("arn:aws:lambda:", StringComparison.Ordinal);

    public async Task<JToken> InvokeAsync(TaskRequest request, CancellationToken ct)
    {
        if (request.Resource != InvokeIntegration)
        {
            var output = await InvokeAsync(request.Resource, JsonText.Print(request.Parameters), ct);
            return ParseOutput(output);
        }

        if (request.Parameters["FunctionName"] is not { Type: JTokenType.String } functionName)
            throw new StatesException("States.Runtime", "The field 'FunctionName' is required for lambda:invoke.");
        var payload = request.Parameters["Payload"] is { } given ? JsonText.Print(given) : "{}";
        var result = await InvokeAsync((string)functionName!, payload, ct);
        var requestId = Guid.NewGuid().ToString();
        var date = request.Now.ToString("R");
        var length = System.Text.Encoding.UTF8.GetByteCount(result).ToString(System.Globalization.CultureInfo.InvariantCulture);
        // AWS's result shape for the optimized Lambda integration.
        return new JObject
        {
            ["ExecutedVersion"] = "$LATEST",
            ["Payload"] = ParseOutput(result),
            ["SdkHttpMetadata"] = new JObject
            {
                ["AllHttpHeaders"] = new JObject
                {
                    ["X-Amz-Executed-Version"] = new JArray("$LATEST"),
                    ["x-amzn-Remapped-Content-Length"] = new JArray("0"),
                    ["Connection"] = new JArray("keep-alive"),
                    ["x-amzn-RequestId"] = new JArray(requestId),
                    ["Content-Length"] = new JArray(length),
                    ["Date"] = new JArray(date),
                    ["Content-Type"] = new JArray("application/json"),
                },
                ["HttpHeaders"] = new JObject
                {
                    ["Connection"] = "keep-alive",
                    ["Content-Length"] = length,
                    ["Content-Type"] = "application/json",
                    ["Date"] = date,
                    ["X-Amz-Executed-Version"] = "$LATEST",
                    ["x-amzn-Remapped-Content-Length"] = "0",
                    ["x-amzn-RequestId"] = requestId,
                },
                ["HttpStatusCode"] = 200,
            },
            ["SdkResponseMetadata"] = new JObject { ["RequestId"] = requestId },
            ["StatusCode"] = 200,
        };
    }

    /// <summary>
    /// Invokes a function by name, ARN or qualified ARN and returns its response text. A handler
    /// exception becomes a <see cref="StatesException"/> whose error is the exception's short type
    /// name and whose cause is the runtime's JSON error document.
    /// </summary>
    public async Task<string> InvokeAsync(string functionNameOrArn, string payload, CancellationToken ct)
    {
        Function? function;
        FunctionCredentials? credentials;
        lock (_lock)
        {
            _functionsByName.TryGetValue(FunctionName(functionNameOrArn), out function);
            _credentialsByName.TryGetValue(FunctionName(functionNameOrArn), out credentials);
        }
        if (function is null)
            throw new StatesException("Lambda.ResourceNotFoundException",
                $"Function not found: {functionNameOrArn} (Service: Lambda, Status Code: 404, Error Code: ResourceNotFoundException)");

        ct.ThrowIfCancellationRequested();
        if (!function.Idle.TryTake(out var instance))
            instance = Activator.CreateInstance(function.Type)!;
        try
        {
            // Flows into everything the handler awaits, and ends with this method.
            Invoking.Value = credentials;
            using var input = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(payload), writable: false);
            var returned = function.Method.Invoke(instance, [input]);
            var output = returned switch
            {
                Task<Stream> task => await task.ConfigureAwait(false),
                Stream stream => stream,
                _ => null,
            };
            if (output is null)
                return "null";
            await using (output.ConfigureAwait(false))
            {
                if (output.CanSeek)
                    output.Position = 0;
                using var reader = new StreamReader(output, System.Text.Encoding.UTF8);
                return await reader.ReadToEndAsync(ct).ConfigureAwait(false);
            }
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw FunctionError(ex.InnerException);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not StatesException)
        {
            throw FunctionError(ex);
        }
        finally
        {
            function.Idle.Add(instance);
        }
    }

    private static StatesException FunctionError(Exception ex)
    {
        var cause = new JObject
        {
            ["errorMessage"] = ex.Message,
            ["errorType"] = ex.GetType().Name,
            ["stackTrace"] = new JArray((ex.StackTrace ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)),
        };
        return new StatesException(ex.GetType().Name, JsonText.Print(cause));
    }

    private static JToken ParseOutput(string output) =>
        JsonText.TryParse(output, out var parsed) ? parsed : new JValue(output);

    /// <summary>"arn:aws:lambda:region:account:function:name[:qualifier]", "account:function:name" or "name" -> "name".</summary>
    private static string FunctionName(string nameOrArn)
    {
        var parts = nameOrArn.Split(':');
        var index = Array.IndexOf(parts, "function");
        return index >= 0 && index + 1 < parts.Length ? parts[index + 1] : nameOrArn;
    }

    private static (object Instance, MethodInfo Method) ResolveHandler(string handler)
    {
        var parts = handler.Split("::");
        if (parts.Length != 3 || parts.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException($"Handler '{handler}' is not of the form Assembly::Namespace.Type::Method.", nameof(handler));
        var assembly = Assembly.Load(new AssemblyName(parts[0]));
        var type = assembly.GetType(parts[1], throwOnError: false)
            ?? throw new ArgumentException($"Type '{parts[1]}' was not found in assembly '{parts[0]}'.", nameof(handler));
        var method = type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .FirstOrDefault(m => m.Name == parts[2]
                && m.GetParameters() is [{ ParameterType: var parameter }] && parameter == typeof(Stream)
                && (m.ReturnType == typeof(Task<Stream>) || m.ReturnType == typeof(Stream)))
            ?? throw new ArgumentException($"'{parts[1]}' has no public method 'Task<Stream> {parts[2]}(Stream)'.", nameof(handler));
        var instance = Activator.CreateInstance(type)
            ?? throw new ArgumentException($"Type '{parts[1]}' could not be created.", nameof(handler));
        return (instance, method);
    }
}

/// <summary>A function's execution-role session credentials, as Lambda puts them in its environment.</summary>
public sealed record FunctionCredentials(string AccessKeyId, string SecretAccessKey, string SessionToken);
