using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PaletteServerless.Local.Aws.Iam;

/// <summary>
/// IAM for the local AWS: who calls (principals by access key), what their roles allow (the
/// synthesized templates' policies) and whether a call is allowed (the policy evaluator). Off, every
/// call is answered as before. On, every call signed by a principal is evaluated; keys it did not
/// issue act as the account's administrator (a developer's AWS CLI).
/// </summary>
public sealed partial class LocalIam(PolicyEvaluator evaluator, TimeProvider clock, TextWriter? log = null)
{
    /// <summary>Denials kept for <c>GET /local/iam/denials</c>; the oldest go first beyond this.</summary>
    public const int DenialsKept = 1000;

    private readonly ConcurrentDictionary<string, IamRole> _rolesByArn = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IamRole> _deployedRoles = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IamPrincipal> _principalsByKey = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IamPrincipal> _instancePrincipals = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _keyPoliciesByArn = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _keyArnsByAlias = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<IamDenial> _denials = new();
    private readonly ConcurrentDictionary<string, byte> _inFlight = new(StringComparer.Ordinal);
    // Nodes' own calls are judged two at a time: five hundred booting nodes must not crowd out the product's calls,
    // which the evaluator answers in the order they come.
    private readonly SemaphoreSlim _backgroundSlots = new(2);
    private readonly Lock _accountSync = new();
    private readonly HashSet<string> _accountsWithRoles = new(StringComparer.Ordinal);

    public bool Enabled { get; set; } = true;

    public PolicyEvaluator Evaluator => evaluator;

    /// <summary>
    /// Deploys the templates of an account that none was deployed to yet (a target account: the
    /// target stack's roles and key), on its first use: adds its roles with <see cref="AddRole"/>
    /// and keys with <see cref="AddKeyAsync"/>.
    /// </summary>
    public Func<string, CancellationToken, Task>? DeployToAccount { get; set; }

    private readonly ConcurrentDictionary<string, Lazy<Task>> _deployments = new(StringComparer.Ordinal);

    /// <summary>Makes sure the account's roles and keys exist before anything reads them.</summary>
    public Task EnsureAccountAsync(string account, CancellationToken ct)
    {
        bool known;
        lock (_accountSync)
            known = _accountsWithRoles.Contains(account);
        if (known || DeployToAccount is not { } deploy)
            return Task.CompletedTask;
        return _deployments.GetOrAdd(account, a => new Lazy<Task>(() => deploy(a, CancellationToken.None))).Value;
    }

    /// <summary>Every principal with credentials issued so far.</summary>
    public IReadOnlyList<IamPrincipal> Principals =>
        [.. _principalsByKey.Values.Where(p => p.Expiration is null || p.Expiration > clock.GetUtcNow()).OrderBy(p => p.Account, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal)];

    public IReadOnlyList<IamDenial> Denials => [.. _denials];

    public IReadOnlyList<IamRole> Roles => [.. _rolesByArn.Values.OrderBy(r => r.Arn, StringComparer.Ordinal)];

    public void ClearDenials() => _denials.Clear();

    /// <summary>Removes the denials a test provoked on purpose (the rest stay), and returns them.</summary>
    public IReadOnlyList<IamDenial> TakeDenials(Func<IamDenial, bool> provoked)
    {
        var all = new List<IamDenial>();
        while (_denials.TryDequeue(out var denial))
            all.Add(denial);
        foreach (var kept in all.Where(d => !provoked(d)))
            _denials.Enqueue(kept);
        return [.. all.Where(provoked)];
    }

    /// <summary>
    /// Takes the statement <paramref name="sid"/> out of every policy of the roles for
    /// <paramref name="purpose"/>, as if the CDK app had not synthesized it: for proving that the
    /// product needs it (a test), or trying what a narrower policy would break. Returns how many
    /// statements were removed.
    /// </summary>
    public async Task<int> RemoveStatementAsync(string purpose, string sid, CancellationToken ct)
    {
        var removed = 0;
        foreach (var role in _rolesByArn.Values.Where(r => r.Purpose == purpose).ToList())
        {
            var policies = new List<(string Name, JsonNode Document)>();
            foreach (var (name, document) in role.Policies)
            {
                var copy = document.DeepClone();
                if (copy["Statement"] is JsonArray statements)
                {
                    foreach (var statement in statements.Where(st => (string?)st?["Sid"] == sid).ToList())
                    {
                        statements.Remove(statement);
                        removed++;
                    }
                }
                policies.Add((name, copy));
            }
            await ReplaceAsync(role with { Policies = policies }, ct);
        }
        return removed;
    }

