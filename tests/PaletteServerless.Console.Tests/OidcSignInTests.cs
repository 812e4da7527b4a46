using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Collections.Specialized;
using System.Web;
using Microsoft.Playwright;
using PaletteServerless.Manifest;
using static Microsoft.Playwright.Assertions;

namespace PaletteServerless.Console.Tests;

/// <summary>
/// The deployed sign-in: config.json names an OIDC issuer and client (as CDK generates it), and the
/// console runs the authorization code flow with PKCE and a nonce against it. The issuer here is answered
/// inside the browser (Playwright routes); its token is one the local stack's authorizer accepts. The page
/// runs under the Content-Security-Policy CloudFront sends for that issuer.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class OidcSignInTests(ConsoleFixture fixture)
{
    private const string Issuer = "https://idp.example.test";
    private const string ClientId = "console-client";

    /// <summary>
    /// The console as deployed: config.json names the issuer, and the page carries the policy CloudFront sends,
    /// whose connect-src names the issuer's origin (the local stack's names its own origin only).
    /// </summary>
    private static async Task ServeAsDeployedAsync(IPage page)
    {
        await page.RouteAsync("**/config.json", route => route.FulfillAsync(new()
        {
            ContentType = "application/json",
            Body = new JsonObject { ["apiUrl"] = "", ["auth"] = new JsonObject { ["mode"] = "oidc", ["issuer"] = Issuer, ["clientId"] = ClientId } }.ToJsonString(),
        }));
        await page.RouteAsync(url => new Uri(url).AbsolutePath == "/", async route =>
        {
            var served = await route.FetchAsync();
            var headers = new Dictionary<string, string>(served.Headers)
            {
                ["content-security-policy"] = ConsoleSecurityHeaders.ContentSecurityPolicy(Issuer),
            };
            await route.FulfillAsync(new() { Response = served, Headers = headers });
        });
    }

    /// <summary>
    /// Answers for the identity provider: discovery, an authorization that signs the user in at once, and a
    /// token endpoint whose ID token carries the nonce <paramref name="nonceOf"/> picks from the authorization request.
    /// </summary>
    private async Task ActAsIdentityProviderAsync(IPage page, string project, Func<NameValueCollection, string?> nonceOf,
        Action<NameValueCollection>? onAuthorize = null, Action<NameValueCollection>? onToken = null)
    {
        NameValueCollection? authorize = null;
        var cors = new Dictionary<string, string> { ["Access-Control-Allow-Origin"] = "*" };
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
                    // The identity provider signs the user in and sends the browser back with a code. From a page of
                    // its own rather than a 302: Playwright routes no request a redirect makes, and the console's
                    // page must come through ServeAsDeployedAsync, with the deployed policy.
                    authorize = HttpUtility.ParseQueryString(url.Query);
                    onAuthorize?.Invoke(authorize);
                    var back = $"{authorize["redirect_uri"]}?code=the-code&state={Uri.EscapeDataString(authorize["state"]!)}";
                    await route.FulfillAsync(new()
                    {
                        ContentType = "text/html",
                        Body = $"""<!doctype html><meta http-equiv="refresh" content="0;url={HttpUtility.HtmlAttributeEncode(back)}">""",
                    });
                    break;
                case "/token":
                    onToken?.Invoke(HttpUtility.ParseQueryString(route.Request.PostData ?? ""));
                    await route.FulfillAsync(new()
                    {
                        ContentType = "application/json", Headers = cors,
                        Body = new JsonObject
                        {
                            ["id_token"] = fixture.Stack.Tokens.Mint("oidc-user", "acme", [$"project-admin:{project}"], nonce: nonceOf(authorize!)),
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
    }

    [Fact]
    public async Task Deployed_sign_in_runs_the_authorization_code_flow_with_pkce_and_a_nonce_against_the_configured_issuer()
    {
        const string project = "oidc";
        var page = await fixture.NewPageAsync();
        NameValueCollection? authorize = null;
        NameValueCollection? tokenRequest = null;
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
                violations.Add(message.Text);
        };
        await ServeAsDeployedAsync(page);
        // A real provider echoes the authorization request's nonce into the ID token.
        await ActAsIdentityProviderAsync(page, project, request => request["nonce"], onAuthorize: a => authorize = a, onToken: t => tokenRequest = t);

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
        authorize["nonce"].Should().NotBeNullOrEmpty().And.NotBe(authorize["state"], "the nonce is a value of its own");
        Base64UrlDecode(authorize["nonce"]!).Length.Should().BeGreaterThanOrEqualTo(16, "128 random bits at least");
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
        violations.Should().BeEmpty("the sign-in runs under the deployed policy without breaking it");
        await fixture.ScreenshotOf(page, "13-oidc-signed-in");
    }

    [Fact]
    public async Task An_id_token_whose_nonce_is_not_the_one_sent_is_refused()
    {
        const string project = "oidc-replayed";
        var page = await fixture.NewPageAsync();
        await ServeAsDeployedAsync(page);
        // A token minted for another sign-in (its nonce is someone else's), handed to this one.
        await ActAsIdentityProviderAsync(page, project, _ => "a-nonce-of-another-sign-in");

        await page.GotoAsync("/");
        await page.GetByLabel("Project").FillAsync(project);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with your identity provider" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("nonce");
        (await page.EvaluateAsync<string?>("() => sessionStorage.getItem('palette.session')")).Should().BeNull("no token of another sign-in is kept");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Clusters" })).Not.ToBeVisibleAsync();
    }

    [Fact]
    public async Task An_id_token_without_a_nonce_is_refused()
    {
        const string project = "oidc-no-nonce";
        var page = await fixture.NewPageAsync();
        await ServeAsDeployedAsync(page);
        await ActAsIdentityProviderAsync(page, project, _ => null);

        await page.GotoAsync("/");
        await page.GetByLabel("Project").FillAsync(project);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with your identity provider" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("nonce");
        (await page.EvaluateAsync<string?>("() => sessionStorage.getItem('palette.session')")).Should().BeNull();
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

    private static byte[] Base64UrlDecode(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + (4 - padded.Length % 4) % 4, '='));
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
