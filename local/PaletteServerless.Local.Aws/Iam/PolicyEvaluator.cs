using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PaletteServerless.Local.Aws.Iam;

/// <summary>What IAM decided for one check, and the statement that decided a denial, when one did.</summary>
public sealed record PolicyDecision(string Decision, string? Statement = null, string? Errors = null)
{
    public bool Allowed => Decision == "Allowed";
    public bool ExplicitlyDenied => Decision == "ExplicitlyDenied";
}

/// <summary>One check as the evaluator takes it: who, with which policy set and resource policy.</summary>
public sealed record EvaluationRequest(string PolicySet, string? ResourcePolicy, string Principal, string AccountId, AuthorizationCheck Check);

/// <summary>
/// The client of the policy evaluator the local stack runs beside it (local/node/iam-simulate-child.js:
/// <c>@cloud-copilot/iam-simulate</c>, a maintained implementation of AWS's policy evaluation logic).
/// Policy sets are registered once; decisions are cached, since the same policies, request and
/// context always get the same answer.
/// </summary>
public sealed partial class PolicyEvaluator(Uri endpoint, HttpMessageHandler? handler = null) : IDisposable
{
    // A bounded pool: the evaluator is one event loop, and a burst of connections beyond its backlog is refused.
    private readonly HttpClient _http = new(handler ?? new SocketsHttpHandler { MaxConnectionsPerServer = 16 }, disposeHandler: true) { BaseAddress = endpoint, Timeout = TimeSpan.FromSeconds(30) };
    private readonly ConcurrentDictionary<string, PolicyDecision> _decisions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task<PolicyDecision>> _inFlight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _registered = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PolicyShape> _shapes = new(StringComparer.Ordinal);

    /// <summary>How many checks were sent to the evaluator (not answered from the cache).</summary>
    public long Evaluations => Interlocked.Read(ref _evaluations);
    private long _evaluations;

