using PaletteServerless.Manifest;

namespace PaletteServerless.Api.Http;

/// <summary>One route: a method and a path template with {parameters}, e.g. /v1/projects/{project}/clusters/{name}.</summary>
public sealed record Route(string Method, string Template, Func<ApiRequest, CancellationToken, Task<ApiResult>> Handler)
{
    /// <summary>A route of the manifest's <see cref="ApiRouteCatalog"/> and the handler that serves it.</summary>
    public Route(ApiRouteDefinition definition, Func<ApiRequest, CancellationToken, Task<ApiResult>> handler)
        : this(definition.Method, definition.Template, handler)
    {
    }

    private readonly string[] _segments = Template.Trim('/').Split('/');

    public bool TryMatch(string[] pathSegments, Dictionary<string, string> parameters)
    {
        if (pathSegments.Length != _segments.Length)
            return false;
        var captured = new Dictionary<string, string>();
        for (var i = 0; i < _segments.Length; i++)
        {
            var segment = _segments[i];
            if (segment.StartsWith('{'))
                captured[segment.Trim('{', '}')] = Uri.UnescapeDataString(pathSegments[i]);
            else if (!string.Equals(segment, pathSegments[i], StringComparison.Ordinal))
                return false;
        }
        foreach (var (key, value) in captured)
            parameters[key] = value;
        return true;
    }
}

/// <summary>Finds the route of a request: 404 when no template matches the path, 405 when only the method is wrong.</summary>
public sealed class Router(IReadOnlyList<Route> routes)
{
    public IReadOnlyList<Route> Routes => routes;

    public (Route? Route, IReadOnlyList<string> AllowedMethods) Find(ApiRequest request)
    {
        var segments = request.Path.Trim('/').Split('/');
        var allowed = new List<string>();
        foreach (var route in routes)
        {
            var parameters = new Dictionary<string, string>();
            if (!route.TryMatch(segments, parameters))
                continue;
            if (route.Method == request.Method)
            {
                foreach (var (key, value) in parameters)
                    request.PathParameters[key] = value;
                return (route, allowed);
            }
            allowed.Add(route.Method);
        }
        return (null, allowed);
    }
}
