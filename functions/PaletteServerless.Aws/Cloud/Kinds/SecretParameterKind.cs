using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;
using InventoryItem = PaletteServerless.Domain.Provisioning.InventoryItem;

namespace PaletteServerless.Aws.Cloud.Kinds;

/// <summary>
/// The cluster's secrets as SSM SecureString parameters under its path
/// (<see cref="SecretParameters"/>), encrypted with the product's KMS key and tagged with the
/// ownership tags and the cluster's VPC (what the node policy matches). Ensure creates the
/// missing ones without ever overwriting (a re-run or a second writer adopts what is stored);
/// delete removes whatever is under the path, recorded or not.
/// </summary>
public sealed class SecretParameterKind(ClusterResources resources) : IDeletableKind
{
    private IParameterStore Parameters => resources.Cloud.Parameters;

    /// <summary>
    /// The cluster's secrets: those stored, with any missing parameter created from
    /// <paramref name="generate"/>. Each name is recorded before its create, so nothing can be
    /// orphaned; a parameter someone else created first is read, not replaced.
    /// </summary>
    public async Task<ClusterSecrets> EnsureAsync(Func<ClusterSecrets> generate, string vpcId, CancellationToken ct)
    {
        var values = await ReadAsync(ct);
        var missing = SecretParameters.Missing(values);
        if (missing.Count == 0)
            return SecretParameters.FromValues(values);
        var candidate = SecretParameters.ValuesOf(generate());
        // Side by side: they do not depend on each other, and the node launches wait for all of them.
        await Task.WhenAll(missing.Select(async parameter =>
        {
            var name = SecretParameters.NameOf(resources.Cluster, parameter);
            if (resources.All(ResourceKinds.SecretParameter).All(i => i.Id != name))
                await resources.RecordAsync(new InventoryItem { Kind = ResourceKinds.SecretParameter, Id = name, Role = parameter, Name = name, RecordedAt = resources.Clock.GetUtcNow() }, ct);
            // False when a crashed earlier run or a concurrent one stored it first: theirs is the value.
            await CloudErrors.CreateAsync($"create parameter {name}", () => Parameters.CreateAsync(
                new ParameterWrite(name, ParameterKind.Secret, candidate[parameter]),
                TagsOf(resources, name, "secret", vpcId), ct));
        }));
        values = await ReadAsync(ct);
        return SecretParameters.FromValues(values);
    }

    /// <summary>The tags of a parameter the product creates for the cluster: ownership, and the VPC the node policy matches.</summary>
    public static Dictionary<string, string> TagsOf(ClusterResources resources, string name, string role, string vpcId) =>
        ResourceTags.For(resources.Cluster, name, role, new Dictionary<string, string> { [SecretParameters.VpcTag] = vpcId });

    /// <summary>The stored values by parameter (ca, certificate-key, join-token), decrypted; missing ones are absent.</summary>
    public async Task<IReadOnlyDictionary<string, string>> ReadAsync(CancellationToken ct)
    {
        var stored = await Parameters.ReadAsync([.. SecretParameters.All.Select(p => SecretParameters.NameOf(resources.Cluster, p))], ct);
        var prefix = SecretParameters.PathOf(resources.Cluster) + "/";
        return stored.ToDictionary(p => p.Key[prefix.Length..], p => p.Value);
    }

    /// <summary>The names of every parameter under the cluster's path, whoever made them.</summary>
    public Task<IReadOnlyList<string>> FindOwnedAsync(CancellationToken ct) =>
        Parameters.ListNamesAsync(SecretParameters.PathOf(resources.Cluster), ct);

    /// <summary>Removes every parameter under the cluster's path and forgets their records; true when none is left.</summary>
    public async Task<bool> DeleteAsync(DeletePass pass, CancellationToken ct)
    {
        var (read, found) = await pass.Read("list parameters", () => FindOwnedAsync(ct));
        if (!read || found is null)
            return false;
        var names = found.Union(resources.All(ResourceKinds.SecretParameter).Select(i => i.Id)).ToList();
        // Found but never recorded (a crash between record and create cannot cause it, but a
        // record lost with its table can): recorded now, so a failed delete is reported as left over.
        foreach (var name in found.Where(n => resources.All(ResourceKinds.SecretParameter).All(i => i.Id != n)))
            await resources.RecordAsync(new InventoryItem { Kind = ResourceKinds.SecretParameter, Id = name, Role = "adopted", Name = name, RecordedAt = resources.Clock.GetUtcNow() }, ct);
        // One call a chunk, so a failed one keeps only its own names recorded; a name not found is gone already, done.
        foreach (var chunk in names.Chunk(IParameterStore.NamesPerCall))
        {
            var deleted = await pass.Attempt("delete parameters " + string.Join(", ", chunk),
                () => Parameters.DeleteAsync(chunk, ct));
            if (!deleted)
                continue;
            foreach (var item in resources.All(ResourceKinds.SecretParameter).Where(i => chunk.Contains(i.Id)).ToList())
                await resources.ForgetAsync(item, ct);
        }
        return !resources.All(ResourceKinds.SecretParameter).Any();
    }
}
