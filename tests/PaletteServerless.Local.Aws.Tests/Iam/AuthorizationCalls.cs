using System.Text;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.Iam;

namespace PaletteServerless.Local.Aws.Tests.Iam;

/// <summary>
/// Asks a service's authorization map for the checks of one request, built as the facade builds
/// the call (query parameters as they arrive on the wire, or a JSON body), and under the store's
/// lock as the authorizer calls it. Checks come back as one line each, so a test states them whole.
/// </summary>
public static class AuthorizationCalls
{
    /// <summary>The account the tests' "test" access key acts in, and their region.</summary>
    public const string Account = SigV4Credential.DefaultAccount;
    public const string Region = "us-east-1";

    public static IReadOnlyList<string>? Query(IAuthorizesRequests service, LocalAws aws, string operation, params (string Name, string Value)[] parameters) =>
        Ask(service, aws, operation, new QueryParameters(parameters.Select(p => KeyValuePair.Create(p.Name, p.Value))), []);

    public static IReadOnlyList<string>? Json(IAuthorizesRequests service, LocalAws aws, string operation, string body) =>
        Ask(service, aws, operation, QueryParameters.Empty, Encoding.UTF8.GetBytes(body));

    /// <summary><c>TagSpecification.N</c> parameters for one resource type, as the SDKs send them.</summary>
    public static (string, string)[] TagSpecification(int index, string resourceType, params (string Key, string Value)[] tags) =>
    [
        ($"TagSpecification.{index}.ResourceType", resourceType),
        .. tags.SelectMany((tag, i) => new[] { ($"TagSpecification.{index}.Tag.{i + 1}.Key", tag.Key), ($"TagSpecification.{index}.Tag.{i + 1}.Value", tag.Value) }),
    ];

    /// <summary>One check as <c>action resource | key=value,value; key=value</c>, keys in ordinal order.</summary>
    public static string Line(AuthorizationCheck check)
    {
        var context = string.Join("; ", check.Context
            .OrderBy(entry => entry.Key, StringComparer.Ordinal)
            .Select(entry => $"{entry.Key}={string.Join(',', entry.Value)}"));
        return context.Length == 0 ? $"{check.Action} {check.Resource}" : $"{check.Action} {check.Resource} | {context}";
    }

    private static IReadOnlyList<string>? Ask(IAuthorizesRequests service, LocalAws aws, string operation, QueryParameters parameters, byte[] body)
    {
        var call = new AwsCall
        {
            Request = LocalAwsRequest.Create("POST", "/", "", [], body),
            Operation = operation,
            Account = Account,
            Region = Region,
            AccessKeyId = "test",
            RequestId = Guid.NewGuid().ToString(),
            Parameters = parameters,
            Aws = aws,
            Now = aws.Clock.GetUtcNow(),
        };
        lock (aws.Store.Sync)
            return service.Authorizations(call)?.Select(Line).ToList();
    }
}
