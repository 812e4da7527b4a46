using System.Reflection;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Profiles;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Domain.Validation;

namespace PaletteServerless.Domain.Tests.Provisioning;

/// <summary>EC2's 16 KiB user-data limit, held at validation: the field that makes it big is named, and nothing is stored or started.</summary>
public sealed class UserDataLimitTests
{
    private static readonly ProjectScope Scope = new("acme", "demo");
    private static readonly Cluster Sample = UserDataFixture.Cluster;
    private static readonly ClusterProfile SampleProfile = UserDataFixture.Profile;
    // An admin: the sample's settings.rbac holds a ClusterRoleBinding, which only admins may ask for.
    private static readonly Caller Admin = new("alice", "acme", ["project-admin:demo"]);
    private static readonly Caller Editor = new("alice", "acme", ["project-editor:demo"]);

    /// <summary>
    /// Values of about <paramref name="kib"/> KiB that YAML reads as a map of strings, random as real keys and
    /// digests are: the user data is gzip-compressed, and repeated characters would compress to nothing.
    /// </summary>
    private static string ValuesOf(int kib, int seed = 1)
    {
        var random = new Random(seed);
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return string.Join('\n', Enumerable.Range(0, kib * 1024 / 64)
            .Select(i => $"key{i:D5}: {new string([.. Enumerable.Range(0, 54).Select(_ => alphabet[random.Next(alphabet.Length)])])}")) + "\n";
    }

    private static ClusterSpec SpecWith(Dictionary<string, string> packValues) =>
        Sample.Spec with { Profile = Sample.Spec.Profile! with { PackValues = packValues } };

    private static List<ValidationError> Errors(ClusterSpec spec)
    {
        var rules = new Rules();
        UserDataLimit.Check(rules, Sample with { Spec = ClusterSpecValidator.Validate(spec) }, SampleProfile);
        return [.. rules.Errors];
    }

    [Fact]
    public void The_largest_valid_spec_s_user_data_fits_EC2_s_limit()
    {
        // The longest cluster and pool names, many labels and taints, every RBAC binding settings allow, a profile with every addon.
        var spec = ClusterSpecValidator.Validate(Sample.Spec with
        {
            Name = new string('n', 63),
            NodePools =
            [
                Sample.Spec.NodePools![0] with { Name = new string('c', 40) },
                Sample.Spec.NodePools[1] with
                {
                    Labels = Enumerable.Range(0, 5).ToDictionary(i => $"example.com/label-{i:D2}", i => new string('l', 20)),
                    Taints = [.. Enumerable.Range(0, 3).Select(i => new TaintSpec { Key = $"example.com/taint-{i}", Value = new string('t', 20), Effect = "NoSchedule" })],
                },
            ],
        });
        var profile = SampleProfile with
        {
            Packs =
            [
                .. SampleProfile.Packs!,
                new Pack { Layer = "addon", Name = "nginx", Version = "4.11.0", Values = "controller:\n  service:\n    type: LoadBalancer\n" },
                new Pack { Layer = "addon", Name = "metrics-server", Version = "3.12.1", Values = "args:\n  - --kubelet-preferred-address-types=InternalIP\n" },
            ],
        };
        var rules = new Rules();
        var cluster = Sample with { Spec = spec };
        UserDataLimit.Check(rules, cluster, profile);
        rules.Errors.Should().BeEmpty();
        var (node, bytes) = UserDataLimit.Largest(cluster, profile);
        node.Should().Be($"{spec.Name}-{new string('c', 40)}-0", "the first control plane carries the most");
        bytes.Should().BeLessThanOrEqualTo(UserDataLimit.MaxBytes);
        foreach (var instance in ClusterPlan.Build(cluster).Instances)
        {
            UserData.Compress(UserData.Build(cluster, profile, instance, UserDataLimit.PlaceholderApiHost, UserDataLimit.PlaceholderCaCertHash)).Length
                .Should().BeLessThanOrEqualTo(bytes, instance.Name);
        }
    }

