namespace PaletteServerless.Cli.Tests;

/// <summary>The tenant claim's rule as a user meets it: the local login refuses the name, the API a token that carries one.</summary>
[Collection(PsctlStackCollection.Name)]
public sealed class TenantRuleTests(PsctlStack stack)
{
    private const string Rule = "^[a-z0-9][a-z0-9-]{0,62}$";

    [Theory]
    [InlineData("Acme")]
    [InlineData("acme/../other")]
    [InlineData("acme corp")]
    public async Task The_local_login_refuses_a_tenant_that_breaks_the_rule_and_saves_no_token(string tenant)
    {
        using var user = new PsctlUser(stack.Endpoint);
        var login = await user.RunAsync("login", "--local", "--tenant", tenant, "--project", "demo");

        login.ExitCode.Should().Be(1, login.ToString());
        login.Error.Should().Contain("400").And.Contain($"tenant must match {Rule}");
        var config = Path.Combine(user.ConfigDirectory, "config.json");
        (File.Exists(config) ? File.ReadAllText(config) : "").Should().NotContain("token");
    }

    [Fact]
    public async Task A_token_whose_tenant_breaks_the_rule_is_a_401_naming_the_claim()
    {
        using var user = new PsctlUser(stack.Endpoint);
        (await user.RunAsync("config", "set", "token", stack.Stack.Tokens.Mint("me", "Acme", ["tenant-admin"]))).ExitCode.Should().Be(0);

        var list = await user.RunAsync("clusters", "list", "--project", "demo");

        list.ExitCode.Should().Be(1, list.ToString());
        list.Error.Should().Contain("401").And.Contain($"tenant: must match {Rule}");
    }
}
