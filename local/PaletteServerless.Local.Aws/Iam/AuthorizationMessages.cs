using System.Text;
using System.Text.Json.Nodes;

namespace PaletteServerless.Local.Aws.Iam;

/// <summary>
/// EC2's encoded authorization failure message: opaque to the caller, decoded by STS
/// DecodeAuthorizationMessage into the document AWS documents for it (allowed, explicitDeny,
/// matchedStatements, failures, context with principal, action, resource). AWS encrypts it; the
/// local one is that document in base64url, which only STS reads back.
/// </summary>
public static class AuthorizationMessages
{
    public static string Encode(IamDenial denial)
    {
        var document = new JsonObject
        {
            ["allowed"] = false,
            ["explicitDeny"] = denial.Explicit,
            ["matchedStatements"] = new JsonObject
            {
                ["items"] = denial.Explicit ? new JsonArray(new JsonObject { ["statementId"] = denial.Statement, ["effect"] = "DENY" }) : new JsonArray(),
            },
            ["failures"] = new JsonObject { ["items"] = new JsonArray() },
            ["context"] = new JsonObject
            {
                ["principal"] = new JsonObject { ["id"] = denial.Principal, ["arn"] = denial.PrincipalArn },
                ["action"] = denial.Action,
                ["resource"] = denial.Resource,
                ["conditions"] = new JsonObject { ["items"] = new JsonArray() },
            },
        };
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(document.ToJsonString())).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>The decoded document, or null when the text is not a message the local EC2 encoded.</summary>
    public static string? Decode(string encoded)
    {
        try
        {
            var base64 = encoded.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(base64));
            return JsonNode.Parse(text) is JsonObject o && o.ContainsKey("allowed") ? text : null;
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
