using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using PaletteServerless.Manifest;
using PaletteServerless.Local;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.StepFunctions.Execution;
using PaletteServerless.Local.StepFunctions.Store;

namespace PaletteServerless.Benchmarks;

/// <summary>
/// Drives the product through its HTTP API on a local stack, as a user would: one project per
/// target AWS account (a cloud account assuming the local target role, the sample profile, a key
/// pair), clusters created and deleted by name. The stack can be swapped (a restart) while
/// lifecycles run: every call reads <see cref="Stack"/> afresh and tokens are minted per stack.
/// </summary>
public sealed class ProductDriver(LocalStack stack) : IDisposable
{
    public const string UidTag = "palette.serverless/cluster-uid";
    public const string KeyName = "bench-key";
    private static readonly string[] Zones = ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"];

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly Dictionary<(LocalStack, string), string> _tokens = [];
    private readonly Lock _sync = new();
    private volatile LocalStack _stack = stack;

    public LocalStack Stack
    {
        get => _stack;
        set => _stack = value;
    }

    /// <summary>A 12-digit target account id, distinct per index.</summary>
    public static string Account(int index) => (100000000000L + index).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string ProjectOf(string account) => $"bench-{account}";

    public static IReadOnlyList<string> ZonesOf(int count) => Zones[..Math.Min(count, Zones.Length)];

    /// <summary>The project of <paramref name="account"/>: its cloud account, the sample profile and a key pair in that account.</summary>
    public async Task SetUpAccountAsync(string account, CancellationToken ct)
    {
        var project = ProjectOf(account);
        var accountBody = $$"""{"name":"main","roleArn":"arn:aws:iam::{{account}}:role/palette-serverless/PaletteServerlessClusterBuilder"}""";
        var registered = await ExpectAsync(await SendAsync(HttpMethod.Post, project, "/cloudaccounts", accountBody, ct), HttpStatusCode.Created);
        // The tenant deploys the target-account stack with the external id the registration answered (the local stand-in for cdk deploy).
        var targetStack = new JsonObject { ["externalId"] = registered["externalId"]!.GetValue<string>(), ["tenant"] = "acme" }.ToJsonString();
        using (var deploy = await _http.PutAsync(new Uri(Stack.Endpoint, $"/local/accounts/{account}/target-stack"), new StringContent(targetStack, Encoding.UTF8, "application/json"), ct))
            await ExpectAsync(deploy, HttpStatusCode.OK);
        await ExpectAsync(await SendAsync(HttpMethod.Post, project, "/clusterprofiles", Walkthrough.SampleProfile, ct), HttpStatusCode.Created);
        using var ec2 = new AmazonEC2Client(new BasicAWSCredentials(account, "bench"), new AmazonEC2Config { ServiceURL = Stack.Endpoint.ToString(), AuthenticationRegion = "us-east-1" });
        try
        {
            await ec2.CreateKeyPairAsync(new CreateKeyPairRequest { KeyName = KeyName }, ct);
        }
        catch (AmazonEC2Exception ex) when (ex.ErrorCode == "InvalidKeyPair.Duplicate")
        {
            // Made by an earlier call whose answer was lost.
        }
    }

    /// <summary>A cluster of one control-plane and one worker node (m5.large) spread over <paramref name="zones"/>, and <paramref name="extraPools"/> (",{...}" pool objects).</summary>
    public static string ClusterJson(string name, IReadOnlyList<string> zones, string extraPools = "")
    {
        var zonesJson = "[" + string.Join(",", zones.Select(z => $"\"{z}\"")) + "]";
        return $$"""
            {"name":"{{name}}","tags":{"team":"bench"},"cloudAccount":"main","profile":{"name":"ubuntu-k8s","version":"1.0.0"},
             "cloud":{"region":"us-east-1","sshKeyName":"{{KeyName}}"},
             "nodePools":[
               {"name":"cp","role":"control-plane","count":1,"instanceType":"m5.large","availabilityZones":{{zonesJson}}},
               {"name":"workers","role":"worker","count":1,"instanceType":"m5.large","availabilityZones":{{zonesJson}}}{{extraPools}}]}
            """;
    }

    /// <summary>Nodes each cluster of <see cref="ClusterJson"/> asks for.</summary>
    public const int PlannedInstances = 2;

    /// <summary>POST the cluster; its uid. A 409 (an earlier attempt got through) reads the uid of the existing cluster.</summary>
    public async Task<string> CreateClusterAsync(string account, string name, IReadOnlyList<string> zones, CancellationToken ct, string? clusterJson = null)
    {
        var project = ProjectOf(account);
        using var response = await SendAsync(HttpMethod.Post, project, "/clusters", clusterJson ?? ClusterJson(name, zones), ct);
        if (response.StatusCode == HttpStatusCode.Conflict)
            return (await GetClusterAsync(account, name, ct))!["uid"]!.GetValue<string>();
        var body = await ExpectAsync(response, HttpStatusCode.Accepted);
        return body["uid"]!.GetValue<string>();
    }

    public async Task<JsonObject?> GetClusterAsync(string account, string name, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Get, ProjectOf(account), $"/clusters/{name}?includeDeleted=true", null, ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return null;
        return await ExpectAsync(response, HttpStatusCode.OK);
    }