    [Fact]
    public void Pack_values_that_would_make_the_user_data_too_big_are_refused_on_the_pack_s_field_with_the_rule()
    {
        var error = Errors(SpecWith(new() { ["calico"] = ValuesOf(20) })).Should().ContainSingle().Subject;
        error.Field.Should().Be("profile.packValues.calico");
        error.Message.Should().MatchRegex(@"^user data of node demo-cluster-cp-0 would be [0-9]+ bytes gzip-compressed; EC2 allows 16384 ");

        Errors(SpecWith(new() { ["calico"] = ValuesOf(9, seed: 1), ["aws-ebs-csi"] = ValuesOf(9, seed: 2) })).Should().ContainSingle()
            .Which.Field.Should().Be("profile.packValues", "no one pack's values are to blame");
        Errors(SpecWith(new() { ["calico"] = ValuesOf(1) })).Should().BeEmpty();
    }

    [Fact]
    public void Twenty_KiB_of_values_that_compress_as_configuration_does_pass_and_every_node_s_launch_fits_EC2_s_limit()
    {
        var text = new System.Text.StringBuilder();
        for (var i = 0; text.Length < 20 * 1024; i++)
            text.Append($"extraConfig{i:D4}:\n  enabled: true\n  mode: cluster-pool-{i % 7}\n  tier: web\n");
        var spec = SpecWith(new() { ["calico"] = text.ToString() });
        Errors(spec).Should().BeEmpty();

        // What the launch sends: EC2 counts the decoded bytes of the base64 user data against its 16 KiB.
        var cluster = Sample with { Spec = ClusterSpecValidator.Validate(spec) };
        foreach (var instance in ClusterPlan.Build(cluster).Instances)
        {
            var userData = UserData.Build(cluster, SampleProfile, instance, UserDataLimit.PlaceholderApiHost, UserDataLimit.PlaceholderCaCertHash);
            Convert.FromBase64String(UserData.Encode(userData)).Length.Should().BeLessThanOrEqualTo(UserDataLimit.MaxBytes, instance.Name);
            if (instance.IsFirstControlPlane)
                System.Text.Encoding.UTF8.GetByteCount(userData).Should().BeGreaterThan(UserDataLimit.MaxBytes, "uncompressed it would not have fit");
        }
    }

    [Theory]
    [InlineData("control-plane-init")]
    [InlineData("control-plane-join")]
    [InlineData("worker")]
    public void Scripts_reach_the_node_without_their_comment_lines_and_keep_their_shebang(string node)
    {
        var (_, files) = UserDataFixture.Parse(UserDataFixture.UserDataOf(node));
        var scripts = files.Where(f => f.Value.StartsWith("#!", StringComparison.Ordinal)).ToList();
        scripts.Should().NotBeEmpty();
        foreach (var (path, content) in scripts)
        {
            var lines = content.Split('\n');
            lines[0].Should().StartWith("#!", path);
            lines.Skip(1).Where(l => l.TrimStart().StartsWith('#') && !l.TrimStart().StartsWith("#!", StringComparison.Ordinal))
                .Should().BeEmpty($"{path} carries no comment line (EC2 counts every byte)");
        }
    }

    [Fact]
    public void The_first_control_plane_s_user_data_leaves_room_for_pack_values()
    {
        var (_, bytes) = UserDataLimit.Largest(Sample, SampleProfile);
        bytes.Should().BeLessThan(UserDataLimit.MaxBytes / 2, "at least 8 KiB of compressed room is left for the values a cluster gives its packs");
    }

    [Fact]
    public async Task Create_and_dry_run_refuse_it_with_a_400_naming_the_field_and_store_or_start_nothing()
    {
        var service = new ClusterService(Nothing<IClusterStore>(), new References(), new References(), Nothing<IWorkflowStarter>(), Nothing<IForceDeleter>(),
            new NoProblems(), TimeProvider.System);
        var spec = SpecWith(new() { ["calico"] = ValuesOf(20) });

        foreach (var attempt in new Func<Task>[] { () => service.CreateAsync(Admin, Scope, spec, default), () => service.DryRunAsync(Admin, Scope, spec, default) })
        {
            var refused = (await attempt.Should().ThrowAsync<ValidationFailedException>()).Which;
            refused.Errors.Should().ContainSingle().Which.Field.Should().Be("profile.packValues.calico");
            refused.Errors[0].Message.Should().Contain("EC2 allows 16384");
        }
    }

