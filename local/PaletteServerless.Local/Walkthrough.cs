using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;

namespace PaletteServerless.Local;

/// <summary>The README's walk-through, run against the stack so a newcomer sees the product work (--demo).</summary>
public static class Walkthrough
{
    /// <summary>The tenant's AWS account the walk-through builds in, through the role of the target-account stack.</summary>
    public const string TargetAccount = "111122223333";

    private const string RoleArn = $"arn:aws:iam::{TargetAccount}:role/palette-serverless/PaletteServerlessClusterBuilder";

    public static async Task RunAsync(LocalStack stack, TextWriter output, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = stack.Endpoint };
        var token = stack.Tokens.Mint("demo-user", "acme", ["project-admin:demo"]);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        output.WriteLine("demo: tenant acme, project demo, role project-admin");

        // The product doc's prerequisite: an EC2 key pair in the target account and region (here, in the local AWS).
        using (var ec2 = new AmazonEC2Client(new BasicAWSCredentials(TargetAccount, "local"),
                   new AmazonEC2Config { ServiceURL = stack.Endpoint.ToString(), AuthenticationRegion = "us-east-1" }))
        {
            try
            {
                await ec2.CreateKeyPairAsync(new CreateKeyPairRequest { KeyName = "demo-key" }, ct);
                output.WriteLine($"demo: created key pair demo-key in account {TargetAccount}, us-east-1 (local EC2)");
            }
            catch (AmazonEC2Exception ex) when (ex.ErrorCode == "InvalidKeyPair.Duplicate")
            {
                output.WriteLine("demo: key pair demo-key exists");
            }
        }
        // "Add AWS Account": the admin registers the role; the product answers the external id it generated...
        var registered = await SendAsync(http, output, HttpMethod.Post, "/v1/projects/demo/cloudaccounts", $$"""{"name":"main","roleArn":"{{RoleArn}}"}""", ct);
        var externalId = registered?["externalId"]?.GetValue<string>() ?? throw new InvalidOperationException("the registration answered no external id");
        // ...and the tenant deploys the target-account stack with it (what cdk deploy does on AWS).
        await SendAsync(http, output, HttpMethod.Put, $"/local/accounts/{TargetAccount}/target-stack",
            new JsonObject { ["externalId"] = externalId, ["tenant"] = "acme" }.ToJsonString(), ct);
        await SendAsync(http, output, HttpMethod.Post, "/v1/projects/demo/clusterprofiles", SampleProfile, ct);
        using (var dryRun = await http.PostAsync("/v1/projects/demo/clusters?dryRun=true", new StringContent(SampleCluster, Encoding.UTF8, "application/json"), ct))
        {
            var result = JsonNode.Parse(await dryRun.Content.ReadAsStringAsync(ct))!;
            output.WriteLine($"demo: POST /v1/projects/demo/clusters?dryRun=true -> {(int)dryRun.StatusCode}: valid={result["valid"]}, preflight problems: {result["preflight"]?.AsArray().Count}");
            foreach (var line in result["plan"]?["resources"]?.AsArray() ?? [])
                output.WriteLine($"      would create {line!["count"]} x {line["kind"]} {line["name"]} ({line["detail"]}) ${line["hourlyCostUsd"]}/h");
            output.WriteLine($"      estimated cost: ${result["plan"]?["estimatedHourlyCostUsd"]}/hour");
        }
        await SendAsync(http, output, HttpMethod.Post, "/v1/projects/demo/clusters", SampleCluster, ct);
        // At --time-scale 1 a cluster takes the modelled AWS time (minutes); at 60 it takes seconds.
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(30) / stack.Options.TimeScale + TimeSpan.FromSeconds(30);
        var seen = new HashSet<string>();
        while (DateTime.UtcNow < deadline)
        {
            var cluster = await http.GetFromJsonAsync<JsonObject>("/v1/projects/demo/clusters/demo-cluster", ct);
            var status = cluster?["status"]?.GetValue<string>();
            if (seen.Add($"status {status} {cluster?["statusReason"]}"))
                output.WriteLine($"demo: cluster demo-cluster is {status}: {cluster?["statusReason"]}");
            foreach (var condition in cluster?["conditions"]?.AsArray() ?? [])
            {
                if (seen.Add($"{condition?["type"]}={condition?["status"]}"))
                    output.WriteLine($"demo:   {condition?["type"]} = {condition?["status"]} ({condition?["message"]})");
            }
            if (status is "Running" or "Failed")
                break;
            await Task.Delay(250, ct);
        }
        var inventory = await http.GetFromJsonAsync<JsonObject>("/local/inventory", ct);
        var kinds = (inventory?["resources"]?.AsArray() ?? []).GroupBy(r => r?["type"]?.GetValue<string>()).Select(g => $"{g.Count()} {g.Key}");
        output.WriteLine("demo: the local AWS now holds " + string.Join(", ", kinds));
        await SendAsync(http, output, HttpMethod.Get, "/v1/projects/demo/clusters/demo-cluster/events", null, ct);
        output.WriteLine($"demo: done; the stack keeps serving at {stack.Endpoint}");
    }

    private static async Task<JsonNode?> SendAsync(HttpClient http, TextWriter output, HttpMethod method, string path, string? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        output.WriteLine($"demo: {method} {path} -> {(int)response.StatusCode}");
        output.WriteLine("      " + (text.Length > 400 ? text[..400] + " ..." : text));
        try
        {
            return text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public const string SampleProfile = """
        {"name":"ubuntu-k8s","version":"1.0.0","packs":[
          {"layer":"os","name":"ubuntu","version":"22.04","values":""},
          {"layer":"k8s","name":"kubernetes","version":"1.30.4","values":"podCIDR: 192.168.0.0/16"},
          {"layer":"cni","name":"calico","version":"3.27.0","values":"mtu: 1440"},
          {"layer":"csi","name":"aws-ebs-csi","version":"1.30.0","values":"storageClass: gp3"}]}
        """;

    public const string SampleCluster = """
        {"name":"demo-cluster","description":"walk-through cluster","tags":{"team":"platform"},
         "cloudAccount":"main","profile":{"name":"ubuntu-k8s","version":"1.0.0"},
         "cloud":{"region":"us-east-1","sshKeyName":"demo-key"},
         "nodePools":[
           {"name":"cp","role":"control-plane","count":1,"instanceType":"m5.large","availabilityZones":["us-east-1a"]},
           {"name":"workers","role":"worker","count":2,"instanceType":"m5.large","availabilityZones":["us-east-1a","us-east-1b"],
            "taints":[{"key":"dedicated","value":"apps","effect":"NoSchedule"}],"labels":{"tier":"apps"}}]}
        """;
}
