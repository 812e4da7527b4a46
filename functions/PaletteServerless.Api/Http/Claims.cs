using System.Text.Json;
using System.Text.Json.Nodes;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Identity;

namespace PaletteServerless.Api.Http;

/// <summary>
/// Reads the caller from requestContext.authorizer.jwt.claims. API Gateway's JWT authorizer
/// passes claims as strings and flattens arrays to "[a b]"; a JSON array text or a real array
/// (as a local host may send) is read too.
/// </summary>
public static class Claims
{
    public static Caller ToCaller(Dictionary<string, JsonNode?>? claims)
    {
        if (claims is null || claims.Count == 0)
            throw new UnauthenticatedException("no identity came with the request: send a bearer token");
        var subject = Text(claims, "sub");
        var tenant = Text(claims, "tenant");
        if (string.IsNullOrWhiteSpace(subject) || string.IsNullOrWhiteSpace(tenant))
            throw new UnauthenticatedException("the token must carry the claims 'sub' and 'tenant'");
        return new Caller(subject, tenant, Roles(claims.GetValueOrDefault("roles")));
    }

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
