using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;

namespace PaletteServerless.Aws.Cloud.Adapters;

/// <summary>
/// <see cref="IParameterStore"/> over the AWS SDK's SSM client. What Parameter Store's API asks is decided here:
/// secrets are SecureStrings under the product's KMS key, a value that may outgrow 4 KB is written in the
/// Intelligent-Tiering tier, a create never overwrites (ParameterAlreadyExists), an overwrite carries no tags
/// (SSM refuses both together), reads and deletes take 10 names a call, a path is listed page by page without
/// decryption (so listing needs no KMS permission). Each operation is the same SSM action it always was, since
/// the session policies name them. Errors SSM answers with become <see cref="CloudServiceException"/>.
/// </summary>
public sealed class SsmParameterStore(IAmazonSimpleSystemsManagement ssm) : IParameterStore
{
    public Task<bool> CreateAsync(ParameterWrite parameter, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        PortCalls.RunAsync(async () =>
        {
            try
            {
                await ssm.PutParameterAsync(Request(parameter, tags), ct);
                return true;
            }
            catch (ParameterAlreadyExistsException)
            {
                return false;
            }
        });

    public Task WriteAsync(ParameterWrite parameter, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        PortCalls.RunAsync(async () =>
        {
            try
            {
                // Created with its tags (a create cannot be untagged: the role requires the ownership tag) ...
                await ssm.PutParameterAsync(Request(parameter, tags), ct);
            }
            catch (ParameterAlreadyExistsException)
            {
                // ... else overwritten, which SSM takes without tags (the parameter keeps those it has).
                await ssm.PutParameterAsync(Request(parameter, null), ct);
            }
            return true;
        });

    public Task<IReadOnlyDictionary<string, string>> ReadAsync(IReadOnlyCollection<string> names, CancellationToken ct) =>
        PortCalls.RunAsync<IReadOnlyDictionary<string, string>>(async () =>
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var chunk in names.Distinct(StringComparer.Ordinal).Chunk(IParameterStore.NamesPerCall))
            {
                // Names SSM does not find come back as InvalidParameters: left out.
                var response = await ssm.GetParametersAsync(new GetParametersRequest { Names = [.. chunk], WithDecryption = true }, ct);
                foreach (var found in response.Parameters ?? [])
                    values[found.Name] = found.Value;
            }
            return values;
        });

    public Task<string?> ReadOneAsync(string name, CancellationToken ct) =>
        PortCalls.RunAsync(async () =>
        {
            try
            {
                return (await ssm.GetParameterAsync(new GetParameterRequest { Name = name, WithDecryption = true }, ct)).Parameter.Value;
            }
            catch (ParameterNotFoundException)
            {
                return null;
            }
        });

    public Task<IReadOnlyList<string>> ListNamesAsync(string path, CancellationToken ct) =>
        PortCalls.RunAsync<IReadOnlyList<string>>(async () =>
        {
            var names = new List<string>();
            string? next = null;
            do
            {
                var page = await ssm.GetParametersByPathAsync(new GetParametersByPathRequest
                {
                    Path = path,
                    Recursive = true,
                    WithDecryption = false,
                    NextToken = next,
                }, ct);
                names.AddRange((page.Parameters ?? []).Select(p => p.Name));
                next = page.NextToken;
            }
            while (!string.IsNullOrEmpty(next));
            return names;
        });

    public Task DeleteAsync(IReadOnlyCollection<string> names, CancellationToken ct) =>
        PortCalls.RunAsync(async () =>
        {
            // Names SSM does not find come back as InvalidParameters: gone already, done.
            foreach (var chunk in names.Distinct(StringComparer.Ordinal).Chunk(IParameterStore.NamesPerCall))
                await ssm.DeleteParametersAsync(new DeleteParametersRequest { Names = [.. chunk] }, ct);
            return true;
        });

    public Task TagAsync(string name, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        PortCalls.RunAsync(async () => await ssm.AddTagsToResourceAsync(new AddTagsToResourceRequest
        {
            ResourceType = ResourceTypeForTagging.Parameter, ResourceId = name, Tags = Tags(tags),
        }, ct));

    public Task UntagAsync(string name, IReadOnlyCollection<string> keys, CancellationToken ct) =>
        PortCalls.RunAsync(async () => await ssm.RemoveTagsFromResourceAsync(new RemoveTagsFromResourceRequest
        {
            ResourceType = ResourceTypeForTagging.Parameter, ResourceId = name, TagKeys = [.. keys],
        }, ct));

    /// <summary>A create (with tags, never overwriting) or, without tags, an overwrite.</summary>
    private static PutParameterRequest Request(ParameterWrite parameter, IReadOnlyDictionary<string, string>? tags)
    {
        var request = new PutParameterRequest
        {
            Name = parameter.Name,
            Type = parameter.Kind == ParameterKind.Secret ? ParameterType.SecureString : ParameterType.String,
            Value = parameter.Value,
            Overwrite = tags is null,
        };
        if (parameter.Kind == ParameterKind.Secret)
            request.KeyId = SecretParameters.KmsKeyAlias;
        if (parameter.MayOutgrowStandard)
            request.Tier = ParameterTier.IntelligentTiering;
        if (tags is not null)
            request.Tags = Tags(tags);
        return request;
    }

    private static List<Tag> Tags(IReadOnlyDictionary<string, string> tags) => [.. tags.Select(t => new Tag { Key = t.Key, Value = t.Value })];

}
