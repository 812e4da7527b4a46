namespace PaletteServerless.Domain.Ports;

/// <summary>How a parameter is kept: a secret is encrypted under the product's key (<see cref="Provisioning.SecretParameters.KmsKeyAlias"/>), a document is plain text.</summary>
public enum ParameterKind
{
    Secret,
    Document,
}

/// <summary>
/// One parameter to write. <paramref name="MayOutgrowStandard"/>: a value that can grow past the standard tier's
/// 4 KB (a desired-state document, a kubeconfig) is stored in the tier its size needs.
/// </summary>
public sealed record ParameterWrite(string Name, ParameterKind Kind, string Value, bool MayOutgrowStandard = false);

/// <summary>
/// The cluster's parameters in its cloud account (AWS Systems Manager Parameter Store): its secrets, the
/// desired in-cluster state, the OS patch request, the virtual clusters' list and reports. Names are full
/// paths (<see cref="Provisioning.SecretParameters.PathOf"/>). A failure the cloud answers with is a
/// <see cref="CloudServiceException"/> (AWS's error code, and whether trying again can help); a missing
/// parameter is never an error: reads leave it out, deletes count it as done.
/// </summary>
public interface IParameterStore
{
    /// <summary>
    /// The most names one read or delete call takes (AWS's limit): larger lists are several calls, so a caller that
    /// must know which names a failed delete left passes at most this many.
    /// </summary>
    const int NamesPerCall = 10;

    /// <summary>Creates the parameter with its tags; false, changing nothing, when one of that name exists (whoever wrote it first wins).</summary>
    Task<bool> CreateAsync(ParameterWrite parameter, IReadOnlyDictionary<string, string> tags, CancellationToken ct);

    /// <summary>Creates the parameter with its tags, or overwrites the value of the one that exists (which keeps the tags it has).</summary>
    Task WriteAsync(ParameterWrite parameter, IReadOnlyDictionary<string, string> tags, CancellationToken ct);

    /// <summary>The current values (secrets decrypted) of those of <paramref name="names"/> that exist, by name.</summary>
    Task<IReadOnlyDictionary<string, string>> ReadAsync(IReadOnlyCollection<string> names, CancellationToken ct);

    /// <summary>
    /// The current value of one parameter (a secret decrypted); null when it does not exist. Its own call (IAM's
    /// <c>ssm:GetParameter</c>), for callers allowed to read single parameters only.
    /// </summary>
    Task<string?> ReadOneAsync(string name, CancellationToken ct);

    /// <summary>The names of every parameter under <paramref name="path"/>, at any depth, whoever made them (values not read).</summary>
    Task<IReadOnlyList<string>> ListNamesAsync(string path, CancellationToken ct);

    /// <summary>Deletes the parameters of those names; a name that does not exist counts as deleted.</summary>
    Task DeleteAsync(IReadOnlyCollection<string> names, CancellationToken ct);

    /// <summary>Adds (or replaces the values of) tags of one parameter.</summary>
    Task TagAsync(string name, IReadOnlyDictionary<string, string> tags, CancellationToken ct);

    /// <summary>Removes tags of one parameter by key.</summary>
    Task UntagAsync(string name, IReadOnlyCollection<string> keys, CancellationToken ct);
}

/// <summary>
/// An error a cloud service answered a port's call with: AWS's error code (e.g. <c>AccessDeniedException</c>), its
/// message, and whether the same call can succeed later (throttled, or the service failed on its side).
/// </summary>
public sealed class CloudServiceException(string code, string message, bool transient, Exception? inner = null) : Exception(message, inner)
{
    public string Code { get; } = code;

    public bool Transient { get; } = transient;
}
