using PaletteServerless.Domain.Ports;

namespace PaletteServerless.Steps.Tests;

/// <summary>
/// The cluster's parameters in memory, as <see cref="IParameterStore"/> promises them: a create never overwrites
/// and carries the tags, a write overwrites the value (and bumps the version) keeping the tags, reads and deletes
/// skip missing names, tags need an existing parameter (InvalidResourceId), a write may not change a parameter's
/// kind (HierarchyTypeMismatchException) nor store an empty value (ValidationException). A test can make an
/// operation fail with an AWS error code (<see cref="Fail"/>) or act just before a create (<see cref="BeforeCreate"/>:
/// another writer getting there first). Every call is logged in <see cref="Calls"/> as "operation name".
/// </summary>
public sealed class FakeParameterStore : IParameterStore
{
    /// <summary>One stored parameter.</summary>
    public sealed record Stored(ParameterKind Kind, string Value, bool MayOutgrowStandard, long Version, IReadOnlyDictionary<string, string> Tags);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Stored> _parameters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CloudServiceException> _failures = new(StringComparer.Ordinal);
    private readonly List<string> _calls = [];

    /// <summary>Runs with the name of every create, before the store looks whether it exists.</summary>
    public Action<string>? BeforeCreate { get; set; }

    public IReadOnlyDictionary<string, Stored> Parameters { get { lock (_gate) return new Dictionary<string, Stored>(_parameters, StringComparer.Ordinal); } }

    public IReadOnlyList<string> Calls { get { lock (_gate) return [.. _calls]; } }

    /// <summary>The values by name.</summary>
    public IReadOnlyDictionary<string, string> Values { get { lock (_gate) return _parameters.ToDictionary(p => p.Key, p => p.Value.Value, StringComparer.Ordinal); } }

    /// <summary>Stores a parameter as if someone wrote it earlier.</summary>
    public void Seed(string name, string value, ParameterKind kind = ParameterKind.Secret, IReadOnlyDictionary<string, string>? tags = null)
    {
        lock (_gate)
            _parameters[name] = new Stored(kind, value, false, 1, tags ?? new Dictionary<string, string>());
    }

    public void Remove(string name)
    {
        lock (_gate)
            _parameters.Remove(name);
    }

    /// <summary>
    /// Makes every later call of <paramref name="operation"/> (create, write, read, readOne, list, delete, tag, untag)
    /// fail with AWS's <paramref name="code"/>.
    /// </summary>
    public void Fail(string operation, string code, bool transient = false)
    {
        lock (_gate)
            _failures[operation] = new CloudServiceException(code, $"{code} (test)", transient);
    }

    public Task<bool> CreateAsync(ParameterWrite parameter, IReadOnlyDictionary<string, string> tags, CancellationToken ct)
    {
        BeforeCreate?.Invoke(parameter.Name);
        lock (_gate)
        {
            Enter("create", parameter.Name);
            Validate(parameter);
            if (_parameters.ContainsKey(parameter.Name))
                return Task.FromResult(false);
            _parameters[parameter.Name] = new Stored(parameter.Kind, parameter.Value, parameter.MayOutgrowStandard, 1, new Dictionary<string, string>(tags, StringComparer.Ordinal));
            return Task.FromResult(true);
        }
    }

    public Task WriteAsync(ParameterWrite parameter, IReadOnlyDictionary<string, string> tags, CancellationToken ct)
    {
        lock (_gate)
        {
            Enter("write", parameter.Name);
            Validate(parameter);
            _parameters[parameter.Name] = _parameters.TryGetValue(parameter.Name, out var stored)
                ? stored.Kind != parameter.Kind
                    ? throw new CloudServiceException("HierarchyTypeMismatchException", "The parameter type can't be changed.", false)
                    : stored with { Value = parameter.Value, MayOutgrowStandard = parameter.MayOutgrowStandard, Version = stored.Version + 1 }
                : new Stored(parameter.Kind, parameter.Value, parameter.MayOutgrowStandard, 1, new Dictionary<string, string>(tags, StringComparer.Ordinal));
            return Task.CompletedTask;
        }
    }

    public Task<IReadOnlyDictionary<string, string>> ReadAsync(IReadOnlyCollection<string> names, CancellationToken ct)
    {
        lock (_gate)
        {
            Enter("read", string.Join(",", names));
            IReadOnlyDictionary<string, string> found = names.Distinct().Where(_parameters.ContainsKey).ToDictionary(n => n, n => _parameters[n].Value, StringComparer.Ordinal);
            return Task.FromResult(found);
        }
    }

    public Task<string?> ReadOneAsync(string name, CancellationToken ct)
    {
        lock (_gate)
        {
            Enter("readOne", name);
            return Task.FromResult(_parameters.TryGetValue(name, out var stored) ? stored.Value : null);
        }
    }

    public Task<IReadOnlyList<string>> ListNamesAsync(string path, CancellationToken ct)
    {
        lock (_gate)
        {
            Enter("list", path);
            var prefix = path.TrimEnd('/') + "/";
            IReadOnlyList<string> names = [.. _parameters.Keys.Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal)];
            return Task.FromResult(names);
        }
    }

    public Task DeleteAsync(IReadOnlyCollection<string> names, CancellationToken ct)
    {
        lock (_gate)
        {
            Enter("delete", string.Join(",", names));
            foreach (var name in names)
                _parameters.Remove(name);
            return Task.CompletedTask;
        }
    }

    public Task TagAsync(string name, IReadOnlyDictionary<string, string> tags, CancellationToken ct)
    {
        lock (_gate)
        {
            Enter("tag", name);
            var stored = Existing(name);
            var merged = new Dictionary<string, string>(stored.Tags, StringComparer.Ordinal);
            foreach (var (key, value) in tags)
                merged[key] = value;
            _parameters[name] = stored with { Tags = merged };
            return Task.CompletedTask;
        }
    }

    public Task UntagAsync(string name, IReadOnlyCollection<string> keys, CancellationToken ct)
    {
        lock (_gate)
        {
            Enter("untag", name);
            var stored = Existing(name);
            _parameters[name] = stored with { Tags = stored.Tags.Where(t => !keys.Contains(t.Key)).ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal) };
            return Task.CompletedTask;
        }
    }

    private void Enter(string operation, string what)
    {
        _calls.Add($"{operation} {what}");
        if (_failures.TryGetValue(operation, out var failure))
            throw failure;
    }

    private static void Validate(ParameterWrite parameter)
    {
        if (parameter.Value.Length == 0)
            throw new CloudServiceException("ValidationException", "1 validation error detected: Value '' must have length greater than or equal to 1.", false);
    }

    private Stored Existing(string name) =>
        _parameters.TryGetValue(name, out var stored) ? stored : throw new CloudServiceException("InvalidResourceId", $"parameter {name} not found (test)", false);
}
