using System.Security.Cryptography;
using System.Text.Json.Serialization;

namespace PaletteServerless.Local.Aws.Iam;

/// <summary>
/// A role of an account as the synthesized templates define it: what it is for, what trusts it,
/// what it may do.
/// </summary>
/// <param name="Purpose">What it is for: <c>api</c>, a step's name, <c>control-plane-node</c>, <c>worker-node</c>, <c>cluster-builder</c>, ...</param>
public sealed record IamRole(string Purpose, string Account, string Arn, string Name, System.Text.Json.Nodes.JsonNode TrustPolicy,
    IReadOnlyList<(string Name, System.Text.Json.Nodes.JsonNode Document)> Policies);

/// <summary>
/// Who calls: a role session with credentials of its own (a Lambda function's execution role, a
/// session of STS AssumeRole, an instance's profile role as IMDS hands it out). The access key id
/// names the principal on every request it signs; the context keys are those IAM adds to every
/// request of such a session (aws:PrincipalArn, aws:PrincipalTag/*, and for EC2 role credentials
/// aws:ec2InstanceSourceVPC and ec2:SourceInstanceARN).
/// </summary>
public sealed record IamPrincipal
{
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("account")] public required string Account { get; init; }
    [JsonPropertyName("roleArn")] public required string RoleArn { get; init; }
    [JsonPropertyName("sessionArn")] public required string SessionArn { get; init; }
    [JsonPropertyName("accessKeyId")] public required string AccessKeyId { get; init; }
    [JsonPropertyName("secretAccessKey")] public required string SecretAccessKey { get; init; }
    [JsonPropertyName("sessionToken")] public required string SessionToken { get; init; }
    [JsonPropertyName("instanceId"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? InstanceId { get; init; }
    [JsonPropertyName("expiration"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DateTimeOffset? Expiration { get; init; }

    /// <summary>The id of its identity (and session) policies at the evaluator.</summary>
    [JsonIgnore] public string PolicySetId { get; init; } = "";

    /// <summary>The context keys IAM adds to every request this principal signs.</summary>
    [JsonIgnore] public IReadOnlyDictionary<string, IReadOnlyList<string>> Context { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Credentials of AWS's form: an <c>ASIA</c> key id of 20 characters, a 40-character secret, a session token.</summary>
    public static (string AccessKeyId, string Secret, string Token) NewCredentials()
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var key = "ASIA" + new string([.. RandomNumberGenerator.GetBytes(16).Select(b => alphabet[b % alphabet.Length])]);
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(30));
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(96));
        return (key, secret, token);
    }
}

/// <summary>One refused call, as <c>GET /local/iam/denials</c> lists it.</summary>
public sealed record IamDenial(
    [property: JsonPropertyName("principal")] string Principal,
    [property: JsonPropertyName("principalArn")] string PrincipalArn,
    [property: JsonPropertyName("action")] string Action,
    [property: JsonPropertyName("resource")] string Resource,
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("statement")] string Statement,
    [property: JsonPropertyName("explicit")] bool Explicit)
{
    /// <summary>AWS's message for the refusal.</summary>
    [JsonPropertyName("message")]
    public string Message =>
        $"User: {PrincipalArn} is not authorized to perform: {Action} on resource: {Resource} " +
        (Explicit ? $"with an explicit deny in an identity-based policy (statement {Statement})" : $"because no identity-based policy allows the {Action} action");
}
