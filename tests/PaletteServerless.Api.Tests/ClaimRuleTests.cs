using System.Text.Json.Nodes;
using PaletteServerless.Api.Http;
using PaletteServerless.Api.Tests.Support;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Testing;

namespace PaletteServerless.Api.Tests;

/// <summary>
/// The token's tenant and sub are input: a tenant that breaks its rule, or a subject that is too long or
/// holds control characters, is a 401 naming the claim and the rule, and nothing is read or stored.
/// </summary>
public class ClaimRuleTests(StoreFixture fixture) : IClassFixture<StoreFixture>
{
    private readonly ApiHarness _api = new(fixture);

    private static Dictionary<string, JsonNode?> ClaimsOf(string subject, string tenant) => new()
    {
        ["sub"] = subject,
        ["tenant"] = tenant,
        ["roles"] = "[tenant-admin]",
    };

    [Theory]
    [InlineData("a")]
    [InlineData("acme")]
    [InlineData("0day")]
    [InlineData("acme-eu-2")]
    [InlineData("trailing-")]
    [InlineData("t0123456789")]
    public void A_tenant_of_lowercase_letters_digits_and_dashes_is_read(string tenant) =>
        Claims.ToCaller(ClaimsOf("alice", tenant)).Tenant.Should().Be(tenant);

    [Fact]
    public void The_longest_tenant_is_63_characters()
    {
        var longest = "a" + new string('b', 62);
        Claims.ToCaller(ClaimsOf("alice", longest)).Tenant.Should().Be(longest);
        FluentActions.Invoking(() => Claims.ToCaller(ClaimsOf("alice", longest + "c"))).Should().Throw<UnauthenticatedException>();
    }

    [Theory]
    [InlineData("Acme")]
    [InlineData("-acme")]
    [InlineData("acme\n")]
    [InlineData("acme corp")]
    [InlineData("acme/../other")]
    [InlineData("acme#PROJECT#web")]
    [InlineData("acme*")]
    [InlineData("acme.example")]
    [InlineData("acme_corp")]
    [InlineData("ācme")]
    [InlineData("acme'; rm -rf /")]
    public void Any_other_tenant_is_refused_naming_the_claim_and_its_rule(string tenant)
    {
        var refused = FluentActions.Invoking(() => Claims.ToCaller(ClaimsOf("alice", tenant))).Should().Throw<UnauthenticatedException>().Which;
        refused.Message.Should().Contain("'tenant'").And.Contain(Claims.TenantRule);
        refused.Claim!.Field.Should().Be("tenant");
        refused.Claim.Message.Should().Contain(Claims.TenantRule);
    }

    [Theory]
    [InlineData("alice")]
    [InlineData("auth0|5f7c8ec7c33c6c004bbafe82")]
    [InlineData("bob@example.com")]
    [InlineData("Zoë Ω 山田")]
    [InlineData("😀 emoji")]
    public void A_subject_of_printable_text_is_read_as_it_is(string subject) =>
        Claims.ToCaller(ClaimsOf(subject, "acme")).Subject.Should().Be(subject);

    [Theory]
    [InlineData("alice\nCreated: cluster accepted by root", "control characters")]
    [InlineData("alice\r", "control characters")]
    [InlineData("al\tice", "control characters")]
    [InlineData("alice\u0000", "control characters")]
    [InlineData("alice\u001b[31m", "control characters")]
    [InlineData("alice\u0085", "control characters")]
    public void A_subject_with_control_characters_or_broken_unicode_is_refused_naming_sub(string subject, string rule)
    {
        var refused = FluentActions.Invoking(() => Claims.ToCaller(ClaimsOf(subject, "acme"))).Should().Throw<UnauthenticatedException>().Which;
        refused.Claim!.Field.Should().Be("sub");
        refused.Message.Should().Contain("'sub'").And.Contain(rule);
    }

    [Fact]
    public void A_subject_with_an_unpaired_surrogate_is_refused_naming_sub()
    {
        // Not theory data: test runners write theory arguments out as text, which a lone surrogate is not.
        foreach (var subject in new[] { "alice" + (char)0xD800, (char)0xDC00 + "alice", "a" + (char)0xDC00 + (char)0xD800 })
        {
            FluentActions.Invoking(() => Claims.ToCaller(ClaimsOf(subject, "acme"))).Should().Throw<UnauthenticatedException>()
                .Which.Claim!.Field.Should().Be("sub");
        }
    }

    [Fact]
    public void A_subject_is_at_most_255_characters()
    {
        Claims.ToCaller(ClaimsOf(new string('s', 255), "acme")).Subject.Should().HaveLength(255);
        FluentActions.Invoking(() => Claims.ToCaller(ClaimsOf(new string('s', 256), "acme"))).Should().Throw<UnauthenticatedException>()
            .Which.Message.Should().Contain("'sub'").And.Contain("at most 255");
    }

    [Fact]
    public async Task Through_the_API_a_bad_tenant_is_a_401_problem_naming_the_claim_and_the_rule_and_nothing_is_stored()
    {
        var hostile = "acme/../" + _api.Tenant;
        var create = await _api.SendAsync(ApiCall.Post("/v1/projects/web/cloudaccounts").By(new Identity(hostile, ["tenant-admin"]))
            .WithJson(ApiHarness.AccountJson("sneaky")));

        create.Status.Should().Be(401, create.ToString());
        create.ContentType.Should().Be("application/problem+json");
        create.Body!["title"]!.GetValue<string>().Should().Be("Unauthorized");
        create.Body["detail"]!.GetValue<string>().Should().Contain("'tenant'").And.Contain(Claims.TenantRule);
        create.ErrorFields.Should().Equal("tenant");
        create.Text.Should().NotContain("../", "the refused value is not echoed back");

        foreach (var tenant in new[] { hostile, _api.Tenant })
            (await ((ICloudAccountStore)_api.Store).GetAsync(new ProjectScope(tenant, "web"), "sneaky", CancellationToken.None)).Should().BeNull();
    }

    [Fact]
    public async Task Through_the_API_a_subject_with_a_line_break_is_a_401_naming_sub()
    {
        var response = await _api.SendAsync(ApiCall.Get("/v1/projects/web/clusters").By(new Identity(_api.Tenant, ["tenant-admin"], "root\nforged")));
        response.Status.Should().Be(401, response.ToString());
        response.ErrorFields.Should().Equal("sub");
        response.Body!["detail"]!.GetValue<string>().Should().Contain("control characters");

        var fine = await _api.SendAsync(ApiCall.Get("/v1/projects/web/clusters").By(new Identity(_api.Tenant, ["tenant-admin"], "root")));
        fine.Status.Should().Be(200, fine.ToString());
    }
}
