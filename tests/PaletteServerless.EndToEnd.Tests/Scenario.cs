using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Amazon.EC2.Model;

namespace PaletteServerless.EndToEnd.Tests;

/// <summary>A project with a cloud account, a profile and a key pair, and helpers to drive clusters through the API.</summary>
public sealed class Scenario(LocalStackFixture stack, string project)
{
    public HttpClient Api { get; } = stack.Api(project);
    public string Project => project;
    private string Base => $"/v1/projects/{project}";

    public static async Task<Scenario> StartAsync(LocalStackFixture stack, string project, string region = "us-east-1", string? roleArn = null, string account = "000000000000")
    {
        await stack.RemoveLeftoversAsync();
        var scenario = new Scenario(stack, project);
        stack.Scenarios.Add(scenario);
        if (roleArn is null)
        {
            // The product's own account: a tenant-admin's registration, as the local stack allows every tenant.
            using var tenantAdmin = stack.Api(project, "tenant-admin");
            (await tenantAdmin.PostAsync($"{scenario.Base}/cloudaccounts", LocalStackFixture.Json("""{"name":"main"}"""))).StatusCode.Should().Be(HttpStatusCode.Created);
        }
        else
            await RegisterRoleAsync(stack, scenario.Api, project, "main", roleArn);
        (await scenario.Api.PostAsync($"{scenario.Base}/clusterprofiles", LocalStackFixture.Json(PaletteServerless.Local.Walkthrough.SampleProfile)))
            .StatusCode.Should().Be(HttpStatusCode.Created);
        using var ec2 = stack.Ec2(account, region);
        try
        {
            await ec2.CreateKeyPairAsync(new CreateKeyPairRequest { KeyName = "e2e-key" });
        }
        catch (Amazon.EC2.AmazonEC2Exception ex) when (ex.ErrorCode == "InvalidKeyPair.Duplicate")
        {
        }
        return scenario;
    }

    /// <summary>
    /// Registers a role as an admin does: the product answers its external id, and the tenant deploys the
    /// target-account stack with it (here PUT /local/accounts/{account}/target-stack, the stand-in for cdk deploy).
    /// </summary>
    public static async Task<string> RegisterRoleAsync(LocalStackFixture stack, HttpClient api, string project, string name, string roleArn, string tenant = "acme")
    {
        var registered = await api.PostAsync($"/v1/projects/{project}/cloudaccounts", LocalStackFixture.Json($$"""{"name":"{{name}}","roleArn":"{{roleArn}}"}"""));
        var body = await registered.Content.ReadAsStringAsync();
        registered.StatusCode.Should().Be(HttpStatusCode.Created, body);
        var externalId = JsonNode.Parse(body)!["externalId"]!.GetValue<string>();
        var account = roleArn.Split(':')[4];
        using var local = new HttpClient { BaseAddress = stack.Stack.Endpoint };
        var deployed = await local.PutAsync($"/local/accounts/{account}/target-stack",
            LocalStackFixture.Json(new JsonObject { ["externalId"] = externalId, ["tenant"] = tenant }.ToJsonString()));
        deployed.StatusCode.Should().Be(HttpStatusCode.OK, await deployed.Content.ReadAsStringAsync());
        return externalId;
    }

    // The uids of the clusters this scenario created, by name: a failed wait reports the cluster's trail by its uid.
    private readonly Dictionary<string, string> _uids = new(StringComparer.Ordinal);

    public async Task<JsonObject> CreateAsync(string clusterJson)
    {
        var response = await Api.PostAsync($"{Base}/clusters", LocalStackFixture.Json(clusterJson));
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.Accepted, body);
        var created = JsonNode.Parse(body)!.AsObject();
        if (created["name"]?.GetValue<string>() is { } name && created["uid"]?.GetValue<string>() is { } uid)
            _uids[name] = uid;
        return created;
    }

    public async Task<JsonObject> GetAsync(string name) =>
        (await Api.GetFromJsonAsync<JsonObject>($"{Base}/clusters/{name}?includeDeleted=true"))!;

    /// <summary>The cluster's uid, read from a resource tag of it in the local AWS (the API does not show it).</summary>
    public async Task<JsonObject> WaitForStatusAsync(string name, string status, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        JsonObject cluster;
        do
        {
            cluster = await GetAsync(name);
            if (cluster["status"]!.GetValue<string>() == status)
                return cluster;
            await Task.Delay(100);
        }
        // A cluster that failed does not move on by itself: no use waiting out the deadline.
        while (DateTime.UtcNow < deadline && !(cluster["status"]!.GetValue<string>() == "Failed" && status != "Failed"));
        throw new TimeoutException($"cluster {name} is {cluster["status"]} ({cluster["statusReason"]}), not {status}"
            + stack.Trail(_uids.GetValueOrDefault(name) ?? name));
    }

    /// <summary>
    /// Deletes what this scenario created and did not delete (a test that failed half-way, or one that leaves its
    /// cluster on purpose), waiting a while for each: the tests share one account's quotas (five Elastic IPs).
    /// </summary>
    public async Task RemoveLeftoversAsync(TimeSpan wait)
    {
        foreach (var name in _uids.Keys)
        {
            var status = (await GetAsync(name))["status"]!.GetValue<string>();
            if (status == "Deleted")
                continue;
            if (status != "Deleting")
                await DeleteAsync(name);
            var deadline = DateTime.UtcNow + wait;
            while (DateTime.UtcNow < deadline && (await GetAsync(name))["status"]!.GetValue<string>() != "Deleted")
                await Task.Delay(100);
        }
        _uids.Clear();
    }

    public async Task<HttpResponseMessage> DeleteAsync(string name) =>
        await Api.DeleteAsync($"{Base}/clusters/{name}?confirm={name}");

    public async Task<JsonArray> EventsAsync(string name) =>
        (await Api.GetFromJsonAsync<JsonObject>($"{Base}/clusters/{name}/events?limit=100"))!["items"]!.AsArray();

    public static string Cluster(string name, string zonesJson = """["us-east-1a"]""", string region = "us-east-1", string extraPools = "", string cloudExtra = "") => $$"""
        {"name":"{{name}}","tags":{"team":"e2e"},"cloudAccount":"main","profile":{"name":"ubuntu-k8s","version":"1.0.0"},
         "cloud":{"region":"{{region}}","sshKeyName":"e2e-key"{{cloudExtra}}},
         "nodePools":[
           {"name":"cp","role":"control-plane","count":1,"instanceType":"m5.large","availabilityZones":{{zonesJson}}},
           {"name":"workers","role":"worker","count":1,"instanceType":"m5.large","availabilityZones":{{zonesJson}}}{{extraPools}}]}
        """;
}
