namespace PaletteServerless.Infra;

/// <summary>One route of the product API as API Gateway sees it.</summary>
public sealed record ApiRoute(string Method, string Path, bool Public = false);

/// <summary>
/// Every route of the API function (functions/PaletteServerless.Api/Endpoints/ApiRoutes.cs), each
/// routed to the API function behind the JWT authorizer except the public OpenAPI document. Infra
/// references the Aws project only, never the API's code, so the list is kept here; a test
/// compares it with the API's own route list.
/// </summary>
public static class ApiRouteTable
{
    private const string Projects = "/v1/projects/{project}";

    public static readonly IReadOnlyList<ApiRoute> All =
    [
        new("GET", "/v1/openapi.json", Public: true),

        new("POST", $"{Projects}/cloudaccounts"),
        new("GET", $"{Projects}/cloudaccounts"),
        new("GET", $"{Projects}/cloudaccounts/{{name}}"),
        new("DELETE", $"{Projects}/cloudaccounts/{{name}}"),

        new("POST", $"{Projects}/clusterprofiles"),
        new("GET", $"{Projects}/clusterprofiles"),
        new("GET", $"{Projects}/clusterprofiles/{{name}}"),
        new("DELETE", $"{Projects}/clusterprofiles/{{name}}"),

        new("POST", $"{Projects}/clusters"),
        new("GET", $"{Projects}/clusters"),
        new("GET", $"{Projects}/clusters/{{name}}"),
        new("DELETE", $"{Projects}/clusters/{{name}}"),
        new("GET", $"{Projects}/clusters/{{name}}/events"),
        new("POST", $"{Projects}/clusters/{{name}}/force-delete"),

        new("GET", $"{Projects}/orphans"),
        new("POST", $"{Projects}/orphans"),
    ];
}
