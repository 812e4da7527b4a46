using CsCheck;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Errors;

namespace PaletteServerless.Domain.Tests;

/// <summary>
/// Typed random specs, built from values near every rule's edge (and null everywhere), reach the
/// validator past the JSON parser: it either accepts or names fields, never crashes, and what it
/// accepts is accepted again unchanged.
/// </summary>
public class ClusterSpecPropertyTests
{
    private static Gen<T?> OrNull<T>(Gen<T> gen) where T : class => Gen.Frequency((1, Gen.Const((T?)null)), (6, gen.Select(v => (T?)v)));

    private static Gen<int?> OrNull(Gen<int> gen) => Gen.Frequency((1, Gen.Const((int?)null)), (6, gen.Select(v => (int?)v)));

    private static readonly Gen<string> Text = Gen.OneOf(
        Gen.OneOf("", " ", "a", "demo", "Demo", "-x", "x-", "aws:x", "\n", "demo\n", "é", new string('a', 63), new string('a', 64), new string('k', 129), new string('v', 257)),
        Gen.String[Gen.Char["abcz09-._/: "], 0, 12]);

    private static readonly Gen<string> Region = Gen.OneOf("us-east-1", "eu-west-3", "us-gov-west-1", "mars-1", "");

    private static readonly Gen<string> Zone = Gen.OneOf("us-east-1a", "us-east-1b", "eu-west-3a", "us-gov-west-1a", "us-east-1", "");

    private static readonly Gen<TaintSpec> Taint = Gen.Select(OrNull(Text), OrNull(Text), OrNull(Gen.OneOf("NoSchedule", "PreferNoSchedule", "NoExecute", "Never")),
        (key, value, effect) => new TaintSpec { Key = key, Value = value, Effect = effect });

    private static readonly Gen<Dictionary<string, string>> Map = Gen.Select(Text.Array[0, 4], Text.Array[0, 4],
        (keys, values) => keys.Distinct().Zip(values).ToDictionary(p => p.First, p => p.Second));

    /// <summary>Counts and percents near every edge, as JSON numbers and strings.</summary>
    private static readonly Gen<IntOrPercent?> Amount = Gen.OneOf(
        Gen.Const((IntOrPercent?)null),
        Gen.OneOf("0", "1", "2", "500", "501", "-1", "1.5").Select(n => (IntOrPercent?)IntOrPercent.FromJson(n, isNumber: true)),
        Gen.OneOf("0%", "25%", "100%", "101%", "999%", "1000%", "5", "x%", "").Select(t => (IntOrPercent?)IntOrPercent.FromJson(t, isNumber: false)));

    private static readonly Gen<UpdateStrategySpec> Strategy = Gen.Select(OrNull(Gen.OneOf("RollingUpdate", "Recreate")), Amount, Amount,
        (type, surge, unavailable) => new UpdateStrategySpec { Type = type, MaxSurge = surge, MaxUnavailable = unavailable });

    private static readonly Gen<HealthCheckSpec> HealthCheck = Gen.Select(Gen.OneOf(Gen.Const((bool?)null), Gen.Const((bool?)false)), Amount, OrNull(Gen.OneOf(-1, 0, 10, 1440, 1441)),
        (enabled, maxUnhealthy, minutes) => new HealthCheckSpec { Enabled = enabled, MaxUnhealthy = maxUnhealthy, NodeStartupTimeoutMinutes = minutes });

    private static readonly Gen<NodePoolSpec> Pool = Gen.Select(
        Gen.Select(OrNull(Gen.OneOf("control-plane", "workers", "gpu", "Bad_Name")), OrNull(Gen.OneOf("control-plane", "worker", "master")), OrNull(Gen.Int[-1, 8]), OrNull(Gen.OneOf("m5.large", "m5", "t3.micro"))),
        Gen.Select(OrNull(Zone.Array[0, 3].Select(z => z.ToList())), OrNull(Gen.OneOf("on-demand", "spot", "reserved")), Gen.OneOf(Gen.Const((decimal?)null), Gen.Const((decimal?)0m), Gen.Const((decimal?)-1m), Gen.Const((decimal?)0.05m))),
        Gen.Select(OrNull(Gen.OneOf(0, 1, 65, 2000, 2001)), OrNull(Map), OrNull(OrNull(Taint).Array[0, 3].Select(t => t.Select(x => x!).ToList()))),
        Gen.Select(OrNull(Strategy), OrNull(HealthCheck)),
        (a, b, c, d) => new NodePoolSpec
        {
            Name = a.Item1, Role = a.Item2, Count = a.Item3, InstanceType = a.Item4,
            AvailabilityZones = b.Item1, CapacityType = b.Item2, MaxSpotPrice = b.Item3,
            DiskSizeGiB = c.Item1, Labels = c.Item2, Taints = c.Item3,
            UpdateStrategy = d.Item1, HealthCheck = d.Item2,
        });

    private static readonly Gen<PlacementSpec> Placement = Gen.Select(
        OrNull(Gen.OneOf("dynamic", "static", "hybrid")), OrNull(Gen.OneOf("vpc-0a1b2c3d", "vpc-x")),
        OrNull(Gen.OneOf("subnet-0a1b2c3d", "subnet-1a1b2c3d", "sn").Array[0, 2].Select(s => s.ToList())),
        OrNull(Gen.OneOf("subnet-2a1b2c3d", "subnet-0a1b2c3d").Array[0, 2].Select(s => s.ToList())),
        (mode, vpc, cp, workers) => new PlacementSpec { Mode = mode, VpcId = vpc, ControlPlaneSubnetIds = cp, WorkerSubnetIds = workers });

