using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Validation;
using static PaletteServerless.Domain.Tests.Specs;

namespace PaletteServerless.Domain.Tests;

public class SettingsValidatorTests
{
    private static IEnumerable<string> CronErrors(string expression)
    {
        var rules = new Rules();
        Cron.Validate(rules, "schedule", expression);
        return rules.Errors.Select(e => e.Message);
    }

    [Theory]
    [InlineData("* * * * *")]
    [InlineData("0 3 * * 0")]
    [InlineData("0 3 * * 7")]
    [InlineData("59 23 31 12 6")]
    [InlineData("0 0 1 1 0")]
    [InlineData("*/15 * * * *")]
    [InlineData("0 1-5 * * *")]
    [InlineData("0 1-5/2 * * *")]
    [InlineData("0,30 8,20 * * MON-FRI")]
    [InlineData("0 3 * jan,JUL sun")]
    [InlineData("  0   3 * * *  ")]
    public void Five_field_cron_expressions_are_accepted(string expression)
    {
        CronErrors(expression).Should().BeEmpty();
    }

    [Theory]
    [InlineData("* * * *", "five fields")]
    [InlineData("* * * * * *", "five fields")]
    [InlineData("", "five fields")]
    [InlineData("60 * * * *", "minute")]
    [InlineData("-1 * * * *", "minute")]
    [InlineData("* 24 * * *", "hour")]
    [InlineData("* * 0 * *", "day of month")]
    [InlineData("* * 32 * *", "day of month")]
    [InlineData("* * * 0 *", "month")]
    [InlineData("* * * 13 *", "month")]
    [InlineData("* * * FOO *", "month")]
    [InlineData("* * * * 8", "day of week")]
    [InlineData("* * * * JAN", "day of week")]
    [InlineData("*/0 * * * *", "minute")]
    [InlineData("*/60 * * * *", "minute")]
    [InlineData("5-1 * * * *", "minute")]
    [InlineData("1-2-3 * * * *", "minute")]
    [InlineData("1/2/3 * * * *", "minute")]
    [InlineData("1,,2 * * * *", "minute")]
    [InlineData("*/+5 * * * *", "minute")]
    [InlineData("*/-1 * * * *", "minute")]
    [InlineData("+5 * * * *", "minute")]
    [InlineData("a * * * *", "minute")]
    public void Broken_cron_expressions_name_the_broken_field(string expression, string named)
    {
        CronErrors(expression).Should().ContainSingle().Which.Should().Contain(named);
    }

    [Fact]
    public void Patch_schedule_is_checked_as_cron()
    {
        ErrorsOf(WithSettings(new ClusterSettings { PatchSchedule = "0 3 * * SUN" })).Should().BeEmpty();
        ErrorsOf(WithSettings(new ClusterSettings { PatchSchedule = "weekly" })).Fields().Should().Equal("settings.patchSchedule");
    }

    [Fact]
    public void Enabled_security_scans_need_a_valid_schedule()
    {
        ErrorsOf(WithSettings(new ClusterSettings { SecurityScans = new ScheduledFeature { Enabled = true, Schedule = "0 2 * * *" } })).Should().BeEmpty();
        ErrorsOf(WithSettings(new ClusterSettings { SecurityScans = new ScheduledFeature { Enabled = false } })).Should().BeEmpty();
        ErrorsOf(WithSettings(new ClusterSettings { SecurityScans = new ScheduledFeature { Enabled = true } }))
            .Fields().Should().Equal("settings.securityScans.schedule");
        ErrorsOf(WithSettings(new ClusterSettings { SecurityScans = new ScheduledFeature { Schedule = "0 25 * * *" } }))
            .Fields().Should().Equal("settings.securityScans.schedule");
    }

    [Fact]
    public void Enabled_backup_needs_a_schedule_and_a_retention_of_1_to_3650_days_and_an_empty_location_means_a_bucket_of_the_product()
    {
        BackupSettings Good() => new() { Enabled = true, Schedule = "0 1 * * *", Location = "my-backups", RetentionDays = 30 };
        ErrorsOf(WithSettings(new ClusterSettings { Backup = Good() })).Should().BeEmpty();
        ErrorsOf(WithSettings(new ClusterSettings { Backup = Good() with { RetentionDays = 1 } })).Should().BeEmpty();
        ErrorsOf(WithSettings(new ClusterSettings { Backup = Good() with { RetentionDays = 3650 } })).Should().BeEmpty();
        ErrorsOf(WithSettings(new ClusterSettings { Backup = Good() with { RetentionDays = 0 } })).Fields().Should().Equal("settings.backup.retentionDays");
        ErrorsOf(WithSettings(new ClusterSettings { Backup = Good() with { RetentionDays = 3651 } })).Fields().Should().Equal("settings.backup.retentionDays");
        ErrorsOf(WithSettings(new ClusterSettings { Backup = Good() with { Schedule = null } })).Fields().Should().Equal("settings.backup.schedule");
        ErrorsOf(WithSettings(new ClusterSettings { Backup = Good() with { Location = null } })).Should().BeEmpty();
        ErrorsOf(WithSettings(new ClusterSettings { Backup = Good() with { Location = "" } })).Should().BeEmpty();
        ErrorsOf(WithSettings(new ClusterSettings { Backup = Good() with { Location = new string('l', 64) } })).Fields().Should().Equal("settings.backup.location");
        ErrorsOf(WithSettings(new ClusterSettings { Backup = Good() with { Location = "s3://my-backups" } })).Fields().Should().Equal("settings.backup.location");
        ErrorsOf(WithSettings(new ClusterSettings { Backup = Good() with { Location = "My_Backups" } })).Fields().Should().Equal("settings.backup.location");
        ErrorsOf(WithSettings(new ClusterSettings { Backup = new BackupSettings { Enabled = false } })).Should().BeEmpty();
    }

