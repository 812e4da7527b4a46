using PaletteServerless.Testing;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Models;
using Microsoft.OpenApi.Readers;
using PaletteServerless.Api.Endpoints;
using PaletteServerless.Api.Tests.Support;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Profiles;
using PaletteServerless.Manifest;

namespace PaletteServerless.Api.Tests;

/// <summary>openapi.json is kept true: it is valid, it lists exactly the routes, and its schemas name exactly the records' JSON fields.</summary>
public class OpenApiTests(StoreFixture fixture) : IClassFixture<StoreFixture>
{
    private static readonly JsonObject Document = Endpoints.OpenApiDocument.Load().AsObject();

    /// <summary>The API's own naming (camelCase) over the domain records, read by reflection: what the wire shows.</summary>
    private static readonly JsonSerializerOptions Wire = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    private static IEnumerable<string> Routes() =>
        new ApiFunction(new ApiRoutes(null!, null!, null!, null!, null!, TimeProvider.System, null!, null!, null!, null!, null!, null!)).Routes.Select(r => $"{r.Method} {r.Template}");

    private static IEnumerable<string> DocumentedRoutes() =>
        Document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject().Select(op => $"{op.Key.ToUpperInvariant()} {path.Key}"));

    private static JsonObject Schema(string name) => Document["components"]!["schemas"]![name]!.AsObject();

    private static JsonObject Operation(string method, string path) => Document["paths"]![path]![method]!.AsObject();

    [Fact]
    public void Document_is_valid_openapi_3_0()
    {
        var text = Document.ToJsonString();
        var parsed = new OpenApiStringReader().Read(text, out var diagnostic);

        diagnostic.Errors.Should().BeEmpty();
        diagnostic.SpecificationVersion.Should().Be(OpenApiSpecVersion.OpenApi3_0);
        Document["openapi"]!.GetValue<string>().Should().Be("3.0.3");
        parsed.Paths.Should().NotBeEmpty();
    }

    [Fact]
    public void Every_route_is_documented_and_every_documented_route_exists()
    {
        DocumentedRoutes().Should().BeEquivalentTo(Routes());
        DocumentedRoutes().Should().BeEquivalentTo(ApiRouteCatalog.All.Select(r => r.Key));
    }

    [Fact]
    public void Every_route_but_the_document_itself_needs_a_bearer_jwt()
    {
        var scheme = Document["components"]!["securitySchemes"]!["bearer"]!;
        scheme["type"]!.GetValue<string>().Should().Be("http");
        scheme["scheme"]!.GetValue<string>().Should().Be("bearer");
        scheme["bearerFormat"]!.GetValue<string>().Should().Be("JWT");
        Document["security"]!.AsArray().Should().ContainSingle().Which!.AsObject().Should().ContainKey("bearer");

        var parsed = new OpenApiStringReader().Read(Document.ToJsonString(), out _);
        foreach (var (path, item) in parsed.Paths)
        {
            foreach (var (method, operation) in item.Operations)
            {
                // An operation without its own security uses the document's (bearer); only the document itself is open.
                var open = operation.Security is { Count: 0 } && Operation(method.ToString().ToLowerInvariant(), path).ContainsKey("security");
                open.Should().Be(ApiRouteCatalog.All.Single(r => r.Key == $"{method.ToString().ToUpperInvariant()} {path}").Public, $"{method} {path}");
            }
        }
    }

    [Fact]
    public void Every_path_parameter_is_declared_and_the_query_parameters_are_where_the_handlers_read_them()
    {
        var parsed = new OpenApiStringReader().Read(Document.ToJsonString(), out _);
        foreach (var (path, item) in parsed.Paths)
        {
            var inPath = System.Text.RegularExpressions.Regex.Matches(path, @"\{(\w+)\}").Select(m => m.Groups[1].Value);
            foreach (var (method, operation) in item.Operations)
            {
                operation.Parameters.Where(p => p.In == ParameterLocation.Path).Select(p => p.Name).Should().BeEquivalentTo(inPath, $"{method} {path}");
                operation.Responses.Keys.Should().Contain(k => k.StartsWith('2'), $"{method} {path}");
            }
        }

        string[] Parameters(OperationType method, string path) =>
            [.. parsed.Paths[path].Operations[method].Parameters.Select(p => $"{p.In}:{p.Name}")];

        Parameters(OperationType.Post, "/v1/projects/{project}/clusters").Should().Contain("Query:dryRun");
        Parameters(OperationType.Get, "/v1/projects/{project}/clusters").Should().Contain(["Query:includeDeleted", "Query:cursor", "Query:limit"]);
        Parameters(OperationType.Delete, "/v1/projects/{project}/clusters/{name}").Should().Contain(["Query:confirm", "Header:If-Match"]);
        foreach (var list in new[] { "cloudaccounts", "clusterprofiles", "clusters/{name}/events", "clusters/{name}/kubeconfigs" })
            Parameters(OperationType.Get, $"/v1/projects/{{project}}/{list}").Should().Contain(["Query:cursor", "Query:limit"]);
        parsed.Components.Parameters["limit"].Schema.Minimum.Should().Be(1);
        parsed.Components.Parameters["limit"].Schema.Maximum.Should().Be(100);
    }

    [Fact]
    public void Errors_are_problem_json_with_field_errors()
    {
        var problem = Schema("Problem")["properties"]!.AsObject();
        problem.Select(p => p.Key).Should().BeEquivalentTo(JsonFieldsOf(typeof(Http.Problem)));
        Schema("FieldError")["properties"]!.AsObject().Select(p => p.Key).Should().BeEquivalentTo(JsonFieldsOf(typeof(Domain.Validation.ValidationError)));
        foreach (var (name, response) in Document["components"]!["responses"]!.AsObject())
            response!["content"]!.AsObject().Select(c => c.Key).Should().Equal(["application/problem+json"], name);

        var createCluster = Operation("post", "/v1/projects/{project}/clusters")["responses"]!.AsObject();
        createCluster.Select(r => r.Key).Should().Contain(["200", "202", "400", "401", "403", "404", "409", "413", "415", "503"]);
    }

    [Theory]
    [InlineData(typeof(ClusterSpec), "ClusterSpec")]
    [InlineData(typeof(CloudAccount), "CloudAccount")]
    [InlineData(typeof(ClusterProfile), "ClusterProfile")]
    [InlineData(typeof(ClusterEvent), "ClusterEvent")]
    [InlineData(typeof(KubeconfigRecord), "KubeconfigRecord")]
    [InlineData(typeof(ClusterCondition), "ClusterCondition")]
    [InlineData(typeof(Http.DeleteRequest), "DeleteRequest")]
    [InlineData(typeof(Domain.Provisioning.PlanSummary), "PlanSummary")]
    [InlineData(typeof(Domain.Changes.ChangePlan), "ChangePlan")]
    public void Schema_properties_are_the_records_json_fields_all_the_way_down(Type record, string schema)
    {
        var mismatches = new List<string>();
        CompareRecursively(record, Schema(schema), schema, mismatches);
        mismatches.Should().BeEmpty();
    }

    [Fact]
    public void Request_schemas_refuse_unknown_fields_as_the_api_does()
    {
        foreach (var name in new[] { "ClusterSpec", "ProfileReference", "CloudSpec", "PlacementSpec", "NodePoolSpec", "TaintSpec", "ClusterSettings",
                     "ScheduledFeature", "BackupSettings", "RbacBinding", "RbacSubject", "VirtualClusterSettings", "UpdateStrategySpec", "HealthCheckSpec",
                     "CloudAccount", "ClusterProfile", "Pack", "DeleteRequest" })
            Schema(name)["additionalProperties"]!.GetValue<bool>().Should().BeFalse(name);
    }

    [Fact]
    public void Cluster_schema_is_the_spec_plus_every_status_field()
    {
        var cluster = Schema("Cluster")["properties"]!.AsObject().Select(p => p.Key).ToList();
        var spec = Schema("ClusterSpec")["properties"]!.AsObject().Select(p => p.Key);
        cluster.Should().Contain(spec);
        cluster.Except(spec).Should().BeEquivalentTo(
            "uid", "status", "statusReason", "conditions", "createdAt", "updatedAt", "version", "generation", "observedGeneration",
            "forceDeleteAvailableAt", "forceDeleteSecondsLeft", "deletedAt", "forceDeleteReport", "lastOsPatch");
        Schema("Cluster")["properties"]!["status"]!["enum"]!.AsArray().Select(e => e!.GetValue<string>()).Should().BeEquivalentTo(ClusterStatus.All);
    }

    [Fact]
    public void Enums_and_bounds_match_the_validators()
    {
        string[] Enum(string schema, string property) =>
            [.. Schema(schema)["properties"]![property]!["enum"]!.AsArray().Select(e => e!.GetValue<string>())];
        JsonNode Property(string schema, string property) => Schema(schema)["properties"]![property]!;

        Enum("NodePoolSpec", "role").Should().BeEquivalentTo(NodePoolRoles.ControlPlane, NodePoolRoles.Worker);
        Enum("NodePoolSpec", "capacityType").Should().BeEquivalentTo(CapacityTypes.OnDemand, CapacityTypes.Spot);
        Enum("TaintSpec", "effect").Should().BeEquivalentTo(KubernetesRules.TaintEffects);
        Enum("CloudSpec", "apiLoadBalancer").Should().BeEquivalentTo(LoadBalancerSchemes.InternetFacing, LoadBalancerSchemes.Internal);
        Enum("PlacementSpec", "mode").Should().BeEquivalentTo(PlacementModes.Dynamic, PlacementModes.Static);
        Enum("Pack", "layer").Should().BeEquivalentTo(PackLayers.All);
        Enum("RbacBinding", "type").Should().BeEquivalentTo(SettingsValidator.BindingTypes);
        Enum("RbacSubject", "kind").Should().BeEquivalentTo(SettingsValidator.SubjectKinds);

        Property("ClusterSpec", "name")["minLength"]!.GetValue<int>().Should().Be(3);
        Property("ClusterSpec", "name")["maxLength"]!.GetValue<int>().Should().Be(63);
        Property("ClusterSpec", "tags")["maxProperties"]!.GetValue<int>().Should().Be(ClusterSpecValidator.MaxTags);
        Property("ClusterSpec", "tags")["additionalProperties"]!["maxLength"]!.GetValue<int>().Should().Be(256);
        Property("NodePoolSpec", "diskSizeGiB")["minimum"]!.GetValue<int>().Should().Be(1);
        Property("NodePoolSpec", "diskSizeGiB")["maximum"]!.GetValue<int>().Should().Be(2000);
        Property("NodePoolSpec", "diskSizeGiB")["default"]!.GetValue<int>().Should().Be(ClusterSpecValidator.DefaultDiskSizeGiB);
        Property("NodePoolSpec", "count")["maximum"]!.GetValue<int>().Should().Be(ClusterSpecValidator.MaxWorkerCount);
        Property("CloudSpec", "vpcCidr")["default"]!.GetValue<string>().Should().Be(ClusterSpecValidator.DefaultVpcCidr);
        Property("ClusterProfile", "packs")["maxItems"]!.GetValue<int>().Should().Be(ClusterProfileValidator.MaxPacks);
        Property("NodePoolSpec", "maxSpotPrice")["exclusiveMinimum"]!.GetValue<bool>().Should().BeTrue();
        Enum("UpdateStrategySpec", "type").Should().BeEquivalentTo(UpdateStrategyTypes.RollingUpdate);
        Property("HealthCheckSpec", "nodeStartupTimeoutMinutes")["default"]!.GetValue<int>().Should().Be(ClusterSpecValidator.DefaultNodeStartupTimeoutMinutes);
        Property("HealthCheckSpec", "nodeStartupTimeoutMinutes")["maximum"]!.GetValue<int>().Should().Be(ClusterSpecValidator.MaxNodeStartupTimeoutMinutes);
        Schema("IntOrPercent")["oneOf"]![0]!["maximum"]!.GetValue<int>().Should().Be(ClusterSpecValidator.MaxWorkerCount);
    }

    [Fact]
    public async Task Real_responses_use_only_documented_fields()
    {
        var api = new ApiHarness(fixture);
        await api.SeedProjectAsync("docs");
        var created = await api.CreateClusterAsync("docs", "documented");
        var deleting = await api.DeleteClusterAsync("docs", "documented");
        api.Clock.Advance(TimeSpan.FromMinutes(15));
        var report = await api.SendAsync(ApiCall.Post("/v1/projects/docs/clusters/documented/force-delete").By(api.Admin));
        var deleted = await api.SendAsync(ApiCall.Get("/v1/projects/docs/clusters/documented").By(api.Admin));
        var account = await api.SendAsync(ApiCall.Get("/v1/projects/docs/cloudaccounts/prod").By(api.Admin));
        var profile = await api.SendAsync(ApiCall.Get("/v1/projects/docs/clusterprofiles/ubuntu-k8s").By(api.Admin));
        var events = await api.SendAsync(ApiCall.Get("/v1/projects/docs/clusters/documented/events").By(api.Admin));
        var dryRun = await api.SendAsync(ApiCall.Post("/v1/projects/docs/clusters").By(api.Admin).WithQuery("dryRun", "true").WithJson(ApiHarness.ClusterJson("dry")));

        var cluster = Schema("Cluster")["properties"]!.AsObject();
        foreach (var response in new[] { created, deleting, deleted })
            response.Body!.AsObject().Select(p => p.Key).Should().BeSubsetOf(cluster.Select(p => p.Key));
        deleting.Body!.AsObject().Should().ContainKey("forceDeleteSecondsLeft");
        deleted.Body!.AsObject().Should().ContainKey("deletedAt");
        Schema("Cluster")["required"]!.AsArray().Select(r => r!.GetValue<string>()).Should().BeSubsetOf(created.Body!.AsObject().Select(p => p.Key));

        report.Body!.AsObject().Select(p => p.Key).Should().BeEquivalentTo(Schema("ForceDeleteAccepted")["properties"]!.AsObject().Select(p => p.Key));
        deleted.Body!["forceDeleteReport"]!.AsObject().Select(p => p.Key).Should().BeEquivalentTo(Schema("ForceDeleteReport")["properties"]!.AsObject().Select(p => p.Key));
        var sweep = await api.SendAsync(ApiCall.Post("/v1/projects/docs/orphans").By(api.Admin));
        sweep.Body!.AsObject().Select(p => p.Key).Should().BeEquivalentTo(Schema("SweepAccepted")["properties"]!.AsObject().Select(p => p.Key));
        var sweepId = sweep.Body!["id"]!.GetValue<string>();
        api.Sweeps.Finish(sweepId, PaletteServerless.Domain.Provisioning.LeftoverReport.Of(null, [], ApiHarness.Start));
        var swept = await api.SendAsync(ApiCall.Get(sweep.Headers["Location"]).By(api.Admin));
        swept.Body!.AsObject().Select(p => p.Key).Should().BeSubsetOf(Schema("OrphanSweep")["properties"]!.AsObject().Select(p => p.Key));
        swept.Body!["report"]!.AsObject().Select(p => p.Key).Should().BeSubsetOf(Schema("LeftoverReport")["properties"]!.AsObject().Select(p => p.Key));
        account.Body!.AsObject().Select(p => p.Key).Should().BeSubsetOf(Schema("CloudAccount")["properties"]!.AsObject().Select(p => p.Key));
        profile.Body!.AsObject().Select(p => p.Key).Should().BeSubsetOf(Schema("ClusterProfile")["properties"]!.AsObject().Select(p => p.Key));
        events.Body!.AsObject().Select(p => p.Key).Should().BeEquivalentTo("items", "nextCursor");
        events.Body!["items"]![0]!.AsObject().Select(p => p.Key).Should().BeSubsetOf(Schema("ClusterEvent")["properties"]!.AsObject().Select(p => p.Key));
        dryRun.Body!.AsObject().Select(p => p.Key).Should().BeEquivalentTo(Schema("DryRunResult")["properties"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task The_served_document_is_the_embedded_file()
    {
        var served = await new ApiHarness(fixture).SendAsync(ApiCall.Get("/v1/openapi.json"));
        JsonNode.DeepEquals(served.Body, Document).Should().BeTrue();
    }

    // ---- recursive comparison of a record with its schema ----

    private static IEnumerable<string> JsonFieldsOf(Type type) => Wire.GetTypeInfo(type).Properties.Select(p => p.Name);

    /// <summary>The record types being compared on the current path: a type that contains itself (a profile's versions) is compared once.</summary>
    [ThreadStatic]
    private static HashSet<Type>? _comparing;

    private static void CompareRecursively(Type type, JsonObject schema, string at, List<string> mismatches)
    {
        _comparing ??= [];
        if (!_comparing.Add(type))
            return;
        try
        {
            CompareFields(type, schema, at, mismatches);
        }
        finally
        {
            _comparing.Remove(type);
        }
    }

    private static void CompareFields(Type type, JsonObject schema, string at, List<string> mismatches)
    {
        var info = Wire.GetTypeInfo(type);
        var documented = schema["properties"]?.AsObject() ?? [];
        var fields = info.Properties.ToDictionary(p => p.Name, p => p.PropertyType);
        foreach (var missing in fields.Keys.Except(documented.Select(p => p.Key)))
            mismatches.Add($"{at}.{missing} is a field of {type.Name} but not in the schema");
        foreach (var extra in documented.Select(p => p.Key).Except(fields.Keys))
            mismatches.Add($"{at}.{extra} is in the schema but not a field of {type.Name}");
        foreach (var (name, fieldType) in fields)
        {
            if (documented[name] is JsonObject property)
                CompareValue(fieldType, property, $"{at}.{name}", mismatches);
        }
    }

    private static void CompareValue(Type type, JsonObject schema, string at, List<string> mismatches)
    {
        var info = Wire.GetTypeInfo(type);
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object:
                if (schema["$ref"]?.GetValue<string>() is not { } reference)
                {
                    mismatches.Add($"{at} is a {type.Name} but its schema is not a $ref to one");
                    return;
                }
                CompareRecursively(type, Schema(reference.Split('/')[^1]), reference.Split('/')[^1], mismatches);
                break;
            case JsonTypeInfoKind.Enumerable:
                if (schema["type"]?.GetValue<string>() != "array" || schema["items"] is not JsonObject items)
                    mismatches.Add($"{at} is a list but its schema is not an array");
                else
                    CompareValue(info.ElementType!, items, at + "[]", mismatches);
                break;
            case JsonTypeInfoKind.Dictionary:
                if (schema["type"]?.GetValue<string>() != "object" || schema["additionalProperties"] is not JsonObject)
                    mismatches.Add($"{at} is a map but its schema is not an object of additionalProperties");
                break;
            case JsonTypeInfoKind.None when (Nullable.GetUnderlyingType(type) ?? type) == typeof(IntOrPercent):
                // A number or a percent string: one shared oneOf schema.
                if (schema["$ref"]?.GetValue<string>() != "#/components/schemas/IntOrPercent")
                    mismatches.Add($"{at} is an IntOrPercent but its schema is not a $ref to IntOrPercent");
                break;
            default:
                var expected = (Nullable.GetUnderlyingType(type) ?? type) switch
                {
                    var t when t == typeof(string) || t == typeof(DateTimeOffset) => "string",
                    var t when t == typeof(int) || t == typeof(long) => "integer",
                    var t when t == typeof(decimal) || t == typeof(double) => "number",
                    var t when t == typeof(bool) => "boolean",
                    var t => t.Name,
                };
                if (schema["type"]?.GetValue<string>() != expected)
                    mismatches.Add($"{at} is a {type.Name} but its schema type is {schema["type"]}");
                break;
        }
    }
}
