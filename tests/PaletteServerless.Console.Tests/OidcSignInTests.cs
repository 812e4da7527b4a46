using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Collections.Specialized;
using System.Web;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace PaletteServerless.Console.Tests;

/// <summary>
/// The deployed sign-in: config.json names an OIDC issuer and client (as CDK generates it), and the
/// console runs the authorization code flow with PKCE against it. The issuer here is answered inside
/// the browser (Playwright routes); its token is one the local stack's authorizer accepts.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class OidcSignInTests(ConsoleFixture fixture)
{
    private const string Issuer = "https://idp.example.test";
    private const string ClientId = "console-client";

    [Fact]
    public async Task Deployed_sign_in_runs_the_authorization_code_flow_with_pkce_against_the_configured_issuer()
    {
        const string project = "oidc";
        var page = await fixture.NewPageAsync();
        NameValueCollection? authorize = null;
        NameValueCollection? tokenRequest = null;
        var cors = new Dictionary<string, string> { ["Access-Control-Allow-Origin"] = "*" };

        await page.RouteAsync("**/config.json", route => route.FulfillAsync(new()
        {
            ContentType = "application/json",
            Body = new JsonObject { ["apiUrl"] = "", ["auth"] = new JsonObject { ["mode"] = "oidc", ["issuer"] = Issuer, ["clientId"] = ClientId } }.ToJsonString(),
        }));
        await page.RouteAsync($"{Issuer}/**", async route =>
        {
            var url = new Uri(route.Request.Url);
            switch (url.AbsolutePath)
            {
                case "/.well-known/openid-configuration":
                    await route.FulfillAsync(new()
                    {
                        ContentType = "application/json", Headers = cors,
                        Body = new JsonObject { ["issuer"] = Issuer, ["authorization_endpoint"] = $"{Issuer}/authorize", ["token_endpoint"] = $"{Issuer}/token" }.ToJsonString(),
                    });
                    break;
                case "/authorize":
                    // The identity provider signs the user in and sends the browser back with a code.
                    authorize = HttpUtility.ParseQueryString(url.Query);
                    var back = $"{authorize["redirect_uri"]}?code=the-code&state={Uri.EscapeDataString(authorize["state"]!)}";
                    await route.FulfillAsync(new() { Status = 302, Headers = new Dictionary<string, string> { ["Location"] = back } });
                    break;
                case "/token":
                    tokenRequest = HttpUtility.ParseQueryString(route.Request.PostData ?? "");
                    await route.FulfillAsync(new()
                    {
                        ContentType = "application/json", Headers = cors,
                        Body = new JsonObject
                        {
                            ["id_token"] = fixture.Stack.Tokens.Mint("oidc-user", "acme", [$"project-admin:{project}"]),
                            ["access_token"] = "opaque",
                            ["token_type"] = "Bearer",
                            ["expires_in"] = 3600,
                        }.ToJsonString(),
                    });
                    break;
                default:
                    await route.FulfillAsync(new() { Status = 404 });
                    break;
            }
        });

        await page.GotoAsync("/");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in", Exact = true })).ToBeVisibleAsync();
        await page.GetByLabel("Project").FillAsync(project);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with your identity provider" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Clusters" })).ToBeVisibleAsync();
        await Expect(page.Locator("#nav")).ToContainTextAsync($"oidc-user · acme / {project}");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Add New Cluster" })).ToBeVisibleAsync();
        page.Url.Should().NotContain("code=", "the code leaves the address bar once it is used");

        authorize.Should().NotBeNull();
        authorize!["response_type"].Should().Be("code");
        authorize["client_id"].Should().Be(ClientId);
        authorize["code_challenge_method"].Should().Be("S256");
        authorize["redirect_uri"].Should().Be(fixture.Stack.Endpoint.ToString());
        tokenRequest.Should().NotBeNull();
        tokenRequest!["grant_type"].Should().Be("authorization_code");
        tokenRequest["code"].Should().Be("the-code");
        tokenRequest["client_id"].Should().Be(ClientId);
        tokenRequest["redirect_uri"].Should().Be(authorize["redirect_uri"]);
        // PKCE (RFC 7636): the verifier sent with the code hashes to the challenge sent before it.
        var verifier = tokenRequest["code_verifier"]!;
        verifier.Length.Should().BeInRange(43, 128);
        Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))).Should().Be(authorize["code_challenge"]);
        await fixture.ScreenshotOf(page, "13-oidc-signed-in");
    }

    [Fact]
    public async Task An_answer_whose_state_does_not_match_the_request_is_refused()
    {
        var page = await fixture.NewPageAsync();
        await page.RouteAsync("**/config.json", route => route.FulfillAsync(new()
        {
            ContentType = "application/json",
            Body = new JsonObject { ["apiUrl"] = "", ["auth"] = new JsonObject { ["mode"] = "oidc", ["issuer"] = Issuer, ["clientId"] = ClientId } }.ToJsonString(),
        }));
        // A code arriving without a sign-in this tab started (a forged or replayed redirect).
        await page.GotoAsync("/?code=stolen&state=forged");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("does not match");
        (await page.EvaluateAsync<string?>("() => sessionStorage.getItem('palette.session')")).Should().BeNull();
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
