using PaletteServerless.Testing;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using PaletteServerless.Api.Tests.Support;

namespace PaletteServerless.Api.Tests;

/// <summary>
/// Whatever a client sends with a valid token, the API answers 2xx or 4xx, never 500, and every
/// 400 names the offending fields. Random specs, mutated valid specs and random text.
/// </summary>
public class PropertyTests(StoreFixture fixture) : IClassFixture<StoreFixture>, IAsyncLifetime
{
    private const string Project = "fuzz";
    private static readonly int[] ClientStatuses = [200, 202, 400, 409, 413, 415];

    private readonly ApiHarness _api = new(fixture);

    public Task InitializeAsync() => _api.SeedProjectAsync(Project);

    public Task DisposeAsync() => Task.CompletedTask;

    // ---- generators (JSON as text, so that every run builds fresh nodes) ----

    private static readonly Gen<string> InterestingString = Gen.OneOf(
        "", " ", "a", "demo", "Demo", "aws:x", "-", "10.0.0.0/16", "10.0.0.0/15", "0.0.0.0/0", "us-east-1", "us-east-1a",
        "control-plane", "worker", "spot", "on-demand", "static", "dynamic", "NoSchedule", "internal", "1.0.0", "v1",
        "* * * * *", "61 * * * *", "ClusterRoleBinding", "RoleBinding", "ServiceAccount", "vpc-0a1b2c3d", "subnet-0a1b2c3d",
        "arn:aws:iam::123456789012:role/x", "a: [", "{{{{", "\u0000", "😀", "é", "${jndi:x}", "'; DROP TABLE x; --",
        "\"quoted\"", "line\nbreak", "%00", "../../etc/passwd",
        "- :", "? {\n`", "a: 1\na: 2", "&a [*a, *a]", "!!binary x");

    private static readonly Gen<string> RandomString = Gen.OneOf(
        InterestingString,
        Gen.String[Gen.Char[' ', '~'], 0, 40],
        Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789-"], 0, 70],
        Gen.Int[60, 2000].Select(n => new string('x', n)));

    private static readonly Gen<string> Scalar = Gen.OneOf(
        Gen.OneOf("null", "true", "false", "0", "-0", "1e400", "-1e400", "1.5", "0.0000001", "123456789012345678901234567890", "2147483648", "-2147483649"),
        Gen.Long.Select(n => n.ToString(CultureInfo.InvariantCulture)),
        Gen.Int[-10, 10].Select(n => n.ToString(CultureInfo.InvariantCulture)),
        Gen.Double.Where(double.IsFinite).Select(d => d.ToString("R", CultureInfo.InvariantCulture)),
        RandomString.Select(s => JsonSerializer.Serialize(s)));

    private static Gen<string> Value(int depth) => depth <= 0
        ? Scalar
        : Gen.Frequency(
            (4, Scalar),
            (1, Value(depth - 1).Array[0, 3].Select(items => "[" + string.Join(",", items) + "]")),
            (1, Gen.Select(RandomString.Array[0, 3], Value(depth - 1).Array[0, 3], (keys, values) =>
                "{" + string.Join(",", keys.Distinct().Zip(values, (k, v) => JsonSerializer.Serialize(k) + ":" + v)) + "}")));

    private static readonly Gen<string> AnyJsonValue = Value(3);

    /// <summary>One change to a valid spec: which node (by index, modulo the node count), what to do, and a value.</summary>
    private sealed record Mutation(int Node, int Operation, string Value, int Size);

    private static readonly Gen<Mutation> MutationGen =
        Gen.Select(Gen.Int[0, 1000], Gen.Int[0, 6], AnyJsonValue, Gen.Int[1, 400], (node, op, value, size) => new Mutation(node, op, value, size));

    private static readonly Gen<string> MutatedSpec =
        MutationGen.Array[1, 4].Select(mutations => mutations.Aggregate(ApiHarness.ClusterJson("fuzzed").ToJsonString(), Apply));

    /// <summary>The generator itself must read what it nests deeper than the API's limit.</summary>
    private static readonly JsonDocumentOptions Deep = new() { MaxDepth = 1024 };

    private static string Apply(string json, Mutation mutation)
    {
        var root = JsonNode.Parse(json, documentOptions: Deep);
        if (root is null)
            return json;
        var nodes = new List<JsonNode>();
        Collect(root, nodes);
        var target = nodes[mutation.Node % nodes.Count];
        var parent = target.Parent;
        switch (mutation.Operation)
        {
            case 0:
                Replace(target, JsonNode.Parse(mutation.Value));
                break;
            case 1 when parent is JsonObject obj:
                obj.Remove(target.GetPropertyName());
                break;
            case 1 when parent is JsonArray array:
                array.Remove(target);
                break;
            case 2:
                var holder = target as JsonObject ?? parent as JsonObject ?? root as JsonObject;
                holder?.TryAdd("unknown" + mutation.Size, JsonNode.Parse(mutation.Value));
                break;
            case 3:
                // Deeper than System.Text.Json's default depth of 64 for larger sizes.
                var depth = 1 + mutation.Size / 3;
                Replace(target, JsonNode.Parse(new string('[', depth) + new string(']', depth), documentOptions: Deep));
                break;
            case 4:
                Replace(target, JsonValue.Create(new string('h', mutation.Size * 200)));
                break;
            case 5 when target is JsonArray list:
                for (var i = 0; i < mutation.Size % 60; i++)
                    list.Add(list.Count > 0 ? list[0]!.DeepClone() : JsonNode.Parse(mutation.Value));
                break;
            default:
                Replace(target, JsonValue.Create(mutation.Size - 200));
                break;
        }
        return root.ToJsonString();
    }

