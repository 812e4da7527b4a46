namespace PaletteServerless.Local.Aws.Iam;

/// <summary>
/// One question IAM answers for a request: may the caller do <see cref="Action"/> on
/// <see cref="Resource"/> with these request context keys? A request is allowed only when every
/// check of it is (the Service Authorization Reference lists, per action, the resource types a
/// request is authorized against: EC2's RunInstances, say, on the instance, its volumes, subnet,
/// security groups, image, key pair and network interface, each a check of its own).
/// </summary>
/// <param name="Action">The IAM action, <c>service:Operation</c>.</param>
/// <param name="Resource">The resource's ARN, or <c>*</c> for actions without resource-level permissions.</param>
/// <param name="Context">Request context keys (<c>aws:RequestTag/k</c>, <c>aws:ResourceTag/k</c>, <c>aws:TagKeys</c>, <c>ec2:CreateAction</c>, ...); the principal's own keys are added by the authorizer.</param>
public sealed record AuthorizationCheck(string Action, string Resource, IReadOnlyDictionary<string, IReadOnlyList<string>> Context)
{
    public static AuthorizationCheck Of(string action, string resource, Dictionary<string, IReadOnlyList<string>>? context = null) =>
        new(action, resource, context ?? new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal));
}

/// <summary>
/// A service that says how IAM authorizes each of its calls. Called under the store lock, before
/// the call is answered; a request naming a resource that does not exist maps to no check for
/// that resource (the service then answers its NotFound error, as AWS does when there is nothing
/// to read the tags of). An operation the map does not know returns null: the authorizer refuses
/// it for every principal but the administrator, so nothing unmapped is silently allowed.
/// </summary>
public interface IAuthorizesRequests
{
    IReadOnlyList<AuthorizationCheck>? Authorizations(Core.AwsCall call);
}

/// <summary>Builders of context-key dictionaries, so maps read as the Service Authorization Reference does.</summary>
public static class AuthorizationContext
{
    public static Dictionary<string, IReadOnlyList<string>> Empty() => new(StringComparer.Ordinal);

    /// <summary><c>aws:RequestTag/k</c> for each tag of the request and <c>aws:TagKeys</c> (absent when there are none).</summary>
    public static Dictionary<string, IReadOnlyList<string>> WithRequestTags(this Dictionary<string, IReadOnlyList<string>> context, IReadOnlyDictionary<string, string> tags)
    {
        foreach (var (key, value) in tags)
            context["aws:RequestTag/" + key] = [value];
        if (tags.Count > 0)
            context["aws:TagKeys"] = [.. tags.Keys];
        return context;
    }

    /// <summary><c>aws:ResourceTag/k</c> (and the service's own <c>{service}:ResourceTag/k</c> spelling where it has one) for each tag the resource carries.</summary>
    public static Dictionary<string, IReadOnlyList<string>> WithResourceTags(this Dictionary<string, IReadOnlyList<string>> context, IReadOnlyDictionary<string, string> tags, string? servicePrefix = null)
    {
        foreach (var (key, value) in tags)
        {
            context["aws:ResourceTag/" + key] = [value];
            if (servicePrefix is not null)
                context[$"{servicePrefix}:ResourceTag/{key}"] = [value];
        }
        return context;
    }

    public static Dictionary<string, IReadOnlyList<string>> With(this Dictionary<string, IReadOnlyList<string>> context, string key, params string[] values)
    {
        context[key] = values;
        return context;
    }
}
