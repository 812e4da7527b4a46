using Newtonsoft.Json.Linq;

namespace PaletteServerless.Local.StepFunctions.Resources;

/// <summary>One call of a Task state's resource, with the effective parameters.</summary>
/// <param name="RoleArn">The state machine's execution role: Step Functions calls each Task's service as that role.</param>
public sealed record TaskRequest(string Resource, JToken Parameters, string Region, string AccountId, DateTimeOffset Now, string? RoleArn = null);

/// <summary>
/// Something a Task state's "Resource" can name. Failures are reported by throwing
/// <see cref="Language.StatesException"/> with the error name AWS would report.
/// </summary>
public interface ITaskResource
{
    bool Handles(string resource);

    Task<JToken> InvokeAsync(TaskRequest request, CancellationToken ct);
}

/// <summary>The resources the engine can call, looked up by the Task state's "Resource".</summary>
public sealed class TaskResourceRegistry
{
    private readonly List<ITaskResource> _resources;

    public TaskResourceRegistry(params ITaskResource[] resources) => _resources = [.. resources];

    public void Add(ITaskResource resource)
    {
        lock (_resources)
            _resources.Add(resource);
    }

    public ITaskResource? Find(string resource)
    {
        lock (_resources)
            return _resources.FirstOrDefault(r => r.Handles(resource));
    }
}