    private static void Collect(JsonNode node, List<JsonNode> into)
    {
        into.Add(node);
        IEnumerable<JsonNode?> children = node switch
        {
            JsonObject obj => obj.Select(p => p.Value),
            JsonArray array => array,
            _ => [],
        };
        foreach (var child in children)
        {
            if (child is not null)
                Collect(child, into);
        }
    }

    private static void Replace(JsonNode target, JsonNode? value)
    {
        switch (target.Parent)
        {
            case JsonObject obj:
                obj[target.GetPropertyName()] = value;
                break;
            case JsonArray array:
                array[target.GetElementIndex()] = value;
                break;
        }
    }

    // ---- the property ----

    private async Task ShouldAnswerAsClientErrorOrSuccessAsync(ApiCall call, params int[] alsoExpected)
    {
        var response = await _api.SendAsync(call);
        response.Status.Should().BeOneOf([.. ClientStatuses, .. alsoExpected], "{0} {1} with body {2} got {3}", call.Method, call.Path, call.Body?[..Math.Min(call.Body.Length, 2000)], response);
        if (response.Status >= 400)
        {
            response.ContentType.Should().Be("application/problem+json");
            response.Body!["status"]!.GetValue<int>().Should().Be(response.Status);
        }
        if (response.Status == 400)
        {
            response.ErrorFields.Should().NotBeEmpty(response.ToString());
            response.ErrorFields.Should().OnlyContain(f => f.Length > 0, response.ToString());
        }
    }

    private ApiCall Create(string body, bool dryRun)
    {
        var call = ApiCall.Post($"/v1/projects/{Project}/clusters").By(_api.Admin).WithJson(body);
        return dryRun ? call.WithQuery("dryRun", "true") : call;
    }

    [Fact]
    public async Task Mutated_valid_specs_never_get_a_server_error()
    {
        await Gen.Select(MutatedSpec, Gen.Bool).SampleAsync(
            (body, dryRun) => ShouldAnswerAsClientErrorOrSuccessAsync(Create(body, dryRun)),
            iter: 400, threads: 2);
    }

    [Fact]
    public async Task Random_json_values_never_get_a_server_error()
    {
        await Gen.Select(AnyJsonValue, Gen.Bool).SampleAsync(
            (body, dryRun) => ShouldAnswerAsClientErrorOrSuccessAsync(Create(body, dryRun)),
            iter: 300, threads: 2);
    }

    [Fact]
    public async Task Random_text_never_gets_a_server_error()
    {
        var text = Gen.OneOf(Gen.String[0, 200], Gen.String[Gen.Char["{}[]\":,0123456789.eE-+truefalsn \\"], 0, 200]);
        await Gen.Select(text, Gen.Bool).SampleAsync(
            (body, dryRun) => ShouldAnswerAsClientErrorOrSuccessAsync(Create(body, dryRun)),
            iter: 300, threads: 2);
    }

    [Fact]
    public async Task Random_bodies_for_accounts_profiles_and_delete_never_get_a_server_error()
    {
        var paths = Gen.OneOf(
            ("POST", $"/v1/projects/{Project}/cloudaccounts"),
            ("POST", $"/v1/projects/{Project}/clusterprofiles"),
            ("DELETE", $"/v1/projects/{Project}/clusters/fuzzed"));
        await Gen.Select(paths, AnyJsonValue).SampleAsync(
            (route, body) => ShouldAnswerAsClientErrorOrSuccessAsync(new ApiCall(route.Item1, route.Item2).By(_api.Admin).WithJson(body)),
            iter: 200, threads: 2);
    }

    [Fact]
    public async Task Random_names_and_query_values_never_get_a_server_error()
    {
        var routes = Gen.OneOf("clusters/{0}", "clusters/{0}/events", "cloudaccounts/{0}", "clusterprofiles/{0}", "clusters", "cloudaccounts", "clusterprofiles");
        var query = Gen.OneOf("limit", "cursor", "includeDeleted", "dryRun", "confirm");
        await Gen.Select(routes, RandomString, query, RandomString).SampleAsync(
            async (route, name, parameter, value) =>
            {
                var path = $"/v1/projects/{Project}/" + string.Format(CultureInfo.InvariantCulture, route, Uri.EscapeDataString(name));
                var call = ApiCall.Get(path).By(_api.Admin).WithQuery(parameter, value);
                // A well-formed name that no record has is a 404.
                await ShouldAnswerAsClientErrorOrSuccessAsync(call, 404);
            },
            iter: 300, threads: 2);
    }
}
