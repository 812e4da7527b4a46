using System.CommandLine;
using System.Text.Json.Nodes;
using PaletteServerless.Cli.Api;
using PaletteServerless.Cli.Output;

namespace PaletteServerless.Cli.Commands;

/// <summary>`psctl login --local`: a token from the local stack's stand-in identity provider, saved in the config file.</summary>
public static class LoginCommand
{
    public static Command Build(CommandContext context)
    {
        var local = new Option<bool>("--local") { Description = "Get the token from the local stack's /local/token (the only identity provider psctl can talk to)" };
        var tenant = new Option<string>("--tenant") { Description = "Tenant of the token", DefaultValueFactory = _ => "acme" };
        var role = new Option<string>("--role") { Description = "tenant-admin, project-admin, project-editor or project-viewer", DefaultValueFactory = _ => "project-admin" };
        role.AcceptOnlyFromAmong("tenant-admin", "project-admin", "project-editor", "project-viewer");
        var subject = new Option<string>("--subject") { Description = "Who you are (the token's sub)", DefaultValueFactory = _ => Environment.UserName };
        var login = new Command("login", "Get a bearer token for a role in --project (or tenant-admin) from the local stack and save it, with the project as default") { local, tenant, role, subject };
        context.SetAction(login, async (run, ct) =>
        {
            if (!run.Value(local))
                throw CliException.Usage("only the local stack issues tokens to psctl: pass --local, or get a token from your identity provider and run `psctl config set token TOKEN`");
            var roleName = run.Value(role);
            // The global --project names the project the role applies to; it is saved as the default project too.
            var projectName = run.ProjectGiven;
            if (roleName != "tenant-admin" && string.IsNullOrWhiteSpace(projectName))
                throw CliException.Usage($"--project is required for role {roleName}");
            var request = new JsonObject
            {
                ["tenant"] = run.Value(tenant),
                ["project"] = projectName,
                ["role"] = roleName,
                ["subject"] = run.Value(subject),
            };
            using var api = new ApiClient(run.Settings.Endpoint, token: null);
            var answer = await api.PostAsync("local/token", request.ToJsonString(), ct);
            var token = answer.TextOrNull("token") ?? throw new CliException(ExitCodes.ApiError, "/local/token answered without a token");
            run.ConfigFile.Set("token", token);
            if (!string.IsNullOrWhiteSpace(projectName))
                run.ConfigFile.Set("project", projectName);
            if (run.EndpointGiven)
                run.ConfigFile.Set("endpoint", run.Settings.Endpoint.ToString().TrimEnd('/'));
            var roles = string.Join(", ", answer["claims"].Items("roles").Select(r => r.GetValue<string>()));
            var hours = answer.Number("expiresIn") is { } seconds ? $", valid {Json.Duration(TimeSpan.FromSeconds((double)seconds))}" : "";
            run.Host.Out.WriteLine($"logged in to {run.Settings.Endpoint.ToString().TrimEnd('/')} as {run.Value(subject)} (tenant {run.Value(tenant)}, {roles}{hours})");
            run.Host.Out.WriteLine($"token saved in {run.ConfigFile.Path}");
            return ExitCodes.Ok;
        });
        return login;
    }
}
