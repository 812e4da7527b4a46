using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using PaletteServerless.Cli.Output;
using Spectre.Console;

namespace PaletteServerless.Cli.Commands;

/// <summary>
/// `psctl cloudaccounts keypairs|zones|instancetypes|vpcs|subnets NAME --region R`: what a cloud
/// account has in a region, as the API reads it through the account's role (the choices of a spec).
/// </summary>
public static class CloudAccountReadCommands
{
    /// <summary>A route under a cloud account's region, by name in the route file: the values after {name} and {region}, and a query.</summary>
    private sealed record RegionRoute(string Name, string[] Values, string Query = "");

    private sealed record Listing(string Command, string Description, string What, string[] Headers, Func<JsonNode, string[]> Row);

    public static IEnumerable<Command> Build(CommandContext context)
    {
        yield return Command(context, new Listing("keypairs", "List the account's EC2 key pairs in a region (cloud.sshKeyName)", "key pairs",
            ["NAME", "TYPE", "ID", "FINGERPRINT"],
            k => [k.Text("name"), k.Text("keyType"), k.Text("keyPairId"), k.Text("fingerprint")]), [], _ => new RegionRoute("listKeyPairs", []));

        yield return Command(context, new Listing("zones", "List the availability zones the account may use in a region", "availability zones",
            ["NAME", "ZONE ID", "STATE"],
            z => [z.Text("name"), z.Text("zoneId"), z.Text("state")]), [], _ => new RegionRoute("listAvailabilityZones", []));

        var zone = new Option<string>("--zone", "-z") { Description = "The availability zone, such as us-east-1a", Required = true };
        yield return Command(context, new Listing("instancetypes", "List the instance types offered in a zone, with the estimated on-demand price", "instance types",
            ["TYPE", "VCPUS", "MEMORY (MIB)", "ARCH", "ON-DEMAND / HOUR"],
            t => [t.Text("instanceType"), Count(t, "vcpus"), Count(t, "memoryMiB"), t.Text("architecture"), Json.Usd(t.Number("onDemandHourlyUsd"))]),
            [zone], run => new RegionRoute("listInstanceTypes", [], $"?zone={Uri.EscapeDataString(run.Value(zone))}"));

        yield return Command(context, new Listing("vpcs", "List the account's VPCs in a region (static placement)", "VPCs",
            ["VPC ID", "CIDR", "DEFAULT", "NAME"],
            v => [v.Text("vpcId"), v.Text("cidrBlock"), Flag(v, "isDefault"), v.TextOrNull("name") ?? "-"]), [], _ => new RegionRoute("listVpcs", []));

        var vpc = new Option<string>("--vpc") { Description = "The VPC id, such as vpc-0a1b2c3d", Required = true };
        yield return Command(context, new Listing("subnets", "List the subnets of a VPC", "subnets",
            ["SUBNET ID", "ZONE", "CIDR", "PUBLIC IP", "FREE IPS", "NAME"],
            s => [s.Text("subnetId"), s.Text("availabilityZone"), s.Text("cidrBlock"), Flag(s, "mapPublicIpOnLaunch"), Count(s, "availableIpAddressCount"), s.TextOrNull("name") ?? "-"]),
            [vpc], run => new RegionRoute("listSubnets", [run.Value(vpc)]));
    }

    private static Command Command(CommandContext context, Listing listing, Option<string>[] more, Func<Invocation, RegionRoute> route)
    {
        var account = CommandContext.NameArgument("cloud account");
        var region = new Option<string>("--region", "-r") { Description = "The AWS region, such as us-east-1", Required = true };
        var output = CommandContext.OutputOption();
        var command = new Command(listing.Command, listing.Description) { account, region, output };
        foreach (var option in more)
            command.Add(option);
        context.SetAction(command, async (run, ct) =>
        {
            using var api = run.Api();
            var (name, values, query) = route(run);
            var path = run.Route(name, [run.Value(account), run.Value(region), .. values]) + query;
            var items = (await api.GetAsync(path, ct))["items"]!.AsArray();
            Printer.Print(run.Host, run.Console, run.Value(output), items, () => Table(listing, items));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Spectre.Console.Rendering.IRenderable Table(Listing listing, JsonArray items)
    {
        var table = Printer.Grid(listing.Headers);
        foreach (var item in items)
            table.AddTextRow(listing.Row(item!));
        return table.Rows.Count == 0 ? new Text($"no {listing.What}{Environment.NewLine}") : table;
    }

    private static string Count(JsonNode node, string name) => node[name]!.GetValue<long>().ToString(CultureInfo.InvariantCulture);

    private static string Flag(JsonNode node, string name) => node[name]!.GetValue<bool>() ? "yes" : "no";
}
