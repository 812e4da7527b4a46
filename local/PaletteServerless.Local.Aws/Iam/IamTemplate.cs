using System.Text.Json.Nodes;

namespace PaletteServerless.Local.Aws.Iam;

/// <summary>One IAM role of a synthesized template: what trusts it and what it may do, tokens resolved.</summary>
/// <param name="LogicalId">Its logical id in the template.</param>
/// <param name="Name">Its name: the template's RoleName, else the stack name and logical id, as CloudFormation names it.</param>
/// <param name="Path">Its IAM path (<c>/</c> unless the template gives one).</param>
/// <param name="TrustPolicy">Its AssumeRolePolicyDocument.</param>
/// <param name="Policies">Its inline policies, the AWS::IAM::Policy resources attached to it and its customer managed policies, by name.</param>
/// <param name="CdkPath">The construct path (<c>aws:cdk:path</c>), which names the function or node role it serves.</param>
public sealed record TemplateRole(
    string LogicalId, string Name, string Path, JsonNode TrustPolicy, IReadOnlyList<(string Name, JsonNode Document)> Policies, string CdkPath)
{
    public string ArnIn(string account) => $"arn:aws:iam::{account}:role{Path}{Name}";
}

/// <summary>
/// Reads the IAM of one synthesized CloudFormation template (what <c>cdk synth</c> writes): its
/// roles with every policy that attaches to them, its Lambda functions' roles and its KMS keys'
/// policies. CloudFormation's intrinsic functions are resolved the way CloudFormation resolves
/// them at deploy time (Ref, Fn::GetAtt, Fn::Join, Fn::Select, Fn::Split, Fn::Sub and the pseudo
/// parameters), for one account and region and with the local names of the resources, so the
/// local stack enforces the very documents CDK deploys.
/// </summary>
public sealed class IamTemplate
{
    private readonly JsonObject _resources;
    private readonly TemplateTokens _tokens;

    /// <param name="template">The template's JSON.</param>
    /// <param name="stackName">The stack's name (CloudFormation names unnamed roles after it).</param>
    /// <param name="account">The account it is deployed in.</param>
    /// <param name="region">The region it is deployed in.</param>
    /// <param name="parameters">Values of the template's parameters.</param>
    /// <param name="localNames">The local physical name (Ref) of a resource by logical id and type, where the local stack names it; null: CloudFormation's default.</param>
    public IamTemplate(JsonNode template, string stackName, string account, string region,
        IReadOnlyDictionary<string, string>? parameters = null, Func<string, string, string?>? localNames = null)
    {
        _resources = template["Resources"]?.AsObject() ?? throw new InvalidDataException($"the template of {stackName} has no Resources");
        StackName = stackName;
        _tokens = new TemplateTokens(_resources, template["Conditions"]?.AsObject() ?? [], stackName, account, region,
            parameters ?? new Dictionary<string, string>(), localNames);
    }

    public string StackName { get; }

    /// <summary>Every role with its policies resolved.</summary>
    public IReadOnlyList<TemplateRole> Roles()
    {
        var roles = new List<TemplateRole>();
        foreach (var (id, resource) in Resources("AWS::IAM::Role"))
        {
            var properties = resource["Properties"]!.AsObject();
            var policies = new List<(string, JsonNode)>();
            foreach (var inline in properties["Policies"]?.AsArray() ?? [])
                policies.Add(((string)_tokens.Resolve(inline!["PolicyName"])!, _tokens.Resolve(inline["PolicyDocument"])!));
            foreach (var (policyId, policy) in Resources("AWS::IAM::Policy"))
                if (RefersTo(policy["Properties"]?["Roles"], id))
                    policies.Add(((string)_tokens.Resolve(policy["Properties"]!["PolicyName"])!, _tokens.Resolve(policy["Properties"]!["PolicyDocument"])!));
            // A managed policy attaches by its own Roles too: CDK splits a role's policy that outgrows
            // IAM's inline size limit into such "OverflowPolicy" managed policies.
            foreach (var (policyId, policy) in Resources("AWS::IAM::ManagedPolicy"))
                if (RefersTo(policy["Properties"]?["Roles"], id))
                    policies.Add((policyId, _tokens.Resolve(policy["Properties"]!["PolicyDocument"])!));
            foreach (var managed in properties["ManagedPolicyArns"]?.AsArray() ?? [])
                if (managed?["Ref"] is { } reference && _resources[(string)reference!] is { } managedPolicy)
                    policies.Add(((string)reference!, _tokens.Resolve(managedPolicy["Properties"]!["PolicyDocument"])!));
            roles.Add(new TemplateRole(id, _tokens.RefOf(id), (string?)properties["Path"] ?? "/",
                _tokens.Resolve(properties["AssumeRolePolicyDocument"])!, policies, (string?)resource["Metadata"]?["aws:cdk:path"] ?? id));
        }
        return roles;
    }

