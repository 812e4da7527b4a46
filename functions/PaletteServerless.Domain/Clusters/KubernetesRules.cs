using System.Text.RegularExpressions;
using PaletteServerless.Domain.Validation;

namespace PaletteServerless.Domain.Clusters;

/// <summary>Kubernetes' own rules for label keys and values and for taints, so kubeadm never rejects what we accepted.</summary>
public static partial class KubernetesRules
{
    public static readonly string[] TaintEffects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

    public static void Labels(Rules rules, string field, Dictionary<string, string>? labels)
    {
        foreach (var (key, value) in labels ?? [])
        {
            var at = $"{field}.{key}";
            if (!IsQualifiedName(key))
                rules.Add(at, "label keys must be an optional DNS subdomain prefix and '/', then a name of at most 63 characters: letters, digits, '-', '_', '.'");
            if (value is null || !IsLabelValue(value))
                rules.Add(at, "label values must be at most 63 characters: letters, digits, '-', '_', '.', starting and ending alphanumeric");
        }
    }

    public static void Taints(Rules rules, string field, List<TaintSpec>? taints)
    {
        if (taints is null)
            return;
        var seen = new HashSet<(string?, string?)>();
        for (var i = 0; i < taints.Count; i++)
        {
            var at = $"{field}[{i}]";
            var taint = taints[i];
            if (!rules.Required(at, taint))
                continue;
            if (rules.Required($"{at}.key", taint.Key) && !IsQualifiedName(taint.Key!))
                rules.Add($"{at}.key", "must be a Kubernetes qualified name such as dedicated or example.com/gpu");
            if (taint.Value is not null && !IsLabelValue(taint.Value))
                rules.Add($"{at}.value", "must be at most 63 characters: letters, digits, '-', '_', '.', starting and ending alphanumeric");
            if (rules.Required($"{at}.effect", taint.Effect))
                rules.OneOf($"{at}.effect", taint.Effect, TaintEffects);
            if (!seen.Add((taint.Key, taint.Effect)))
                rules.Add(at, "duplicates another taint with the same key and effect");
        }
    }

    public static bool IsQualifiedName(string key)
    {
        var slash = key.IndexOf('/');
        var name = slash < 0 ? key : key[(slash + 1)..];
        if (slash >= 0)
        {
            var prefix = key[..slash];
            if (prefix.Length is 0 or > 253 || !DnsSubdomain().IsMatch(prefix))
                return false;
        }
        return name.Length is >= 1 and <= 63 && NamePart().IsMatch(name);
    }

    public static bool IsLabelValue(string value) =>
        value.Length == 0 || (value.Length <= 63 && NamePart().IsMatch(value));

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\z")]
    private static partial Regex DnsSubdomain();

    [GeneratedRegex(@"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?\z")]
    private static partial Regex NamePart();
}
