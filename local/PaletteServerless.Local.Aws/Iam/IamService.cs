using System.Security.Cryptography;
using System.Text;
using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.Iam;

/// <summary>
/// IAM (query protocol, API 2010-05-08), as little as the product reads: GetInstanceProfile. The
/// local AWS keeps no IAM store; every account has the instance profiles of
/// <see cref="LocalAwsOptions.InstanceProfiles"/> (each with the role of the same name, as the
/// CDK stacks make them), the same set RunInstances accepts, and any other name is AWS's
/// <c>NoSuchEntity</c> (404). Any other IAM call is refused, not invented.
/// </summary>
public sealed partial class IamService : ILocalAwsService
{
    public const string Namespace = "https://iam.amazonaws.com/doc/2010-05-08/";

    public string ServiceName => "iam";
    public AwsProtocol Protocol => AwsProtocol.Query;
    public string RouteKey => "2010-05-08";
    public AwsErrorStyle ErrorStyle => AwsErrorStyle.Query;
    public string? XmlNamespace => Namespace;
    public string ThrottlingErrorCode => "Throttling";

    public Task<LocalAwsResponse> HandleAsync(AwsCall call, CancellationToken cancellationToken) =>
        Task.FromResult(call.Operation switch
        {
            "GetInstanceProfile" => GetInstanceProfile(call),
            _ => throw new AwsErrorException("InvalidAction", $"The local IAM does not model {call.Operation}."),
        });

    private static LocalAwsResponse GetInstanceProfile(AwsCall call)
    {
        var name = call.Parameters.Required("InstanceProfileName");
        if (!call.Aws.Options.InstanceProfiles.Contains(name))
            throw new AwsErrorException("NoSuchEntity", $"Instance Profile {name} cannot be found.", 404);
        var created = DateTimeOffset.UnixEpoch;
        return QueryResponses.Query("GetInstanceProfile", Namespace, call.RequestId, x => x
            .Open("InstanceProfile")
            .Element("Path", "/")
            .Element("InstanceProfileName", name)
            .Element("InstanceProfileId", Id("AIPA", call.Account, name))
            .Element("Arn", $"arn:aws:iam::{call.Account}:instance-profile/{name}")
            .Element("CreateDate", created)
            .Open("Roles").Open("member")
            .Element("Path", "/")
            .Element("RoleName", name)
            .Element("RoleId", Id("AROA", call.Account, name))
            .Element("Arn", $"arn:aws:iam::{call.Account}:role/{name}")
            .Element("CreateDate", created)
            .Close().Close()
            .Close());
    }

    // IAM's unique ids: a type prefix and 17 characters; derived, so they are stable across calls and restarts.
    private static string Id(string prefix, string account, string name) =>
        prefix + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{account}/{name}")))[..17];
}