    /// <summary>Every role's policies as the templates deployed them, undoing <see cref="RemoveStatementAsync"/>.</summary>
    public async Task RestoreAsync(CancellationToken ct)
    {
        foreach (var role in _deployedRoles.Values)
            if (!ReferenceEquals(_rolesByArn.GetValueOrDefault(role.Arn), role))
                await ReplaceAsync(role, ct);
    }

    // Every session of the role (but instances', whose policies are resolved per instance) evaluates with the new policies from
    // now on, each with its session policy.
    private async Task ReplaceAsync(IamRole role, CancellationToken ct)
    {
        _rolesByArn[role.Arn] = role;
        foreach (var policySet in _principalsByKey.Values.Where(p => p.RoleArn == role.Arn && p.InstanceId is null).Select(p => p.PolicySetId).Distinct())
            await evaluator.RegisterPolicySetAsync(policySet, role.Policies, _sessionPolicies.GetValueOrDefault(policySet), ct);
    }

    private readonly ConcurrentDictionary<string, JsonNode> _sessionPolicies = new(StringComparer.Ordinal);

    private static string PolicyHash(JsonNode policy) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(policy.ToJsonString())))[..16];

    /// <summary>Adds a role (from a template) to its account.</summary>
    public void AddRole(IamRole role)
    {
        _rolesByArn[role.Arn] = role;
        _deployedRoles[role.Arn] = role;
        lock (_accountSync)
            _accountsWithRoles.Add(role.Account);
    }

    /// <summary>A KMS key's policy and aliases: kms checks on the key are evaluated with its policy.</summary>
    public async Task AddKeyAsync(string keyArn, IReadOnlyList<string> aliases, JsonNode policy, CancellationToken ct)
    {
        await evaluator.RegisterResourcePolicyAsync(keyArn, policy, ct);
        _keyPoliciesByArn[keyArn] = keyArn;
        var account = keyArn.Split(':')[4];
        var region = keyArn.Split(':')[3];
        foreach (var alias in aliases)
            _keyArnsByAlias[$"{account}/{region}/{alias}"] = keyArn;
    }

    /// <summary>The ARN of the key an alias names in an account and region, or null for a key the templates do not define.</summary>
    public string? KeyArnOf(string account, string region, string keyIdOrAlias) =>
        keyIdOrAlias.StartsWith("arn:aws:kms:", StringComparison.Ordinal) ? keyIdOrAlias
        : _keyArnsByAlias.TryGetValue($"{account}/{region}/{keyIdOrAlias}", out var arn) ? arn
        : _keyPoliciesByArn.Keys.FirstOrDefault(k => k.EndsWith("/" + keyIdOrAlias, StringComparison.Ordinal) && k.Split(':')[4] == account);

    /// <summary>The aliases of a key the templates define.</summary>
    public IReadOnlyList<string> AliasesOf(string keyArn) =>
        [.. _keyArnsByAlias.Where(a => a.Value == keyArn).Select(a => a.Key[(a.Key.IndexOf("/alias/", StringComparison.Ordinal) + 1)..])];

    /// <summary>The role an ARN names (after <see cref="EnsureAccountAsync"/> of its account).</summary>
    public IamRole? Role(string roleArn) => _rolesByArn.GetValueOrDefault(roleArn);

    /// <summary>The principal whose credentials signed a request, or null: the account's administrator.</summary>
    public IamPrincipal? Find(string accessKeyId, DateTimeOffset now) =>
        _principalsByKey.TryGetValue(accessKeyId, out var principal) && (principal.Expiration is null || principal.Expiration > now) ? principal : null;

    /// <summary>
    /// The principal of a request's credentials, also of an STS session issued before the stack
    /// restarted: like AWS's, a local session token describes its session (role, name, expiry, session
    /// policy and tags), so a session outlives the process that issued it, as callers that cache
    /// their credentials expect.
    /// </summary>
    public async Task<IamPrincipal?> FindAsync(string accessKeyId, string? sessionToken, DateTimeOffset now, CancellationToken ct)
    {
        if (Find(accessKeyId, now) is { } known)
            return known;
        if (sessionToken is null || SessionTokens.Read(sessionToken) is not { } session || session.AccessKeyId != accessKeyId || session.Expiration <= now)
            return null;
        var account = session.RoleArn.Split(':')[4];
        await EnsureAccountAsync(account, ct);
        if (Role(session.RoleArn) is not { } role)
            return null;
        return await IssueAsync(role, session.SessionName, ct, session.Policy is null ? null : JsonNode.Parse(session.Policy),
            session.Tags, session.SourceIdentity, session.Expiration, reuse: (accessKeyId, sessionToken));
    }

    /// <summary>Credentials of a session of <paramref name="role"/>, as Lambda gives a function or STS an assumer.</summary>
    public async Task<IamPrincipal> IssueAsync(IamRole role, string sessionName, CancellationToken ct,
        JsonNode? sessionPolicy = null, IReadOnlyDictionary<string, string>? sessionTags = null, string? sourceIdentity = null,
        DateTimeOffset? expiration = null, string? name = null, (string AccessKeyId, string Token)? reuse = null)
    {
        // Sessions of one role with the same session policy share one policy set, and so its cached answers.
        var policySet = sessionPolicy is null ? role.Arn : $"{role.Arn}#{PolicyHash(sessionPolicy)}";
        if (sessionPolicy is not null)
            _sessionPolicies[policySet] = sessionPolicy;
        if (!evaluator.IsRegistered(policySet))
            await evaluator.RegisterPolicySetAsync(policySet, role.Policies, sessionPolicy, ct);
        var context = PrincipalContext(role);
        foreach (var (key, value) in sessionTags ?? new Dictionary<string, string>())
            context["aws:PrincipalTag/" + key] = [value];
        if (sourceIdentity is not null)
            context["aws:SourceIdentity"] = [sourceIdentity];
        return NewSession(role, sessionName, policySet, context, name, expiration,
            describe: expiration is { } expires ? key => new SessionTokens.Session(key, role.Arn, sessionName, expires, sessionPolicy?.ToJsonString(), sessionTags, sourceIdentity) : null,
            reuse: reuse);
    }

    private IamPrincipal NewSession(IamRole role, string sessionName, string policySet, Dictionary<string, IReadOnlyList<string>> context,
        string? name = null, DateTimeOffset? expiration = null, string? instanceId = null,
        Func<string, SessionTokens.Session>? describe = null, (string AccessKeyId, string Token)? reuse = null)
    {
        var (keyId, secret, token) = IamPrincipal.NewCredentials();
        if (reuse is { } kept)
            (keyId, token) = kept;
        else if (describe is not null)
            token = SessionTokens.Write(describe(keyId));
        var principal = new IamPrincipal
        {
            Name = name ?? role.Purpose,
            Account = role.Account,
            RoleArn = role.Arn,
            SessionArn = $"arn:aws:sts::{role.Account}:assumed-role/{role.Name}/{sessionName}",
            AccessKeyId = keyId,
            SecretAccessKey = secret,
            SessionToken = token,
            Expiration = expiration,
            InstanceId = instanceId,
            PolicySetId = policySet,
            Context = context,
        };
        _principalsByKey[keyId] = principal;
        return principal;
    }

    private readonly ConcurrentDictionary<string, Lazy<Task<IamPrincipal>>> _servicePrincipals = new(StringComparer.Ordinal);

    /// <summary>The one session a service holds of a role it acts as (Step Functions as a state machine's role).</summary>
    public Task<IamPrincipal> SessionOfAsync(IamRole role, string service, CancellationToken ct) =>
        _servicePrincipals.GetOrAdd($"{service}/{role.Arn}", _ => new Lazy<Task<IamPrincipal>>(() => IssueAsync(role, service, ct, name: role.Purpose))).Value;

    /// <summary>
    /// The credentials IMDS hands an instance launched with an instance profile: a session of the
    /// profile's role named after the instance, with the EC2 keys IAM adds to requests signed with
    /// them. Policy variables that are a whole Resource element (<c>${ec2:SourceInstanceARN}</c>) are
    /// resolved for the instance here, as IAM resolves them per request.
    /// </summary>
    public async Task<IamPrincipal?> InstancePrincipalAsync(string account, string region, string instanceId, string profileName, string? vpcId, CancellationToken ct)
    {
        var cacheKey = $"{account}/{instanceId}";
        if (_instancePrincipals.TryGetValue(cacheKey, out var known))
            return known;
        await EnsureAccountAsync(account, ct);
        if (Role($"arn:aws:iam::{account}:role/{profileName}") is not { } role)
            return null;
        var instanceArn = $"arn:aws:ec2:{region}:{account}:instance/{instanceId}";
        var values = new Dictionary<string, string> { ["ec2:SourceInstanceARN"] = instanceArn, ["aws:ec2InstanceSourceVPC"] = vpcId ?? "" };
        var policies = role.Policies.Select(p => (p.Name, ResolveWholeElementVariables(p.Document, values))).ToList();
        var policySet = $"{role.Arn}#{instanceId}";
        await evaluator.RegisterPolicySetAsync(policySet, policies, null, ct);
        var context = PrincipalContext(role);
        context["ec2:SourceInstanceARN"] = [instanceArn];
        if (vpcId is not null)
            context["aws:ec2InstanceSourceVPC"] = [vpcId];
        var principal = NewSession(role, instanceId, policySet, context, instanceId: instanceId);
        return _instancePrincipals.GetOrAdd(cacheKey, principal);
    }

    /// <summary>
    /// Starts <paramref name="evaluate"/> in the background unless the evaluation named <paramref name="key"/> is under way
    /// already (a node asks again at each of its steps until it has the answer); <paramref name="answered"/> runs once it is in.
    /// A failed evaluation is simply not under way any more: the next ask starts it again.
    /// </summary>
    public void InBackground(string key, Func<Task> evaluate, Action answered)
    {
        if (!_inFlight.TryAdd(key, 0))
            return;
        _ = Task.Run(async () =>
        {
            var ok = false;
            await _backgroundSlots.WaitAsync();
            try
            {
                await evaluate();
                ok = true;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                log?.WriteLine($"local IAM: a background evaluation ({key}) failed: {ex.Message}");
            }
            finally
            {
                _backgroundSlots.Release();
                _inFlight.TryRemove(key, out _);
            }
            if (ok)
                answered();
        });
    }

    /// <summary>The instance's principal if its credentials were issued already (no I/O).</summary>
    public IamPrincipal? IssuedInstancePrincipal(string account, string instanceId) => _instancePrincipals.GetValueOrDefault($"{account}/{instanceId}");

    /// <summary>
    /// The answer to a request from the evaluator's cache, without I/O (for callers under the local
    /// AWS's store lock): Known false when it is not cached yet, else the denial (not recorded
    /// again: <see cref="AuthorizeAsync"/> recorded it when it evaluated the request) or null.
    /// </summary>
    public (bool Known, IamDenial? Denial) TryAuthorizeCached(IamPrincipal principal, IReadOnlyList<AuthorizationCheck> checks)
    {
        var decisions = evaluator.TryCached(Requests(principal, checks, null));
        if (decisions is null)
            return (false, null);
        var refused = decisions.Select((d, i) => (Decision: d, Check: checks[i])).FirstOrDefault(x => !x.Decision.Allowed);
        return refused.Decision is null
            ? (true, null)
            : (true, new IamDenial(principal.Name, principal.SessionArn, refused.Check.Action, refused.Check.Resource, clock.GetUtcNow(),
                refused.Decision.Statement ?? MissingStatement(principal, refused.Check), refused.Decision.ExplicitlyDenied));
    }

    /// <summary>
    /// Evaluates every check of one request for <paramref name="principal"/>; the first check that is
    /// not allowed is the denial (recorded and printed), null when all are allowed.
    /// </summary>
    public async Task<IamDenial?> AuthorizeAsync(IamPrincipal principal, IReadOnlyList<AuthorizationCheck> checks, CancellationToken ct, string? resourcePolicy = null)
    {
        var requests = Requests(principal, checks, resourcePolicy);
        var decisions = await evaluator.EvaluateAsync(requests, ct);
        for (var i = 0; i < decisions.Count; i++)
        {
            if (decisions[i].Allowed)
                continue;
            var statement = decisions[i].Statement
                ?? (decisions[i].Errors is { } errors ? $"the request could not be evaluated: {errors}" : MissingStatement(principal, checks[i]));
            return Deny(principal.Name, principal.SessionArn, checks[i].Action, checks[i].Resource, statement, decisions[i].ExplicitlyDenied);
        }
        return null;
    }

    private List<EvaluationRequest> Requests(IamPrincipal principal, IReadOnlyList<AuthorizationCheck> checks, string? resourcePolicy) =>
        [.. checks.Select(c => new EvaluationRequest(principal.PolicySetId,
            resourcePolicy ?? (c.Action.StartsWith("kms:", StringComparison.Ordinal) && _keyPoliciesByArn.ContainsKey(c.Resource) ? c.Resource : null),
            principal.SessionArn, AccountOf(c.Resource, principal.Account), WithPrincipalContext(c, principal)))];

    /// <summary>Records a refusal the service decided without the evaluator (an operation no map knows).</summary>
    public IamDenial Deny(string principal, string principalArn, string action, string resource, string statement, bool isExplicit)
    {
        var denial = new IamDenial(principal, principalArn, action, resource, clock.GetUtcNow(), statement, isExplicit);
        _denials.Enqueue(denial);
        while (_denials.Count > DenialsKept && _denials.TryDequeue(out _))
        {
        }
        log?.WriteLine($"local IAM: denied {principal} {action} on {resource}: {statement}");
        return denial;
    }

    /// <summary>What was missing: no statement of the principal's policies (named) allows the action on the resource.</summary>
    private string MissingStatement(IamPrincipal principal, AuthorizationCheck check)
    {
        var policies = Role(principal.RoleArn)?.Policies.Select(p => p.Name).ToList() ?? [];
        var where = policies.Count == 0 ? "the role has no policy" : $"no statement of {string.Join(", ", policies)} allows {check.Action} on this resource";
        return principal.PolicySetId.Contains('#') && principal.InstanceId is null ? where + " (or the session policy does not)" : where;
    }

    private static AuthorizationCheck WithPrincipalContext(AuthorizationCheck check, IamPrincipal principal)
    {
        var context = new Dictionary<string, IReadOnlyList<string>>(principal.Context, StringComparer.Ordinal);
        foreach (var (key, values) in check.Context)
            context[key] = values;
        return check with { Context = context };
    }

    private static Dictionary<string, IReadOnlyList<string>> PrincipalContext(IamRole role) => new(StringComparer.Ordinal)
    {
        ["aws:PrincipalArn"] = [role.Arn],
        ["aws:PrincipalAccount"] = [role.Account],
        ["aws:PrincipalType"] = ["AssumedRole"],
    };

    /// <summary>The account a resource ARN names; an ARN without one (a public image, "*") is the caller's.</summary>
    private static string AccountOf(string resource, string caller) =>
        resource.Split(':') is { Length: > 5 } parts && parts[4].Length == 12 ? parts[4] : caller;

    [GeneratedRegex(@"^\$\{([^}]+)\}$")]
    private static partial Regex WholeVariable();

    private static JsonNode ResolveWholeElementVariables(JsonNode document, IReadOnlyDictionary<string, string> values)
    {
        var copy = document.DeepClone();
        var statements = copy["Statement"] is JsonArray many ? many.OfType<JsonObject>() : copy["Statement"] is JsonObject one ? [one] : [];
        foreach (var statement in statements)
        {
            foreach (var element in new[] { "Resource", "NotResource" })
            {
                JsonNode? Resolve(JsonNode? node) =>
                    node is JsonValue v && (string?)v is { } text && WholeVariable().Match(text) is { Success: true } m && values.TryGetValue(m.Groups[1].Value, out var value)
                        ? value : node?.DeepClone();
                statement[element] = statement[element] switch
                {
                    JsonArray array => new JsonArray([.. array.Select(Resolve)]),
                    JsonNode node => Resolve(node),
                    null => null,
                };
                if (statement[element] is null)
                    statement.Remove(element);
            }
        }
        return copy;
    }
}