    /// <summary>The logical id of the role each Lambda function runs with, by the function's construct path.</summary>
    public IReadOnlyDictionary<string, string> FunctionRoles() =>
        Resources("AWS::Lambda::Function").ToDictionary(
            f => (string?)f.Resource["Metadata"]?["aws:cdk:path"] ?? f.Id,
            f => (string)f.Resource["Properties"]!["Role"]!["Fn::GetAtt"]![0]!);

    /// <summary>The logical id of the role each state machine runs with, by the state machine's name.</summary>
    public IReadOnlyDictionary<string, string> StateMachineRoles() =>
        Resources("AWS::StepFunctions::StateMachine").ToDictionary(
            f => (string?)_tokens.Resolve(f.Resource["Properties"]!["StateMachineName"]) ?? f.Id,
            f => (string)f.Resource["Properties"]!["RoleArn"]!["Fn::GetAtt"]![0]!);

    /// <summary>Each KMS key's ARN, aliases (from its AWS::KMS::Alias resources) and policy.</summary>
    public IReadOnlyList<(string KeyArn, IReadOnlyList<string> Aliases, JsonNode Policy)> KeyPolicies() =>
        [.. Resources("AWS::KMS::Key").Select(key => (
            (string)_tokens.AttributeOf(key.Id, "Arn")!,
            (IReadOnlyList<string>)[.. Resources("AWS::KMS::Alias")
                .Where(a => RefersTo(a.Resource["Properties"]?["TargetKeyId"], key.Id))
                .Select(a => (string)_tokens.Resolve(a.Resource["Properties"]!["AliasName"])!)],
            _tokens.Resolve(key.Resource["Properties"]!["KeyPolicy"])!))];

    /// <summary>The resources of a type that the deployment creates: one whose Condition is false is not made.</summary>
    private IEnumerable<(string Id, JsonObject Resource)> Resources(string type) =>
        _resources.Where(r => (string?)r.Value?["Type"] == type && (r.Value?["Condition"] is not { } condition || _tokens.Holds((string)condition!)))
            .Select(r => (r.Key, r.Value!.AsObject()));

    private static bool RefersTo(JsonNode? node, string logicalId) => node switch
    {
        JsonArray array => array.Any(n => RefersTo(n, logicalId)),
        JsonObject o when o["Ref"] is { } r => (string?)r == logicalId,
        JsonObject o when o["Fn::GetAtt"] is JsonArray a => (string?)a[0] == logicalId,
        _ => false,
    };
}

