using System.Text.Json.Nodes;

namespace PaletteServerless.Infra.Tests.Support;

/// <summary>A synthesized CloudFormation template, read as JSON, with the queries the tests share.</summary>
public sealed class TemplateJson(JsonObject root)
{
    public JsonObject Root { get; } = root;

    public static TemplateJson Load(string path) => new(JsonNode.Parse(File.ReadAllText(path))!.AsObject());

    public IEnumerable<(string LogicalId, JsonObject Resource)> Resources(string type) =>
        Root["Resources"]!.AsObject()
            .Where(r => r.Value!["Type"]!.GetValue<string>() == type)
            .Select(r => (r.Key, r.Value!.AsObject()));

    public JsonObject Properties(string logicalId) => Root["Resources"]![logicalId]!["Properties"]!.AsObject();

    /// <summary>Every IAM statement: of AWS::IAM::Policy resources and of roles' inline policies, with the policy's owner.</summary>
    public IEnumerable<(string Owner, JsonObject Statement)> PolicyStatements()
    {
        foreach (var (id, policy) in Resources("AWS::IAM::Policy"))
            foreach (var statement in policy["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray())
                yield return (id, statement!.AsObject());
        foreach (var (id, role) in Resources("AWS::IAM::Role"))
            foreach (var inline in role["Properties"]!["Policies"]?.AsArray() ?? [])
                foreach (var statement in inline!["PolicyDocument"]!["Statement"]!.AsArray())
                    yield return (id, statement!.AsObject());
        foreach (var (id, policy) in Resources("AWS::IAM::ManagedPolicy"))
            foreach (var statement in policy["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray())
                yield return (id, statement!.AsObject());
    }

    /// <summary>The statements of the policies attached to one role (by the role's logical id).</summary>
    /// <summary>
    /// The statements of the policies attached to a role: its AWS::IAM::Policy resources and the
    /// managed policies CDK splits off when a role's inline policy outgrows IAM's size limit
    /// (<c>...OverflowPolicy...</c>, attached through their own <c>Roles</c>).
    /// </summary>
    public IEnumerable<JsonObject> StatementsOfRole(string roleLogicalId) =>
        Resources("AWS::IAM::Policy").Concat(Resources("AWS::IAM::ManagedPolicy"))
            .Where(p => p.Resource["Properties"]!["Roles"]?.AsArray().Any(r => r!["Ref"]?.GetValue<string>() == roleLogicalId) == true)
            .SelectMany(p => p.Resource["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray().Select(s => s!.AsObject()));

    /// <summary>A string or a list of strings (IAM allows both) as a list; tokens (objects) as their JSON text.</summary>
    public static IReadOnlyList<string> Strings(JsonNode? node) => node switch
    {
        null => [],
        JsonArray array => [.. array.Select(item => item is JsonValue value ? value.GetValue<string>() : item!.ToJsonString())],
        JsonValue value => [value.GetValue<string>()],
        _ => [node.ToJsonString()],
    };
}
