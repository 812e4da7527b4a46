namespace PaletteServerless.Cli.Config;

/// <summary>
/// Where to send requests and as whom: a command-line option wins over the environment
/// (PSCTL_ENDPOINT, PSCTL_TOKEN, PSCTL_PROJECT), which wins over the config file.
/// </summary>
public sealed record Settings(Uri Endpoint, string? Token, string? Project)
{
    /// <summary>The local stack's default port; psctl is first used against it.</summary>
    public const string DefaultEndpoint = "http://127.0.0.1:4566";

    public static Settings Resolve(CliHost host, ConfigFile file, string? endpointOption, string? projectOption)
    {
        var stored = file.Load();
        string? Pick(string? option, string variable, string key) =>
            NonEmpty(option) ?? NonEmpty(host.Environment(variable)) ?? NonEmpty(stored.GetValueOrDefault(key));
        var endpoint = Pick(endpointOption, "PSCTL_ENDPOINT", "endpoint") ?? DefaultEndpoint;
        return new Settings(ParseEndpoint(endpoint), Pick(null, "PSCTL_TOKEN", "token"), Pick(projectOption, "PSCTL_PROJECT", "project"));
    }

    public static Uri ParseEndpoint(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw CliException.Usage($"endpoint: '{text}' is not an http or https URL");
        return new Uri(uri.ToString().TrimEnd('/') + "/");
    }

    public string RequireProject() => Project
        ?? throw CliException.Usage("no project: pass --project P, set PSCTL_PROJECT, or run `psctl config set project P`");

    public string RequireToken() => Token
        ?? throw CliException.Usage("no token: run `psctl login --local ...` against the local stack, set PSCTL_TOKEN, or run `psctl config set token TOKEN`");

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
