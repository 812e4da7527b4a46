using System.Text.RegularExpressions;
using PaletteServerless.Manifest;
using static Microsoft.Playwright.Assertions;

namespace PaletteServerless.Console.Tests;

/// <summary>
/// The console runs under the Content-Security-Policy CloudFront sends (the local stack sends the same one):
/// its own files only, nothing inline. The policy is enforced, and the console needs nothing it forbids.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed partial class ContentSecurityPolicyTests(ConsoleFixture fixture)
{
    [Fact]
    public async Task The_console_is_served_with_the_manifest_s_security_headers()
    {
        var page = await fixture.NewPageAsync();

        var response = await page.GotoAsync("/");

        var headers = await response!.AllHeadersAsync();
        headers["content-security-policy"].Should().Be(ConsoleSecurityHeaders.ContentSecurityPolicy());
        headers["x-frame-options"].Should().Be(ConsoleSecurityHeaders.FrameOptions);
        headers["x-content-type-options"].Should().Be(ConsoleSecurityHeaders.ContentTypeOptions);
        headers["referrer-policy"].Should().Be(ConsoleSecurityHeaders.ReferrerPolicy);
        headers.Should().NotContainKey("strict-transport-security", "plain HTTP on the loopback: see ConsoleSite");
    }

    [Fact]
    public async Task Script_that_is_not_one_of_the_console_s_files_does_not_run()
    {
        var console = new ConsolePage(fixture, await fixture.NewPageAsync(), "csp");
        var page = console.Page;
        var violations = console.ContentSecurityPolicyViolations();
        await console.SignInAsync();

        // What an injection would add: an inline script, an inline handler, a javascript: link.
        await page.EvaluateAsync("""
            () => {
              const script = document.createElement('script');
              script.textContent = 'window.injected = "inline script"';
              document.body.append(script);
              const button = document.createElement('button');
              button.id = 'injected-button';
              button.setAttribute('onclick', 'window.injected = "inline handler"');
              button.textContent = 'injected';
              document.body.append(button);
              const link = document.createElement('a');
              link.id = 'injected-link';
              link.href = 'javascript:window.injected = "javascript url"';
              link.textContent = 'injected';
              document.body.append(link);
            }
            """);
        await page.Locator("#injected-button").ClickAsync();
        await page.Locator("#injected-link").ClickAsync();

        (await page.EvaluateAsync<string?>("() => window.injected ?? null")).Should().BeNull();
        await Expect(page.GetByRole(Microsoft.Playwright.AriaRole.Heading, new() { Name = "Clusters" })).ToBeVisibleAsync();
        // The browser reports each refusal as it happens; the reports arrive a moment after the clicks.
        for (var i = 0; i < 50 && violations.Count < 3; i++)
            await Task.Delay(100);
        violations.Should().HaveCountGreaterThanOrEqualTo(3, "each injection is refused by the policy, and says so");
    }

    [Fact]
    public void The_console_s_files_hold_nothing_inline_that_the_policy_would_refuse()
    {
        var root = RepositoryLayout.ConsoleDirectory(RepositoryLayout.FindRootOfBinaries());
        var problems = new List<string>();
        foreach (var file in Directory.EnumerateFiles(root, "*.*", SearchOption.AllDirectories).Where(f => f.EndsWith(".html", StringComparison.Ordinal) || f.EndsWith(".js", StringComparison.Ordinal)))
        {
            var text = File.ReadAllText(file);
            var name = Path.GetRelativePath(root, file);
            if (InlineScript().IsMatch(text))
                problems.Add($"{name}: a <script> without src");
            if (file.EndsWith(".html", StringComparison.Ordinal) && (InlineHandler().IsMatch(text) || text.Contains("style=", StringComparison.Ordinal)))
                problems.Add($"{name}: an inline handler or style attribute");
            if (text.Contains("javascript:", StringComparison.Ordinal) || text.Contains("eval(", StringComparison.Ordinal) || text.Contains("new Function(", StringComparison.Ordinal))
                problems.Add($"{name}: a javascript: URL or eval");
            if (StyleAttribute().IsMatch(text))
                problems.Add($"{name}: sets a style attribute (style-src 'self' refuses it; use a class) or writes HTML from text");
        }
        problems.Should().BeEmpty();
    }

    [GeneratedRegex(@"<script(?![^>]*\bsrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    [GeneratedRegex(@"\son[a-z]+\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex InlineHandler();

    [GeneratedRegex(@"setAttribute\(\s*['""]style['""]|[{,]\s*style\s*:|\.innerHTML\b|\.outerHTML\b|insertAdjacentHTML")]
    private static partial Regex StyleAttribute();
}
