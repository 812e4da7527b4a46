using PaletteServerless.Domain.Validation;

namespace PaletteServerless.Api.Http;

/// <summary>RFC 9457 problem details, with the fields that broke a rule.</summary>
public sealed record Problem
{
    public required string Type { get; init; }
    public required string Title { get; init; }
    public required int Status { get; init; }
    public string? Detail { get; init; }
    public string? Instance { get; init; }
    public List<ValidationError>? Errors { get; init; }

    public static Problem Of(int status, string detail, string? instance, List<ValidationError>? errors = null) => new()
    {
        Type = "https://palette-serverless.dev/problems/" + Slug(status),
        Title = TitleOf(status),
        Status = status,
        Detail = detail,
        Instance = instance,
        Errors = errors,
    };

    private static string TitleOf(int status) => status switch
    {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        503 => "Service Unavailable",
        _ => "Internal Server Error",
    };

    private static string Slug(int status) => TitleOf(status).ToLowerInvariant().Replace(' ', '-');
}