    [Fact]
    public void Virtual_clusters_are_stored_as_given()
    {
        var valid = ClusterSpecValidator.Validate(WithSettings(new ClusterSettings { VirtualClusters = new VirtualClusterSettings { Enabled = true } }));
        valid.Settings!.VirtualClusters!.Enabled.Should().BeTrue();
    }

    // ---- rbac ----

    private static RbacBinding ClusterWide() => new()
    {
        Type = "ClusterRoleBinding",
        Role = "cluster-admin",
        Subjects = [new RbacSubject { Kind = "Group", Name = "platform-team" }],
    };

    private static IEnumerable<string> RbacErrors(RbacBinding binding) =>
        ErrorsOf(WithSettings(new ClusterSettings { Rbac = [binding] })).Fields();

    [Fact]
    public void Well_formed_bindings_are_accepted()
    {
        RbacErrors(ClusterWide()).Should().BeEmpty();
        RbacErrors(new RbacBinding
        {
            Type = "RoleBinding",
            Namespace = "team-a",
            Role = "edit",
            Subjects =
            [
                new RbacSubject { Kind = "User", Name = "alice@example.com" },
                new RbacSubject { Kind = "ServiceAccount", Name = "deployer", Namespace = "ci" },
            ],
        }).Should().BeEmpty();
    }

    [Fact]
    public void Binding_type_must_be_cluster_role_binding_or_role_binding()
    {
        RbacErrors(ClusterWide() with { Type = "Binding" }).Should().Equal("settings.rbac[0].type");
        RbacErrors(ClusterWide() with { Type = null }).Should().Equal("settings.rbac[0].type");
    }

    [Fact]
    public void Namespace_is_required_on_a_role_binding_and_refused_on_a_cluster_role_binding()
    {
        RbacErrors(ClusterWide() with { Type = "RoleBinding" }).Should().Equal("settings.rbac[0].namespace");
        RbacErrors(ClusterWide() with { Type = "RoleBinding", Namespace = "Team_A" }).Should().Equal("settings.rbac[0].namespace");
        RbacErrors(ClusterWide() with { Namespace = "team-a" }).Should().Equal("settings.rbac[0].namespace");
    }

    [Fact]
    public void Binding_needs_a_role_of_at_most_253_characters()
    {
        RbacErrors(ClusterWide() with { Role = null }).Should().Equal("settings.rbac[0].role");
        RbacErrors(ClusterWide() with { Role = new string('r', 253) }).Should().BeEmpty();
        RbacErrors(ClusterWide() with { Role = new string('r', 254) }).Should().Equal("settings.rbac[0].role");
    }

    [Fact]
    public void Binding_needs_subjects_of_a_known_kind_with_a_name()
    {
        RbacErrors(ClusterWide() with { Subjects = null }).Should().Equal("settings.rbac[0].subjects");
        RbacErrors(ClusterWide() with { Subjects = [] }).Should().Equal("settings.rbac[0].subjects");
        RbacErrors(ClusterWide() with { Subjects = [null!] }).Should().Equal("settings.rbac[0].subjects[0]");
        RbacErrors(ClusterWide() with { Subjects = [new RbacSubject { Kind = "Robot", Name = "r" }] }).Should().Equal("settings.rbac[0].subjects[0].kind");
        RbacErrors(ClusterWide() with { Subjects = [new RbacSubject { Kind = "User" }] }).Should().Equal("settings.rbac[0].subjects[0].name");
        RbacErrors(ClusterWide() with { Subjects = [new RbacSubject { Kind = "User", Name = new string('n', 254) }] }).Should().Equal("settings.rbac[0].subjects[0].name");
        RbacErrors(ClusterWide() with { Subjects = [new RbacSubject { Kind = "ServiceAccount", Name = "sa" }] }).Should().Equal("settings.rbac[0].subjects[0].namespace");
    }

    [Theory]
    [InlineData("User", "system:anonymous")]
    [InlineData("Group", "system:masters")]
    [InlineData("Group", "system:authenticated")]
    [InlineData("User", "system:kube-controller-manager")]
    public void Kubernetes_own_users_and_groups_may_be_bound_by_no_one(string kind, string name)
    {
        var errors = ErrorsOf(WithSettings(new ClusterSettings { Rbac = [ClusterWide() with { Subjects = [new RbacSubject { Kind = kind, Name = name }] }] }));

        errors.Should().ContainSingle().Which.Field.Should().Be("settings.rbac[0].subjects[0].name");
        errors[0].Message.Should().Contain("'system:'");
        RbacErrors(ClusterWide() with { Subjects = [new RbacSubject { Kind = kind, Name = "systems:" + name[7..] }] }).Should().BeEmpty("only the exact prefix is Kubernetes'");
    }

    [Theory]
    [InlineData("kube-system")]
    [InlineData("kube-public")]
    [InlineData("kube-node-lease")]
    public void The_service_accounts_of_Kubernetes_own_namespaces_may_be_bound_by_no_one(string space)
    {
        RbacErrors(ClusterWide() with { Subjects = [new RbacSubject { Kind = "ServiceAccount", Name = "default", Namespace = space }] })
            .Should().Equal("settings.rbac[0].subjects[0].namespace");
        RbacErrors(ClusterWide() with { Subjects = [new RbacSubject { Kind = "ServiceAccount", Name = "default", Namespace = "kube-tools" }] })
            .Should().BeEmpty();
    }

    [Fact]
    public void A_null_binding_is_named_by_index()
    {
        ErrorsOf(WithSettings(new ClusterSettings { Rbac = [ClusterWide(), null!] })).Fields().Should().Equal("settings.rbac[1]");
    }
}
