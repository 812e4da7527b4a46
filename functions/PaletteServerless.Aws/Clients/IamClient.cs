namespace PaletteServerless.Aws.Clients;

/// <summary>The IAM calls the product makes: whether an instance profile exists (preflight).</summary>
public interface IIamClient : IDisposable
{
    /// <summary>True when the account has an instance profile of that name; false on NoSuchEntity.</summary>
    Task<bool> InstanceProfileExistsAsync(string name, CancellationToken cancellationToken = default);
}

/// <summary>
/// IAM over the query protocol (API 2010-05-08, signing name <c>iam</c>, the global endpoint
/// signed for us-east-1): GetInstanceProfile, and no other call.
/// </summary>
public sealed class IamClient(AwsClientOptions options) : IIamClient
{
    public const string ApiVersion = "2010-05-08";

    // IAM is global; its requests are signed for us-east-1 whatever region the session is in.
    private readonly AwsQueryProtocolClient _query = new(AwsService.Iam, ApiVersion, options with { Region = "us-east-1" });

    public async Task<bool> InstanceProfileExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        try
        {
            await _query.InvokeAsync("GetInstanceProfile", new QueryParameters().Add("InstanceProfileName", name), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == "NoSuchEntity")
        {
            return false;
        }
    }

    public void Dispose() => _query.Dispose();
}
