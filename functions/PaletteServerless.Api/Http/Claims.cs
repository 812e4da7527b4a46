using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Validation;

namespace PaletteServerless.Api.Http;

/// <summary>
/// Reads the caller from requestContext.authorizer.jwt.claims. API Gateway's JWT authorizer
/// passes claims as strings and flattens arrays to "[a b]"; a JSON array text or a real array
/// (as a local host may send) is read too. A signed token is still input: its tenant and subject
/// become storage keys, SSM parameter paths, AWS tags, event text and certificate subjects, so each
/// must keep its rule or the request is a 401 naming the claim and the rule.
/// </summary>
public static partial class Claims
{
    /// <summary>
    /// The tenant claim's rule: a DNS-label-like name of 1 to 63 characters. It is a path segment
    /// (<c>/palette-serverless/{tenant}/...</c> in SSM), part of every storage key and an AWS tag value:
    /// a '/', '#', '*', whitespace or an uppercase twin could reach another tenant's keys or paths.
    /// </summary>
    public const string TenantRule = "^[a-z0-9][a-z0-9-]{0,62}$";

    /// <summary>OpenID Connect Core limits sub to 255 ASCII characters; ours may be any Unicode, bounded the same.</summary>
    public const int MaxSubjectLength = 255;

    public static Caller ToCaller(Dictionary<string, JsonNode?>? claims)
    {
        if (claims is null || claims.Count == 0)
            throw new UnauthenticatedException("no identity came with the request: send a bearer token");
        var subject = Text(claims, "sub");
        var tenant = Text(claims, "tenant");
        if (string.IsNullOrWhiteSpace(subject) || string.IsNullOrWhiteSpace(tenant))
            throw new UnauthenticatedException("the token must carry the claims 'sub' and 'tenant'");
        if (TenantProblem(tenant) is { } tenantProblem)
            throw Refused("tenant", tenantProblem);
        if (SubjectProblem(subject) is { } subjectProblem)
            throw Refused("sub", subjectProblem);
        return new Caller(subject, tenant, Roles(claims.GetValueOrDefault("roles")));
    }

    /// <summary>Why <paramref name="tenant"/> breaks <see cref="TenantRule"/>, or null when it keeps it.</summary>
    public static string? TenantProblem(string tenant) => TenantPattern().IsMatch(tenant)
        ? null
        : $"must match {TenantRule}: 1 to 63 lowercase letters, digits and '-', starting with a letter or digit";

    /// <summary>
    /// Why <paramref name="subject"/> cannot be used, or null. It is written into events, statuses and
    /// client certificates: no control character (a line break would forge a line of an event or log),
    /// no broken UTF-16 (it could not be stored or encoded), at most <see cref="MaxSubjectLength"/> characters.
    /// </summary>
    public static string? SubjectProblem(string subject)
    {
        if (subject.Length > MaxSubjectLength)
            return $"must be at most {MaxSubjectLength} characters long";
        if (subject.Any(char.IsControl))
            return "must not contain control characters (such as line breaks or tabs)";
        for (var i = 0; i < subject.Length; i++)
        {
            if (char.IsHighSurrogate(subject[i]) && i + 1 < subject.Length && char.IsLowSurrogate(subject[i + 1]))
                i++;
            else if (char.IsSurrogate(subject[i]))
                return "must be valid Unicode (it holds an unpaired surrogate)";
        }
        return null;
    }

    private static UnauthenticatedException Refused(string claim, string rule) =>
        new($"the token's claim '{claim}' {rule}", new ValidationError(claim, rule));

    // \z, not $: $ also matches before a final line break, and "acme\n" is not a tenant.
    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{0,62}\z")]
    private static partial Regex TenantPattern();

    private static string? Text(Dictionary<string, JsonNode?> claims, string name) =>
        claims.GetValueOrDefault(name) is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    public static IReadOnlyList<string> Roles(JsonNode? node)
    {
        switch (node)
        {
            case JsonArray array:
                return array.Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null).OfType<string>().ToList();
            case JsonValue value when value.TryGetValue<string>(out var text):
                text = text.Trim();
                if (text.StartsWith('[') && text.Contains('"'))
                {
                    try
                    {
                        return Roles(JsonNode.Parse(text));
                    }
                    catch (JsonException)
                    {
                        // Not JSON after all: read it as API Gateway's "[a b]" form below.
                    }
                }
                return text.Trim('[', ']').Split([' ', ','], StringSplitOptions.RemoveEmptyEntries);
            default:
                return [];
        }
    }
}
