using System.Globalization;
using System.Text.Json.Nodes;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.Iam;

namespace PaletteServerless.Local.Aws.Sts;

/// <summary>
/// STS with the local IAM: AssumeRole of a role the templates define, allowed when the role's trust
/// policy and (for a principal) the caller's identity policies allow sts:AssumeRole with the request's
/// keys (sts:ExternalId, session tags, source identity); the session's credentials act as the role
/// with the session policy and tags. DecodeAuthorizationMessage reads back EC2's encoded messages.
/// </summary>
internal static class StsSessions
{
    public static async Task<LocalAwsResponse> AssumeRoleAsync(LocalIam iam, AwsCall call, CancellationToken ct)
    {
        var (roleArn, sessionName, duration) = StsService.ValidateAssumeRole(call);
        var p = call.Parameters;
        var callerArn = call.Principal?.SessionArn ?? $"arn:aws:iam::{call.Account}:root";
        var match = System.Text.RegularExpressions.Regex.Match(roleArn, @"^arn:aws:iam::(\d{12}):");
        await iam.EnsureAccountAsync(match.Groups[1].Value, ct);
        var role = iam.Role(roleArn);
        var tags = p.MemberStructures("Tags").ToDictionary(t => t.Required("Key"), t => t.Required("Value"), StringComparer.Ordinal);
        JsonNode? sessionPolicy = null;
        if (p["Policy"] is { } policyText)
        {
            try
            {
                sessionPolicy = JsonNode.Parse(policyText);
            }
            catch (System.Text.Json.JsonException)
            {
                throw new AwsErrorException("MalformedPolicyDocument", "The policy is not in the valid JSON format.");
            }
        }
        if (role is null)
            throw NotAuthorized(iam, call, callerArn, roleArn, "the role does not exist");
        if (iam.Enabled)
        {
            await iam.Evaluator.RegisterResourcePolicyAsync(role.Arn, role.TrustPolicy, ct);
            var context = AuthorizationContext.Empty().WithRequestTags(tags);
            // Who asks, as a trust policy reads it: aws:PrincipalArn is the caller's role ARN with its path
            // (the session ARN has none), and the account's root for a key the stack did not issue.
            if (call.Principal is { } caller)
                foreach (var (key, values) in caller.Context)
                    context[key] = values;
            else
                context["aws:PrincipalArn"] = [callerArn];
            if (p["ExternalId"] is { } externalId)
                context["sts:ExternalId"] = [externalId];
            if (p["SourceIdentity"] is { } source)
                context["sts:SourceIdentity"] = [source];
            context["sts:RoleSessionName"] = [sessionName];
            // Session tags need sts:TagSession and a source identity sts:SetSourceIdentity, from the trust
            // policy and the caller's policies alike, besides sts:AssumeRole (IAM User Guide, "Passing session tags
            // in AWS STS" and "Monitor and control actions taken with assumed roles").
            List<AuthorizationCheck> checks = [AuthorizationCheck.Of("sts:AssumeRole", role.Arn, context)];
            if (tags.Count > 0)
                checks.Add(AuthorizationCheck.Of("sts:TagSession", role.Arn, context));
            if (p["SourceIdentity"] is not null)
                checks.Add(AuthorizationCheck.Of("sts:SetSourceIdentity", role.Arn, context));
            // The trust policy decides for every caller; a principal's own policies must allow it as well.
            var policySet = await AdministratorPolicySetAsync(iam, ct);
            var trusted = await iam.Evaluator.EvaluateAsync(
                [.. checks.Select(check => new EvaluationRequest(policySet, role.Arn, callerArn, role.Account, check))], ct);
            for (var i = 0; i < checks.Count; i++)
                if (!trusted[i].Allowed)
                    throw NotAuthorized(iam, call, callerArn, roleArn, trusted[i].Statement ?? "the role's trust policy does not allow it", checks[i].Action);
            if (call.Principal is { } principal && await iam.AuthorizeAsync(principal, checks, ct, resourcePolicy: role.Arn) is { } denial)
                throw LocalAws.AccessDenied(call.Aws.Services.OfType<StsService>().Single(), denial);
        }

        var expiration = call.Now.AddSeconds(duration);
        var session = await iam.IssueAsync(role, sessionName, ct, sessionPolicy, tags, p["SourceIdentity"], expiration);
        return QueryResponses.Query("AssumeRole", StsService.Namespace, call.RequestId, x => x
            .Open("AssumedRoleUser")
                .Element("AssumedRoleId", StsService.RoleId(role.Arn) + ":" + sessionName)
                .Element("Arn", session.SessionArn)
            .Close()
            .Open("Credentials")
                .Element("AccessKeyId", session.AccessKeyId)
                .Element("SecretAccessKey", session.SecretAccessKey)
                .Element("SessionToken", session.SessionToken)
                .Element("Expiration", expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture))
            .Close()
            .Element("PackedPolicySize", sessionPolicy is null && tags.Count == 0 ? null : 6)
            .Element("SourceIdentity", p["SourceIdentity"]));
    }

    public static LocalAwsResponse DecodeAuthorizationMessage(AwsCall call)
    {
        var decoded = AuthorizationMessages.Decode(call.Parameters.Required("EncodedMessage"))
            ?? throw new AwsErrorException("InvalidAuthorizationMessageException", "The encoded message is not valid.");
        return QueryResponses.Query("DecodeAuthorizationMessage", StsService.Namespace, call.RequestId, x => x.Element("DecodedMessage", decoded));
    }

    // The trust policy alone decides whether the role may be assumed by the caller's account or
    // role: evaluated for a caller whose own policies allow everything.
    private static async Task<string> AdministratorPolicySetAsync(LocalIam iam, CancellationToken ct)
    {
        const string id = "local-administrator";
        if (!iam.Evaluator.IsRegistered(id))
        {
            await iam.Evaluator.RegisterPolicySetAsync(id,
                [("AdministratorAccess", JsonNode.Parse("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}""")!)],
                null, ct);
        }
        return id;
    }

    private static AwsErrorException NotAuthorized(LocalIam iam, AwsCall call, string callerArn, string roleArn, string why, string action = "sts:AssumeRole")
    {
        if (iam.Enabled)
            iam.Deny(call.Principal?.Name ?? "administrator", callerArn, action, roleArn, why, isExplicit: false);
        return new AwsErrorException("AccessDenied", $"User: {callerArn} is not authorized to perform: {action} on resource: {roleArn}", 403);
    }
}
