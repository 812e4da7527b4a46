using PaletteServerless.Domain.Validation;

namespace PaletteServerless.Domain.Clusters;

/// <summary>
/// The settings page (patching, scans, backup, RBAC, virtual clusters): the rules every caller obeys, 400.
/// Which RBAC bindings a caller's role may ask for is <see cref="RbacBindingPolicy"/>'s (403).
/// </summary>
public static class SettingsValidator
{
    public static readonly string[] BindingTypes = ["ClusterRoleBinding", "RoleBinding"];
    public static readonly string[] SubjectKinds = ["User", "Group", "ServiceAccount"];

    public static void Validate(Rules rules, string field, ClusterSettings? settings)
    {
        if (settings is null)
            return;
        Cron.Validate(rules, $"{field}.patchSchedule", settings.PatchSchedule);
        if (settings.SecurityScans is { } scans)
        {
            Cron.Validate(rules, $"{field}.securityScans.schedule", scans.Schedule);
            if (scans.Enabled == true && scans.Schedule is null)
                rules.Add($"{field}.securityScans.schedule", "is required when security scans are enabled");
        }
        if (settings.Backup is { } backup)
        {
            Cron.Validate(rules, $"{field}.backup.schedule", backup.Schedule);
            if (backup.RetentionDays is { } days)
                rules.Range($"{field}.backup.retentionDays", days, 1, 3650);
            // Empty: the product creates a bucket for the cluster; else an existing bucket of the cloud account, by its name.
            if (!string.IsNullOrEmpty(backup.Location) && !Backups.BackupLocation.IsBucketName(backup.Location))
                rules.Add($"{field}.backup.location", "must be the name of an existing S3 bucket of the cloud account (3 to 63 of a-z, 0-9, '.' and '-'), or empty for a bucket the product creates for the cluster");
            if (backup.Enabled == true)
                rules.Required($"{field}.backup.schedule", backup.Schedule);
        }
        for (var i = 0; i < (settings.Rbac?.Count ?? 0); i++)
            ValidateBinding(rules, $"{field}.rbac[{i}]", settings.Rbac![i]);
    }

    private static void ValidateBinding(Rules rules, string at, RbacBinding? binding)
    {
        if (!rules.Required(at, binding))
            return;
        if (rules.Required($"{at}.type", binding!.Type))
            rules.OneOf($"{at}.type", binding.Type, BindingTypes);
        if (binding.Type == "RoleBinding")
            rules.DnsLabel($"{at}.namespace", binding.Namespace, 1, 63);
        else if (binding.Namespace is not null)
            rules.Add($"{at}.namespace", "is only allowed on a RoleBinding");
        if (rules.Required($"{at}.role", binding.Role))
            rules.MaxLength($"{at}.role", binding.Role, 253);
        if (binding.Subjects is null || binding.Subjects.Count == 0)
        {
            rules.Add($"{at}.subjects", "must list at least one subject");
            return;
        }
        for (var j = 0; j < binding.Subjects.Count; j++)
        {
            var subjectAt = $"{at}.subjects[{j}]";
            var subject = binding.Subjects[j];
            if (!rules.Required(subjectAt, subject))
                continue;
            if (rules.Required($"{subjectAt}.kind", subject!.Kind))
                rules.OneOf($"{subjectAt}.kind", subject.Kind, SubjectKinds);
            if (rules.Required($"{subjectAt}.name", subject.Name))
                rules.MaxLength($"{subjectAt}.name", subject.Name, 253);
            if (subject.Name?.StartsWith(ReservedPrefix, StringComparison.Ordinal) == true)
                rules.Add($"{subjectAt}.name", $"names starting with '{ReservedPrefix}' are Kubernetes' own users and groups (nodes, controllers, every authenticated or anonymous caller): no binding may name them");
            if (subject.Kind == "ServiceAccount")
            {
                rules.DnsLabel($"{subjectAt}.namespace", subject.Namespace, 1, 63);
                if (SystemNamespaces.Contains(subject.Namespace, StringComparer.Ordinal))
                    rules.Add($"{subjectAt}.namespace", $"the service accounts of {subject.Namespace} are Kubernetes' own (system:serviceaccount:{subject.Namespace}:...): no binding may name them");
            }
        }
    }

    /// <summary>Kubernetes reserves user and group names with this prefix for itself (system:masters, system:anonymous, ...).</summary>
    public const string ReservedPrefix = "system:";

    /// <summary>The namespaces whose service accounts are Kubernetes' own controllers and add-ons.</summary>
    public static readonly string[] SystemNamespaces = ["kube-system", "kube-public", "kube-node-lease"];
}

/// <summary>Five-field cron (minute hour day-of-month month day-of-week) as Kubernetes CronJobs read it.</summary>
public static class Cron
{
    private static readonly (string Name, int Min, int Max, string[]? Names)[] Fields =
    [
        ("minute", 0, 59, null),
        ("hour", 0, 23, null),
        ("day of month", 1, 31, null),
        ("month", 1, 12, ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]),
        ("day of week", 0, 7, ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]),
    ];

    public static void Validate(Rules rules, string field, string? expression)
    {
        if (expression is null)
            return;
        var parts = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 5)
        {
            rules.Add(field, "must be a cron expression of five fields: minute hour day-of-month month day-of-week");
            return;
        }
        for (var i = 0; i < 5; i++)
        {
            var (name, min, max, names) = Fields[i];
            if (!IsValidField(parts[i], min, max, names))
                rules.Add(field, $"the {name} field '{parts[i]}' must be '*', a value from {min} to {max}, a range a-b, a list a,b or a step */n");
        }
    }

    private static bool IsValidField(string text, int min, int max, string[]? names)
    {
        foreach (var item in text.Split(','))
        {
            var stepParts = item.Split('/');
            if (stepParts.Length > 2)
                return false;
            if (stepParts.Length == 2 && !(int.TryParse(stepParts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var step) && step >= 1 && step <= max))
                return false;
            var range = stepParts[0];
            if (range == "*")
                continue;
            var bounds = range.Split('-');
            if (bounds.Length > 2 || bounds.Any(b => ParseValue(b, min, max, names) is null))
                return false;
            if (bounds.Length == 2 && ParseValue(bounds[0], min, max, names) > ParseValue(bounds[1], min, max, names))
                return false;
        }
        return true;
    }

    private static int? ParseValue(string text, int min, int max, string[]? names)
    {
        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value))
            return value >= min && value <= max ? value : null;
        var index = names is null ? -1 : Array.IndexOf(names, text.ToUpperInvariant());
        return index < 0 ? null : index + min;
    }
}
