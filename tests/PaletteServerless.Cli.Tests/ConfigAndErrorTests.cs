using System.Net;
using PaletteServerless.Cli.Api;

namespace PaletteServerless.Cli.Tests;

public sealed class ConfigAndErrorTests
{
    [Fact]
    public async Task Config_set_stores_the_token_in_a_file_only_its_owner_can_read()
    {
        using var user = new PsctlUser();
        var set = await user.RunAsync("config", "set", "token", "secret-token-value");
        set.ExitCode.Should().Be(0, set.ToString());
        var file = Path.Combine(user.ConfigDirectory, "config.json");
        File.ReadAllText(file).Should().Contain("secret-token-value");
        if (!OperatingSystem.IsWindows())
            File.GetUnixFileMode(file).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        (await user.RunAsync("config", "view")).Out.Should().NotContain("secret-token-value", "a token is never printed whole");
    }

    [Fact]
    public async Task The_endpoint_option_wins_over_the_environment_which_wins_over_the_file()
    {
        using var user = new PsctlUser();
        (await user.RunAsync("config", "set", "endpoint", "http://file.example:1")).ExitCode.Should().Be(0);
        (await user.RunAsync("config", "set", "project", "from-file")).ExitCode.Should().Be(0);
        (await user.RunAsync("config", "view")).Out.Should().Contain("endpoint:    http://file.example:1").And.Contain("project:     from-file");

        user.Environment["PSCTL_ENDPOINT"] = "http://env.example:2";
        user.Environment["PSCTL_PROJECT"] = "from-env";
        (await user.RunAsync("config", "view")).Out.Should().Contain("endpoint:    http://env.example:2").And.Contain("project:     from-env");

        (await user.RunAsync("config", "view", "--endpoint", "http://option.example:3", "--project", "from-option")).Out
            .Should().Contain("endpoint:    http://option.example:3").And.Contain("project:     from-option");
    }

    [Fact]
    public async Task An_unreachable_endpoint_exits_3_naming_it()
    {
        using var refusing = PaletteServerless.Testing.LoopbackHttpListener.RefusingPort(out var port);
        using var user = new PsctlUser(new Uri($"http://127.0.0.1:{port}"));
        user.Environment["PSCTL_TOKEN"] = "t";
        user.Environment["PSCTL_PROJECT"] = "p";
        var result = await user.RunAsync("clusters", "list");
        result.ExitCode.Should().Be(3, result.ToString());
        result.Error.Should().StartWith($"error: cannot reach the API at http://127.0.0.1:{port}/").And.NotContain("   at ");
    }

    [Theory]
    [InlineData("clusters", "frobnicate")]
    [InlineData("clusters")]
    [InlineData("clusters", "get")]
    [InlineData("clusters", "get", "x", "-o", "xml")]
    [InlineData("config", "set", "colour", "blue")]
    [InlineData("config", "set", "endpoint", "ftp://x")]
    [InlineData("clusters", "create", "-f", "/nonexistent/spec.yaml")]
    [InlineData("login")]
    public async Task Usage_errors_exit_2_without_sending_anything(params string[] args)
    {
        using var user = new PsctlUser(new Uri("http://127.0.0.1:9"));
        user.Environment["PSCTL_TOKEN"] = "t";
        user.Environment["PSCTL_PROJECT"] = "p";
        var result = await user.RunAsync(args);
        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().StartWith("error: ");
    }

    [Fact]
    public async Task Without_a_project_or_a_token_psctl_says_how_to_set_them()
    {
        using var user = new PsctlUser(new Uri("http://127.0.0.1:9"));
        user.Environment["PSCTL_TOKEN"] = "t";
        var noProject = await user.RunAsync("clusters", "list");
        noProject.ExitCode.Should().Be(2);
        noProject.Error.Should().Contain("psctl config set project");

        user.Environment.Remove("PSCTL_TOKEN");
        user.Environment["PSCTL_PROJECT"] = "p";
        var noToken = await user.RunAsync("clusters", "list");
        noToken.ExitCode.Should().Be(2);
        noToken.Error.Should().Contain("psctl login --local");
    }

    [Fact]
    public async Task Help_lists_every_noun()
    {
        using var user = new PsctlUser();
        var help = await user.RunAsync("--help");
        help.ExitCode.Should().Be(0);
        help.Out.Should().Contain("cloudaccounts").And.Contain("profiles").And.Contain("clusters").And.Contain("orphans").And.Contain("login").And.Contain("config");
    }

    [Fact]
    public void A_problem_becomes_its_title_detail_and_one_field_message_line_per_error()
    {
        var problem = ApiException.From(HttpStatusCode.BadRequest, """
            {"type":"t","title":"Bad Request","status":400,"detail":"see errors","errors":[{"field":"nodePools[1].count","message":"must be 1-500"},{"field":"name","message":"is required"}]}
            """, new Uri("http://x/"), "v1/projects/p/clusters");
        problem.ExitCode.Should().Be(1);
        problem.Message.Should().Be("400 Bad Request: see errors");
        problem.Details.Should().Equal("nodePools[1].count: must be 1-500", "name: is required");

        var notJson = ApiException.From(HttpStatusCode.BadGateway, "<html>", new Uri("http://x/"), "v1/p");
        notJson.Message.Should().Be("502 BadGateway (http://x/v1/p)");
    }
}
