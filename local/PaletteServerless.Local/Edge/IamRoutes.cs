using System.Text.Json;
using System.Text.Json.Nodes;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.Ec2;
using PaletteServerless.Local.Aws.Iam;

namespace PaletteServerless.Local.Edge;

/// <summary>
/// /local/iam/*: who acts in the local stack and what IAM refused them. Every principal comes with
/// credentials that act as it, so a person can try a call as that principal with the AWS CLI.
/// </summary>
public static class IamRoutes
{
    /// <summary>
    /// The functions' role sessions, the STS sessions in force, and one principal per live instance
    /// that has an instance profile (the credentials IMDS would hand that instance).
    /// </summary>
    public static async Task<JsonNode> PrincipalsAsync(LocalAws localAws, CancellationToken ct)
    {
        if (localAws.Iam is not { } iam)
            return new JsonObject { ["enforced"] = false, ["principals"] = new JsonArray() };
        var now = localAws.Clock.GetUtcNow();
        List<(string Account, string Region, string Id, string Profile, string Vpc)> nodes;
        lock (localAws.Store.Sync)
        {
            nodes = [.. localAws.Store.Worlds.SelectMany(world => world.All<Instance>()
                .Where(i => i.IamInstanceProfileArn is not null && i.StateAt(now) is "pending" or "running")
                .Select(i => (world.Account, world.Region, i.Id, i.IamInstanceProfileArn![(i.IamInstanceProfileArn!.LastIndexOf('/') + 1)..], i.VpcId)))];
        }
        foreach (var node in nodes)
            await iam.InstancePrincipalAsync(node.Account, node.Region, node.Id, node.Profile, node.Vpc, ct);
        return new JsonObject
        {
            ["enforced"] = iam.Enabled,
            ["principals"] = JsonSerializer.SerializeToNode(iam.Principals, IamJsonContext.Default.IReadOnlyListIamPrincipal),
        };
    }

    public static JsonNode Denials(LocalAws localAws) => new JsonObject
    {
        ["enforced"] = localAws.Iam?.Enabled ?? false,
        ["denials"] = JsonSerializer.SerializeToNode(localAws.Iam?.Denials ?? [], IamJsonContext.Default.IReadOnlyListIamDenial),
    };
}

[System.Text.Json.Serialization.JsonSerializable(typeof(IReadOnlyList<IamPrincipal>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(IReadOnlyList<IamDenial>))]
internal sealed partial class IamJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