    /// <summary>Registers (or replaces) the identity policies and session policy of a principal.</summary>
    public async Task RegisterPolicySetAsync(string id, IEnumerable<(string Name, JsonNode Document)> identityPolicies, JsonNode? sessionPolicy, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["identityPolicies"] = new JsonArray([.. identityPolicies.Select(p => (JsonNode)new JsonObject { ["name"] = p.Name, ["policy"] = p.Document.DeepClone() })]),
        };
        if (sessionPolicy is not null)
            body["sessionPolicy"] = sessionPolicy.DeepClone();
        await PutAsync($"policy-sets/{Uri.EscapeDataString(id)}", id, body, ct);
        _shapes[id] = PolicyShape.Of([.. body["identityPolicies"]!.AsArray().Select(p => p!["policy"]), body["sessionPolicy"]]);
        // The same role deployed in another account (a target stack) differs only by its account id: its sets
        // answer alike for requests that differ only by that id, so they share one family of cached answers.
        _families[id] = RoleAccount().Match(id) is { Success: true } role
            ? (role.Groups[1].Value, "family:" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(
                System.Text.Encoding.UTF8.GetBytes(body.ToJsonString().Replace(role.Groups[1].Value, "{account}", StringComparison.Ordinal))))[..24])
            : (null, id);
    }

    private readonly ConcurrentDictionary<string, (string? Account, string Family)> _families = new(StringComparer.Ordinal);

    [System.Text.RegularExpressions.GeneratedRegex(@"^arn:aws:iam::(\d{12}):role/")]
    private static partial System.Text.RegularExpressions.Regex RoleAccount();

    /// <summary>Registers (or replaces) a resource's policy: a role's trust policy, a key's policy.</summary>
    public async Task RegisterResourcePolicyAsync(string id, JsonNode policy, CancellationToken ct)
    {
        await PutAsync($"resource-policies/{Uri.EscapeDataString(id)}", "resource:" + id, new JsonObject { ["policy"] = policy.DeepClone() }, ct);
        _shapes["resource:" + id] = PolicyShape.Of([policy]);
    }

    public bool IsRegistered(string policySetId) => _registered.ContainsKey(policySetId);

    private async Task PutAsync(string path, string key, JsonObject body, CancellationToken ct)
    {
        var text = body.ToJsonString();
        if (_registered.TryGetValue(key, out var earlier) && earlier == text)
            return;
        await SendAsync(HttpMethod.Put, path, text, ct);
        _registered[key] = text;
        // A changed policy changes answers: forget every cached one.
        if (earlier is not null)
        {
            _decisions.Clear();
            _inFlight.Clear();
        }
    }

    /// <summary>The cached decisions of every request, or null when any is not cached yet (no I/O: safe under any lock).</summary>
    public IReadOnlyList<PolicyDecision>? TryCached(IReadOnlyList<EvaluationRequest> requests)
    {
        var decisions = new List<PolicyDecision>(requests.Count);
        foreach (var request in requests)
        {
            if (!_shapes.ContainsKey(request.PolicySet) || !_decisions.TryGetValue(Key(request), out var decision))
                return null;
            decisions.Add(decision);
        }
        return decisions;
    }

    /// <summary>
    /// The decision of every request. Requests that share a cache key (<see cref="Key"/>) are evaluated once: within
    /// one call (a TerminateInstances of 200 nodes is 200 checks alike but for the instance id), and across calls
    /// while that evaluation is under way, so a burst of alike requests costs the evaluator one check.
    /// </summary>
    public async Task<IReadOnlyList<PolicyDecision>> EvaluateAsync(IReadOnlyList<EvaluationRequest> requests, CancellationToken ct)
    {
        var pending = new Task<PolicyDecision>[requests.Count];
        var owned = new List<(string Key, EvaluationRequest Request, TaskCompletionSource<PolicyDecision> Answer)>();
        for (var i = 0; i < requests.Count; i++)
        {
            var key = Key(requests[i]);
            if (_decisions.TryGetValue(key, out var cached))
            {
                pending[i] = Task.FromResult(cached);
                continue;
            }
            var answer = new TaskCompletionSource<PolicyDecision>(TaskCreationOptions.RunContinuationsAsynchronously);
            var inFlight = _inFlight.GetOrAdd(key, answer.Task);
            if (inFlight == answer.Task)
                owned.Add((key, requests[i], answer));
            pending[i] = inFlight;
        }
        if (owned.Count > 0)
            await EvaluateOwnedAsync(owned);
        return await Task.WhenAll(pending).WaitAsync(ct);
    }

    // Evaluates the checks this call started; every caller waiting on one of them gets its answer, or its failure.
    // Under no caller's token: other callers wait on it too.
    private async Task EvaluateOwnedAsync(List<(string Key, EvaluationRequest Request, TaskCompletionSource<PolicyDecision> Answer)> owned)
    {
        try
        {
            var checks = new JsonArray([.. owned.Select(o => (JsonNode)Body(o.Request))]);
            var text = await SendAsync(HttpMethod.Post, "evaluate", new JsonObject { ["checks"] = checks }.ToJsonString(), CancellationToken.None);
            var answers = JsonNode.Parse(text)!["results"]!.AsArray();
            Interlocked.Add(ref _evaluations, owned.Count);
            for (var j = 0; j < owned.Count; j++)
            {
                var answer = answers[j]!;
                var decision = new PolicyDecision((string)answer["decision"]!, (string?)answer["statement"], (string?)answer["errors"]);
                _decisions[owned[j].Key] = decision;
                owned[j].Answer.TrySetResult(decision);
            }
        }
        catch (Exception failure)
        {
            foreach (var o in owned)
                o.Answer.TrySetException(failure);
        }
        finally
        {
            // Answered (and cached) or failed: the next request for the key reads the cache or asks again.
            foreach (var o in owned)
                _inFlight.TryRemove(new KeyValuePair<string, Task<PolicyDecision>>(o.Key, o.Answer.Task));
        }
    }

    private async Task<string> SendAsync(HttpMethod method, string path, string body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        using var response = await _http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        return response.IsSuccessStatusCode ? text : throw new InvalidOperationException($"the policy evaluator failed ({(int)response.StatusCode}): {text}");
    }

    private static JsonObject Body(EvaluationRequest request)
    {
        var context = new JsonObject();
        foreach (var (key, values) in request.Check.Context)
            context[key] = values.Count == 1 && !MultiValued(key) ? values[0] : new JsonArray([.. values.Select(v => (JsonNode)v)]);
        var body = new JsonObject
        {
            ["policySet"] = request.PolicySet,
            ["principal"] = request.Principal,
            ["action"] = request.Check.Action,
            ["resource"] = request.Check.Resource,
            ["accountId"] = request.AccountId,
            ["context"] = context,
        };
        if (request.ResourcePolicy is not null)
            body["resourcePolicy"] = request.ResourcePolicy;
        return body;
    }

    // Keys IAM documents as multivalued (ArrayOfString): they are sent as arrays even with one value.
    private static bool MultiValued(string key) =>
        key is "aws:TagKeys" or "kms:ResourceAliases" || key.StartsWith("aws:PrincipalServiceNamesList", StringComparison.Ordinal);

    // What the policies can tell apart of the request (PolicyShape): requests that differ only in
    // what no statement reads share one answer.
    private string Key(EvaluationRequest request)
    {
        var shape = _shapes.GetValueOrDefault(request.PolicySet);
        var resourceShape = request.ResourcePolicy is null ? null : _shapes.GetValueOrDefault("resource:" + request.ResourcePolicy);
        var part = shape is null || (request.ResourcePolicy is not null && resourceShape is null)
            ? JsonSerializer.Serialize(request.Check.Context.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => new[] { c.Key }.Concat(c.Value)).ToList()) + request.Check.Resource
            : shape.KeyOf(request.Check, resourceShape);
        // Without a resource policy the caller's ARN is read only through context keys (in the part):
        // every session of a role shares its answers, and so does the same role in every account (its family),
        // for the request with the account's id written as a placeholder.
        if (request.ResourcePolicy is null && _families.TryGetValue(request.PolicySet, out var family) && family.Account is { } account)
            return string.Join('\n', family.Family, "", "", request.AccountId == account ? "{account}" : request.AccountId, request.Check.Action,
                part.Replace(account, "{account}", StringComparison.Ordinal));
        var principal = request.ResourcePolicy is null ? "" : request.Principal;
        return string.Join('\n', request.PolicySet, request.ResourcePolicy, principal, request.AccountId, request.Check.Action, part);
    }

    public void Dispose() => _http.Dispose();
}
