using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.Sts;

/// <summary>
/// STS (query protocol, API 2011-06-15): AssumeRole against the seeded roles of <see cref="Roles"/>
/// and GetCallerIdentity. Assumed credentials act in the role's account: their access key id is
/// the role's 12-digit account id, which is how the local AWS picks the account of a request.
/// </summary>
public sealed partial class StsService : ILocalAwsService, PaletteServerless.Local.Aws.Iam.IAuthorizesRequests
{
    public const string Namespace = "https://sts.amazonaws.com/doc/2011-06-15/";

    private readonly ConcurrentDictionary<string, StsSession> _sessionsByToken = new(StringComparer.Ordinal);

    public string ServiceName => "sts";
    public AwsProtocol Protocol => AwsProtocol.Query;
    public string RouteKey => "2011-06-15";
    public AwsErrorStyle ErrorStyle => AwsErrorStyle.Query;
    public string? XmlNamespace => Namespace;
    public string ThrottlingErrorCode => "Throttling";

    /// <summary>The roles callers may assume; seed them here (see <see cref="StsRoleCatalog"/>).</summary>
    public StsRoleCatalog Roles { get; } = new();

    [GeneratedRegex(@"^arn:aws:iam::(?<account>\d{12}):role/(?<name>(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64})$")]
    private static partial Regex RoleArnPattern();

    [GeneratedRegex(@"^[\w+=,.@-]{2,64}$")]
    private static partial Regex SessionNamePattern();

    private sealed record StsSession(string Account, string RoleName, string SessionName, string AssumedRoleId, DateTimeOffset Expiration);

    public async Task<LocalAwsResponse> HandleAsync(AwsCall call, CancellationToken cancellationToken) => call.Operation switch
    {
        "AssumeRole" => call.Aws.Iam is { } iam ? await StsSessions.AssumeRoleAsync(iam, call, cancellationToken) : AssumeRole(call),
        "GetCallerIdentity" => GetCallerIdentity(call),
        "DecodeAuthorizationMessage" => StsSessions.DecodeAuthorizationMessage(call),
        _ => throw new AwsErrorException("InvalidAction", $"Could not find operation {call.Operation} for version 2011-06-15"),
    };

    /// <summary>
    /// How IAM authorizes STS (Service Authorization Reference, "AWS Security Token Service"):
    /// AssumeRole is judged by the session code itself, with the role's trust policy as well as the
    /// caller's policies; GetCallerIdentity needs no permission (AWS answers it even under an explicit
    /// deny); DecodeAuthorizationMessage needs sts:DecodeAuthorizationMessage.
    /// </summary>
    public IReadOnlyList<PaletteServerless.Local.Aws.Iam.AuthorizationCheck>? Authorizations(AwsCall call) => call.Operation switch
    {
        "AssumeRole" or "GetCallerIdentity" => [],
        "DecodeAuthorizationMessage" => [PaletteServerless.Local.Aws.Iam.AuthorizationCheck.Of("sts:DecodeAuthorizationMessage", "*")],
        _ => null,
    };

    /// <summary>The checks of AssumeRole's validation, shared with the IAM path: the session name, duration and role ARN.</summary>
    internal static (string RoleArn, string SessionName, int Duration) ValidateAssumeRole(AwsCall call)
    {
        var p = call.Parameters;
        var roleArn = p.Required("RoleArn");
        var sessionName = p.Required("RoleSessionName");
        if (!SessionNamePattern().IsMatch(sessionName))
            throw new AwsErrorException("ValidationError", $"1 validation error detected: Value '{sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
        var duration = p.Int("DurationSeconds") ?? 3600;
        if (duration is < 900 or > 43200)
            throw new AwsErrorException("ValidationError", $"1 validation error detected: Value '{duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200");
        if (!RoleArnPattern().IsMatch(roleArn))
            throw new AwsErrorException("ValidationError", $"{roleArn} is invalid");
        return (roleArn, sessionName, duration);
    }

    private LocalAwsResponse AssumeRole(AwsCall call)
    {
        var (roleArn, sessionName, duration) = ValidateAssumeRole(call);
        var p = call.Parameters;
        var match = RoleArnPattern().Match(roleArn);
        var role = Roles.Find(match.Groups["account"].Value, match.Groups["name"].Value);
        var trusted = role is not null
            && (role.ExternalId is null || role.ExternalId == p["ExternalId"])
            && (role.TrustedAccount is null || role.TrustedAccount == call.Account);
        if (!trusted)
        {
            throw new AwsErrorException("AccessDenied",
                $"User: {CallerArn(call)} is not authorized to perform: sts:AssumeRole on resource: {roleArn}", 403);
        }

        var assumedRoleId = RoleId(role!.Arn) + ":" + sessionName;
        var expiration = call.Now.AddSeconds(duration);
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(30));
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(96));
        _sessionsByToken[token] = new StsSession(role.Account, role.Name, sessionName, assumedRoleId, expiration);

        return QueryResponses.Query("AssumeRole", Namespace, call.RequestId, x => x
            .Open("AssumedRoleUser")
                .Element("AssumedRoleId", assumedRoleId)
                .Element("Arn", $"arn:aws:sts::{role.Account}:assumed-role/{role.Name[(role.Name.LastIndexOf('/') + 1)..]}/{sessionName}")
            .Close()
            .Open("Credentials")
                // The account id as access key id: the edge routes a 12-digit key to that account.
                .Element("AccessKeyId", role.Account)
                .Element("SecretAccessKey", secret)
                .Element("SessionToken", token)
                .Element("Expiration", expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture))
            .Close()
            .Element("PackedPolicySize", p["Policy"] is null ? null : 6));
    }

    private LocalAwsResponse GetCallerIdentity(AwsCall call)
    {
        if (call.Principal is { } principal)
        {
            return QueryResponses.Query("GetCallerIdentity", Namespace, call.RequestId, x => x
                .Element("Arn", principal.SessionArn)
                .Element("UserId", RoleId(principal.RoleArn) + ":" + principal.SessionArn[(principal.SessionArn.LastIndexOf('/') + 1)..])
                .Element("Account", principal.Account));
        }
        var session = Session(call);
        return QueryResponses.Query("GetCallerIdentity", Namespace, call.RequestId, x => x
            .Element("Arn", CallerArn(call))
            .Element("UserId", session?.AssumedRoleId ?? (call.AccessKeyId.All(char.IsAsciiDigit) ? call.Account : call.AccessKeyId))
            .Element("Account", call.Account));
    }

    /// <summary>The assumed-role ARN of a session token this STS issued, else the account's root.</summary>
    private string CallerArn(AwsCall call) =>
        Session(call) is { } session
            ? $"arn:aws:sts::{session.Account}:assumed-role/{session.RoleName[(session.RoleName.LastIndexOf('/') + 1)..]}/{session.SessionName}"
            : $"arn:aws:iam::{call.Account}:root";

    private StsSession? Session(AwsCall call) =>
        call.Request.Header("X-Amz-Security-Token") is { } token
        && _sessionsByToken.TryGetValue(token, out var session)
        && session.Expiration > call.Now
            ? session
            : null;

    // A stable role id of AWS's shape (AROA + 17 characters) derived from the ARN.
    internal static string RoleId(string roleArn)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(roleArn));
        var id = new StringBuilder("AROA");
        for (var i = 0; i < 17; i++)
            id.Append(alphabet[hash[i] % alphabet.Length]);
        return id.ToString();
    }
}