/// <summary>CloudFormation's intrinsic functions over one template, for one account and region.</summary>
internal sealed class TemplateTokens(
    JsonObject resources, JsonObject conditions, string stackName, string account, string region,
    IReadOnlyDictionary<string, string> parameters, Func<string, string, string?>? localNames)
{
    public JsonNode? Resolve(JsonNode? node) => node switch
    {
        JsonObject o when o.Count == 1 && o.First() is var (name, argument) && IsIntrinsic(name) => Intrinsic(name, argument),
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, Resolve(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(Resolve)]),
        null => null,
        _ => node.DeepClone(),
    };

    private static bool IsIntrinsic(string name) => name == "Ref" || name.StartsWith("Fn::", StringComparison.Ordinal);

    private JsonNode? Intrinsic(string name, JsonNode? argument) => name switch
    {
        "Ref" => RefOf((string)argument!),
        "Fn::GetAtt" => Attribute((string)argument![0]!, (string)argument[1]!),
        "Fn::Join" => string.Join((string)argument![0]!, Resolve(argument[1])!.AsArray().Select(p => (string?)p)),
        "Fn::Select" => Resolve(argument![1])!.AsArray()[Index(argument[0])]!.DeepClone(),
        "Fn::Split" => new JsonArray([.. Text(argument![1]).Split((string)argument[0]!).Select(s => (JsonNode)s)]),
        "Fn::Sub" => Substitute(argument),
        "Fn::If" => Resolve(Condition((string)argument![0]!) ? argument[1] : argument[2]),
        "Fn::Equals" or "Fn::Not" or "Fn::And" or "Fn::Or" or "Condition" => Holds(name, argument),
        _ => throw new InvalidDataException($"the local IAM cannot resolve {name} in the template of {stackName}"),
    };

    private string Text(JsonNode? node) => (string?)Resolve(node) ?? "";

    // Fn::Select takes its index as a number or as a string of one.
    private int Index(JsonNode? node) =>
        Resolve(node) is JsonValue value && value.TryGetValue<int>(out var number)
            ? number
            : int.Parse(Text(node), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Whether the template's named condition holds with the deployment's parameters.</summary>
    public bool Holds(string conditionName) => Condition(conditionName);

    private bool Condition(string name) =>
        conditions[name] is JsonObject o && o.Count == 1 && o.First() is var (function, argument)
            ? Holds(function, argument)
            : throw new InvalidDataException($"the template of {stackName} has no condition {name}");

    private bool Holds(string function, JsonNode? argument) => function switch
    {
        "Fn::Equals" => Text(argument![0]) == Text(argument[1]),
        "Fn::Not" => !IsTrue(argument![0]),
        "Fn::And" => argument!.AsArray().All(IsTrue),
        "Fn::Or" => argument!.AsArray().Any(IsTrue),
        "Condition" => Condition((string)argument!),
        _ => throw new InvalidDataException($"the template of {stackName} uses the condition function {function}"),
    };

    private bool IsTrue(JsonNode? node) =>
        node is JsonObject o && o.Count == 1 && o.First() is var (function, argument) ? Holds(function, argument) : (bool?)node == true;

    private string Substitute(JsonNode? argument)
    {
        var (text, variables) = argument is JsonArray a ? ((string)a[0]!, a[1]!.AsObject()) : ((string)argument!, new JsonObject());
        return System.Text.RegularExpressions.Regex.Replace(text, @"\$\{([^}!]+)\}", m =>
        {
            var key = m.Groups[1].Value;
            if (variables[key] is { } value)
                return Text(value);
            var dot = key.IndexOf('.');
            return dot > 0 ? (string)Attribute(key[..dot], key[(dot + 1)..])! : (string)RefOf(key)!;
        });
    }

    public string RefOf(string id) => id switch
    {
        "AWS::AccountId" => account,
        "AWS::Region" => region,
        "AWS::Partition" => "aws",
        "AWS::URLSuffix" => "amazonaws.com",
        "AWS::StackName" => stackName,
        "AWS::NoValue" => "",
        _ when parameters.TryGetValue(id, out var value) => value,
        _ when resources[id] is { } resource => PhysicalRef(id, resource),
        _ => throw new InvalidDataException($"the template of {stackName} refers to {id}, which it does not define"),
    };

    private string PhysicalRef(string id, JsonNode resource)
    {
        var type = (string)resource["Type"]!;
        if (localNames?.Invoke(id, type) is { } local)
            return local;
        var properties = resource["Properties"];
        string? Named(string property) => properties?[property] is { } n ? (string?)Resolve(n) : null;
        return type switch
        {
            "AWS::IAM::Role" => Named("RoleName") ?? $"{stackName}-{id}",
            "AWS::IAM::ManagedPolicy" => $"arn:aws:iam::{account}:policy{Named("Path") ?? "/"}{Named("ManagedPolicyName") ?? $"{stackName}-{id}"}",
            "AWS::DynamoDB::Table" => Named("TableName") ?? $"{stackName}-{id}",
            "AWS::Events::EventBus" => Named("Name")!,
            "AWS::StepFunctions::StateMachine" => $"arn:aws:states:{region}:{account}:stateMachine:{Named("StateMachineName") ?? id}",
            "AWS::Lambda::Function" => Named("FunctionName") ?? $"{stackName}-{id}",
            "AWS::Logs::LogGroup" => Named("LogGroupName") ?? $"{stackName}-{id}",
            "AWS::KMS::Key" => LocalKeyId(id),
            _ => id,
        };
    }

    public JsonNode? AttributeOf(string id, string attribute) => Attribute(id, attribute);

    private JsonNode? Attribute(string id, string attribute)
    {
        var resource = resources[id] ?? throw new InvalidDataException($"the template of {stackName} reads {id}.{attribute}, which it does not define");
        var type = (string)resource["Type"]!;
        var reference = PhysicalRef(id, resource);
        return (type, attribute) switch
        {
            ("AWS::IAM::Role", "Arn") => $"arn:aws:iam::{account}:role{(string?)Resolve(resource["Properties"]?["Path"]) ?? "/"}{reference}",
            ("AWS::DynamoDB::Table", "Arn") => $"arn:aws:dynamodb:{region}:{account}:table/{reference}",
            ("AWS::DynamoDB::Table", "StreamArn") => $"arn:aws:dynamodb:{region}:{account}:table/{reference}/stream/*",
            ("AWS::Events::EventBus", "Arn") => $"arn:aws:events:{region}:{account}:event-bus/{reference}",
            ("AWS::Events::EventBus", "Name") => reference,
            ("AWS::Lambda::Function", "Arn") => $"arn:aws:lambda:{region}:{account}:function:{reference}",
            ("AWS::Logs::LogGroup", "Arn") => $"arn:aws:logs:{region}:{account}:log-group:{reference}:*",
            ("AWS::KMS::Key", "Arn") => $"arn:aws:kms:{region}:{account}:key/{reference}",
            ("AWS::StepFunctions::StateMachine", "Arn") => reference,
            ("AWS::StepFunctions::StateMachine", "Name") => reference[(reference.LastIndexOf(':') + 1)..],
            ("AWS::SQS::Queue", "Arn") => $"arn:aws:sqs:{region}:{account}:{id}",
            _ => $"arn:aws:local:{region}:{account}:{id}/{attribute}",
        };
    }

    /// <summary>A key id of KMS's form, stable for the account, region and key: there is no local KMS to create one.</summary>
    private string LocalKeyId(string id) => LocalKeys.KeyId(account, region, id);
}

/// <summary>The ids the local stack gives KMS keys that it does not create.</summary>
public static class LocalKeys
{
    public static string KeyId(string account, string region, string logicalId)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{account}/{region}/{logicalId}"));
        return new Guid(hash.AsSpan(0, 16)).ToString();
    }
}