    [Fact]
    public async Task A_dry_run_lists_the_cloud_controller_manager_of_the_minor_among_the_packs()
    {
        var service = new ClusterService(Nothing<IClusterStore>(), new References(), new References(), Nothing<IWorkflowStarter>(), Nothing<IForceDeleter>(),
            new NoProblems(), TimeProvider.System);
        var result = await service.DryRunAsync(Admin, Scope, Sample.Spec, default);
        result.Plan.Packs.Select(p => (p.Name, p.Version, p.Implied)).Should().Equal(
            ("ubuntu", "22.04", false), ("kubernetes", "1.30.4", false), ("aws-cloud-controller-manager", "1.30.10", true),
            ("calico", "3.27.0", false), ("aws-ebs-csi", "1.30.0", false));
        result.Plan.Packs.Single(p => p.Implied).Layer.Should().Be(PackLayers.Cloud);
    }

    [Fact]
    public void A_profile_whose_own_values_are_too_big_for_any_cluster_is_refused_on_the_values_of_its_largest_pack()
    {
        var big = SampleProfile with { Packs = [.. SampleProfile.Packs!.Select(p => p.Name == "aws-ebs-csi" ? p with { Values = ValuesOf(20) } : p)] };
        var rules = new Rules();
        UserDataLimit.CheckProfile(rules, big);
        var error = rules.Errors.Should().ContainSingle().Subject;
        error.Field.Should().Be("packs[3].values");
        error.Message.Should().Contain("EC2 allows 16384").And.Contain("pack 'aws-ebs-csi'");

        rules = new Rules();
        UserDataLimit.CheckProfile(rules, SampleProfile);
        rules.Errors.Should().BeEmpty();
    }

    [Fact]
    public async Task Creating_such_a_profile_is_refused_before_anything_is_stored()
    {
        var service = new ProfileService(Nothing<IProfileStore>(), Nothing<IClusterStore>(), TimeProvider.System);
        var big = SampleProfile with { Packs = [.. SampleProfile.Packs!.Select(p => p.Name == "calico" ? p with { Values = ValuesOf(20) } : p)] };
        var refused = (await FluentActions.Awaiting(() => service.CreateAsync(Editor, Scope, big, default)).Should().ThrowAsync<ValidationFailedException>()).Which;
        refused.Errors.Should().ContainSingle().Which.Field.Should().Be("packs[2].values");
    }

    /// <summary>A port any call of which fails the test: what the refusal must not reach.</summary>
    private static T Nothing<T>() where T : class => DispatchProxy.Create<T, NothingProxy>();

    public class NothingProxy : DispatchProxy
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            throw new InvalidOperationException($"{targetMethod?.Name} was called: a refused spec stores and starts nothing");
    }

    private sealed class NoProblems : IPreflight
    {
        public Task<IReadOnlyList<string>> CheckAsync(Cluster cluster, CloudAccount account, CancellationToken ct) => Task.FromResult<IReadOnlyList<string>>([]);
    }

    private sealed class References : ICloudAccountStore, IProfileStore
    {
        Task<CloudAccount?> ICloudAccountStore.GetAsync(ProjectScope scope, string name, CancellationToken ct) =>
            Task.FromResult<CloudAccount?>(new CloudAccount { Name = name });

        Task ICloudAccountStore.CreateAsync(ProjectScope scope, CloudAccount account, CancellationToken ct) => throw new InvalidOperationException();

        Task<Page<CloudAccount>> ICloudAccountStore.ListAsync(ProjectScope scope, string? cursor, int limit, CancellationToken ct) => throw new InvalidOperationException();

        Task<bool> ICloudAccountStore.DeleteAsync(ProjectScope scope, string name, CancellationToken ct) => throw new InvalidOperationException();

        Task<ClusterProfile?> IProfileStore.GetAsync(ProjectScope scope, string name, string version, CancellationToken ct) =>
            Task.FromResult<ClusterProfile?>(name == SampleProfile.Name && version == SampleProfile.Version ? SampleProfile : null);

        Task<IReadOnlyList<ClusterProfile>> IProfileStore.VersionsAsync(ProjectScope scope, string name, CancellationToken ct) =>
            Task.FromResult<IReadOnlyList<ClusterProfile>>(name == SampleProfile.Name ? [SampleProfile] : []);

        Task IProfileStore.CreateAsync(ProjectScope scope, ClusterProfile profile, CancellationToken ct) => throw new InvalidOperationException();

        Task<Page<ClusterProfile>> IProfileStore.ListAsync(ProjectScope scope, string? cursor, int limit, CancellationToken ct) => throw new InvalidOperationException();

        Task<bool> IProfileStore.DeleteAsync(ProjectScope scope, string name, string version, CancellationToken ct) => throw new InvalidOperationException();
    }
}
