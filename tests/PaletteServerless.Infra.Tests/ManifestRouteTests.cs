using PaletteServerless.Api.Endpoints;
using PaletteServerless.Infra.Tests.Support;
using PaletteServerless.Manifest;

namespace PaletteServerless.Infra.Tests;

/// <summary>
/// The manifest's routes are the only list: the API function's router, the OpenAPI document it
/// serves and the HTTP API the CDK app synthesizes must each show exactly those routes.
/// </summary>
public sealed class ManifestRouteTests(SynthesizedApp synthesized) : IClassFixture<SynthesizedApp>
{
    private static readonly IReadOnlyList<string> ManifestKeys = ApiRouteCatalog.All.Select(r => r.Key).ToList();

    [Fact]
    public void The_manifest_lists_each_route_once()
    {
        ManifestKeys.Should().OnlyHaveUniqueItems();
        ApiRouteCatalog.All.Should().OnlyContain(r => r.Template.StartsWith("/v1/", StringComparison.Ordinal) && r.Description.Length > 0);
        // The local edge matches public routes by the request's own path: they carry no {parameters}.
        ApiRouteCatalog.All.Where(r => r.Public).Should().OnlyContain(r => !r.Template.Contains('{', StringComparison.Ordinal));
    }

    [Fact]
    public void The_API_router_serves_exactly_the_manifest_routes_in_its_order()
    {
        // All() only pairs routes with handlers; the services it would call are never touched, so
        // any constructor (it grows with the API) is called with nulls.
        var constructor = typeof(ApiRoutes).GetConstructors().Single();
        var arguments = constructor.GetParameters().Select(p => p.ParameterType == typeof(TimeProvider) ? TimeProvider.System : null).ToArray();
        var routes = ((ApiRoutes)constructor.Invoke(arguments)).All();

        routes.Select(r => $"{r.Method} {r.Template}").Should().Equal(ManifestKeys);
    }

    [Fact]
    public void The_OpenAPI_document_documents_exactly_the_manifest_routes_and_only_the_public_ones_without_security()
    {
        var paths = OpenApiDocument.Load()["paths"]!.AsObject();
        var documented = paths.SelectMany(path => path.Value!.AsObject().Select(op => $"{op.Key.ToUpperInvariant()} {path.Key}"));
        documented.Should().BeEquivalentTo(ManifestKeys);

        foreach (var route in ApiRouteCatalog.All)
        {
            var operation = paths[route.Template]![route.Method.ToLowerInvariant()]!.AsObject();
            var open = operation["security"] is { } security && security.AsArray().Count == 0;
            open.Should().Be(route.Public, route.Key);
        }
    }

    [Fact]
    public void The_CDK_HTTP_API_has_exactly_the_manifest_routes()
    {
        var routeKeys = synthesized.ProductJson.Resources("AWS::ApiGatewayV2::Route")
            .Select(r => r.Resource["Properties"]!["RouteKey"]!.GetValue<string>());

        routeKeys.Should().BeEquivalentTo(ManifestKeys);
    }
}