    /// <summary>The cluster's event history (newest 100), also of a Deleted cluster.</summary>
    public async Task<JsonObject> ClusterEventsAsync(string account, string name, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Get, ProjectOf(account), $"/clusters/{name}/events?limit=100&includeDeleted=true", null, ct);
        return await ExpectAsync(response, HttpStatusCode.OK);
    }

    /// <summary>The status of the cluster, polled until it is one of <paramref name="statuses"/>; null when the deadline passes first.</summary>
    public async Task<string?> WaitForStatusAsync(string account, string name, IReadOnlyCollection<string> statuses, TimeSpan poll, DateTimeOffset deadline, CancellationToken ct)
    {
        while (DateTimeOffset.UtcNow < deadline)
        {
            try
            {
                var status = (await GetClusterAsync(account, name, ct))?["status"]?.GetValue<string>();
                if (status is not null && statuses.Contains(status))
                    return status;
            }
            catch (Exception ex) when (IsTransient(ex, ct))
            {
                // The stack is restarting: ask again.
            }
            await Task.Delay(poll, ct);
        }
        return null;
    }

    /// <summary>DELETE the cluster (202); a 409 or 404 means a delete is already under way or done.</summary>
    public async Task DeleteClusterAsync(string account, string name, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Delete, ProjectOf(account), $"/clusters/{name}?confirm={name}", null, ct);
        if (response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
            return;
        await ExpectAsync(response, HttpStatusCode.Accepted);
    }

    /// <summary>A merge patch of <see cref="ClusterJson"/>'s pools with <paramref name="workers"/> worker nodes (a scale: nothing is replaced); <paramref name="extraPools"/> as created (a patch replaces the array whole).</summary>
    public static string ScaleWorkersPatch(IReadOnlyList<string> zones, int workers, string extraPools = "")
    {
        var zonesJson = "[" + string.Join(",", zones.Select(z => $"\"{z}\"")) + "]";
        return $$"""
            {"nodePools":[
               {"name":"cp","role":"control-plane","count":1,"instanceType":"m5.large","availabilityZones":{{zonesJson}}},
               {"name":"workers","role":"worker","count":{{workers}},"instanceType":"m5.large","availabilityZones":{{zonesJson}}}{{extraPools}}]}
            """;
    }

    /// <summary>PATCH the cluster's spec (a merge patch); 202 (an update runs) or 200 (nothing to do). A 409 (not Running yet, or being deleted) is returned as false.</summary>
    /// <summary>Adds a version to a profile of the account's project (a profile JSON with an existing name and a new version).</summary>
    public async Task AddProfileVersionAsync(string account, string profile, CancellationToken ct) =>
        await ExpectAsync(await SendAsync(HttpMethod.Post, ProjectOf(account), "/clusterprofiles", profile, ct), HttpStatusCode.Created);

    public async Task<bool> PatchClusterAsync(string account, string name, string patch, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Patch, ProjectOf(account), $"/clusters/{name}", patch, ct);
        if (response.StatusCode == HttpStatusCode.Conflict)
            return false;
        if (response.StatusCode != HttpStatusCode.OK)
            await ExpectAsync(response, HttpStatusCode.Accepted);
        return true;
    }

    /// <summary>The arn of an update run's execution.</summary>
    public string UpdateExecutionArn(string uid, long run) =>
        StepFunctionsEngine.ExecutionArn(Stack.StateMachineArn(StateMachineCatalog.Update.Name), $"update-{uid}-{run}");

    /// <summary>The arn of the cluster's provision or delete execution ("provision" or "delete").</summary>
    public string ExecutionArn(string kind, string uid)
    {
        var machine = kind == "provision" ? StateMachineCatalog.Provision.Name : StateMachineCatalog.Delete.Name;
        return StepFunctionsEngine.ExecutionArn(Stack.StateMachineArn(machine), $"{kind}-{uid}");
    }

    /// <summary>The history of an execution once it has ended (waits up to <paramref name="timeout"/>).</summary>
    public async Task<IReadOnlyList<HistoryEvent>> CompletedHistoryAsync(string executionArn, TimeSpan timeout, CancellationToken ct)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(timeout);
        try
        {
            await Stack.Engine.WaitForCompletionAsync(executionArn, bounded.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // Report what there is.
        }
        return await Stack.Engine.GetHistoryAsync(executionArn, ct);
    }

    /// <summary>Live resources of the local AWS carrying the uid tag of one of <paramref name="uids"/>.</summary>
    public IEnumerable<InventoryResource> ResourcesOf(IReadOnlySet<string> uids) =>
        Stack.LocalAws.Inventory().Resources.Where(r => r.Tags.TryGetValue(UidTag, out var uid) && uids.Contains(uid));

    public static bool IsTransient(Exception ex, CancellationToken ct) =>
        !ct.IsCancellationRequested && ex is HttpRequestException or TaskCanceledException or IOException or TransientApiException;

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string project, string path, string? json, CancellationToken ct)
    {
        var current = Stack;
        using var request = new HttpRequestMessage(method, new Uri(current.Endpoint, $"/v1/projects/{project}{path}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TokenFor(current, project));
        if (json is not null)
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return await _http.SendAsync(request, ct);
    }

    private string TokenFor(LocalStack current, string project)
    {
        lock (_sync)
        {
            if (!_tokens.TryGetValue((current, project), out var token))
            {
                token = current.Tokens.Mint("benchmark", "acme", [$"project-admin:{project}"]);
                _tokens[(current, project)] = token;
            }
            return token;
        }
    }

    private static async Task<JsonObject> ExpectAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode == expected)
            return JsonNode.Parse(text) as JsonObject ?? [];
        // 5xx and 429 are worth asking again (the stack restarting, a throttled table), and so is 401: a token
        // minted by the stack before a restart is refused by the new one until the driver switches to it.
        // Anything else is a defect to report.
        var message = $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}: {(int)response.StatusCode} {text}";
        throw (int)response.StatusCode >= 500 || response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.Unauthorized
            ? new TransientApiException(message)
            : new InvalidOperationException(message);
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>The API answered 5xx or 429: worth asking again.</summary>
public sealed class TransientApiException(string message) : Exception(message);