    private static readonly Gen<CloudSpec> Cloud = Gen.Select(
        OrNull(Region), OrNull(Gen.OneOf("ops", "")), OrNull(Gen.OneOf("10.0.0.0/16", "10.0.0.0/24", "10.0.0.1/16", "10.0.0.0/8", "x")),
        OrNull(Gen.OneOf("internet-facing", "internal", "public")), OrNull(Placement),
        (region, key, cidr, lb, placement) => new CloudSpec { Region = region, SshKeyName = key, VpcCidr = cidr, ApiLoadBalancer = lb, Placement = placement });

    private static readonly Gen<ClusterSettings> Settings = Gen.Select(
        OrNull(Gen.OneOf("0 3 * * SUN", "* * *", "61 * * * *", "*/0 * * * *")),
        OrNull(Gen.Select(Gen.Bool, OrNull(Gen.OneOf("0 2 * * *", "bad")), (on, schedule) => new ScheduledFeature { Enabled = on, Schedule = schedule })),
        OrNull(Gen.Select(Gen.Bool, OrNull(Gen.OneOf("0 1 * * *", "bad")), OrNull(Gen.Int[-1, 4000]), OrNull(Text),
            (on, schedule, days, location) => new BackupSettings { Enabled = on, Schedule = schedule, RetentionDays = days, Location = location })),
        OrNull(OrNull(Gen.Select(OrNull(Gen.OneOf("ClusterRoleBinding", "RoleBinding", "Other")), OrNull(Text), OrNull(Text),
            OrNull(OrNull(Gen.Select(OrNull(Gen.OneOf("User", "Group", "ServiceAccount", "Robot")), OrNull(Text), OrNull(Text),
                (kind, name, ns) => new RbacSubject { Kind = kind, Name = name, Namespace = ns })).Array[0, 2].Select(s => s.Select(x => x!).ToList())),
            (type, ns, role, subjects) => new RbacBinding { Type = type, Namespace = ns, Role = role, Subjects = subjects })).Array[0, 2].Select(b => b.Select(x => x!).ToList())),
        (patch, scans, backup, rbac) => new ClusterSettings { PatchSchedule = patch, SecurityScans = scans, Backup = backup, Rbac = rbac });

    private static readonly Gen<ClusterSpec> Spec = Gen.Select(
        Gen.Select(OrNull(Text), OrNull(Text), OrNull(Map), OrNull(Text)),
        OrNull(Gen.Select(OrNull(Text), OrNull(Gen.OneOf("1.0.0", "1.0", "v1")), OrNull(Map), (name, version, values) => new ProfileReference { Name = name, Version = version, PackValues = values })),
        OrNull(Cloud),
        Gen.Select(Gen.OneOf(Gen.Const((bool?)null), Gen.Const((bool?)true)), OrNull(OrNull(Pool).Array[0, 4].Select(p => p.Select(x => x!).ToList())), OrNull(Settings)),
        (a, profile, cloud, c) => new ClusterSpec
        {
            Name = a.Item1, Description = a.Item2, Tags = a.Item3, CloudAccount = a.Item4, Profile = profile, Cloud = cloud,
            UpdateWorkerPoolsInParallel = c.Item1, NodePools = c.Item2, Settings = c.Item3,
        });

    /// <summary>Random specs, and the valid reference spec with one random part swapped in, so that many get far.</summary>
    private static readonly Gen<ClusterSpec> Specs_ = Gen.OneOf(
        Spec,
        Pool.Select(p => Specs.Valid() with { NodePools = [Specs.ControlPlane(), p] }),
        Cloud.Select(c => Specs.Valid() with { Cloud = c }),
        Settings.Select(s => Specs.Valid() with { Settings = s }));

    [Fact]
    public void Any_text_as_pack_values_is_accepted_or_named_never_a_crash()
    {
        // YAML's indicator characters, so that the parser meets every odd structure, not just plain scalars.
        var yamlish = Gen.String[Gen.Char["-:?&*!|>{}[],#%@`'\" \n\tab0"], 0, 24];
        yamlish.Sample(text =>
        {
            var rules = new Validation.Rules();
            rules.Yaml("values", text, "the values of pack 'p'");
            rules.Errors.Where(e => e.Field != "values" || !e.Message.Contains("'p'")).Should().BeEmpty();
        }, iter: 20000);
    }

    [Fact]
    public void The_validator_accepts_or_names_fields_and_never_crashes()
    {
        var accepted = 0;
        Specs_.Sample(spec =>
        {
            try
            {
                var valid = ClusterSpecValidator.Validate(spec);
                Interlocked.Increment(ref accepted);
                // Defaults are filled once: validating the result again changes nothing.
                ClusterSpecValidator.Validate(valid).Should().BeEquivalentTo(valid);
                valid.NodePools!.Count(p => p.Role == NodePoolRoles.ControlPlane).Should().Be(1);
                valid.NodePools.Should().Contain(p => p.Role == NodePoolRoles.Worker);
                // Every valid spec makes a definition, the same before and after the stored defaults are filled.
                ClusterDefinition.From(valid).Should().BeEquivalentTo(ClusterDefinition.From(spec));
            }
            catch (ValidationFailedException ex)
            {
                ex.Errors.Should().NotBeEmpty().And.OnlyContain(e => e.Field.Length > 0 && e.Message.Length > 0);
            }
        }, iter: 3000);
        accepted.Should().BeGreaterThan(0, "the generator must also reach specs that pass");
    }
}
