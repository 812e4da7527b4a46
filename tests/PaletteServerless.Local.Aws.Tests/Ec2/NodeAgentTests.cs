using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Profiles;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Local.Aws.Core;
using ResourceType = Amazon.EC2.ResourceType;
using Tag = Amazon.EC2.Model.Tag;
using UserData = PaletteServerless.Domain.Provisioning.UserData;

namespace PaletteServerless.Local.Aws.Tests.Ec2;

/// <summary>
/// The modelled node agent: after the modelled boot it reads the instance's user data (the product's own,
/// from <see cref="UserData.Build"/>) and reports Joined, Ready and, on the first control plane, PacksApplied
/// by tagging the instance; joins only once a control plane is Ready; nothing at all when the user data would
/// not work on a real node.
/// </summary>
public partial class NodeAgentTests : Ec2TestBase
{
    internal static readonly Cluster Cluster = ClusterOf("0123456789abcdef0123456789abcdef");

    private static Cluster ClusterOf(string uid) => new()
    {
        Scope = new ProjectScope("acme", "demo"),
        Uid = uid,
        Status = ClusterStatus.Provisioning,
        Spec = ClusterSpecValidator.Validate(new ClusterSpec
        {
            Name = "demo-cluster",
            CloudAccount = "main",
            Profile = new ProfileReference { Name = "ubuntu-k8s", Version = "1.0.0" },
            Cloud = new CloudSpec { Region = "us-east-1", SshKeyName = "key", VpcCidr = "10.0.0.0/16" },
            NodePools =
            [
                new NodePoolSpec { Name = "cp", Role = "control-plane", Count = 3, InstanceType = "m5.large", AvailabilityZones = ["us-east-1a"] },
                new NodePoolSpec { Name = "workers", Role = "worker", Count = 2, InstanceType = "t3.large", AvailabilityZones = ["us-east-1a"] },
            ],
        }),
    };

    private static readonly ClusterProfile Profile = ClusterProfileValidator.Validate(new ClusterProfile
    {
        Name = "ubuntu-k8s",
        Version = "1.0.0",
        Packs =
        [
            new Pack { Layer = "os", Name = "ubuntu", Version = "22.04", Values = "" },
            new Pack { Layer = "k8s", Name = "kubernetes", Version = "1.30.4", Values = "" },
            new Pack { Layer = "cni", Name = "calico", Version = "3.27.0", Values = "" },
            new Pack { Layer = "csi", Name = "aws-ebs-csi", Version = "1.30.0", Values = "" },
        ],
    });

    internal static ClusterProfile ProfileForTests => Profile;

    private static readonly TimeSpan Running = TimeSpan.FromSeconds(45);
    private static readonly TimeSpan Boot = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan Ready = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Packs = TimeSpan.FromSeconds(40);

    private string _vpc = "";
    private string _subnet = "";

    internal static string UserDataOf(Cluster cluster, string node, ClusterProfile? profile = null)
    {
        var plan = ClusterPlan.Build(cluster);
        var instance = node switch
        {
            "first" => plan.Instances.Single(i => i.IsFirstControlPlane),
            "control-plane" => plan.Instances.First(i => i.Pool == "cp" && !i.IsFirstControlPlane),
            _ => plan.Instances.First(i => i.Pool == "workers"),
        };
        return UserData.Build(cluster, profile ?? Profile, instance, "demo-api.elb.us-east-1.amazonaws.com", "sha256:" + new string('0', 64));
    }

    private async Task<string> LaunchAsync(string userData, bool controlPlane, Cluster? cluster = null, string? imageId = null, string? securityGroup = null)
    {
        if (_subnet.Length == 0)
        {
            _vpc = await CreateVpcAsync();
            _subnet = await CreateSubnetAsync(_vpc);
            await PutSecretsAsync(Cluster);
        }
        var owner = cluster ?? Cluster;
        var instances = await RunAsync(_subnet, "m5.large", configure: r =>
        {
            r.UserData = UserData.Encode(userData);
            if (imageId is not null)
                r.ImageId = imageId;
            if (securityGroup is not null)
                r.SecurityGroupIds = [securityGroup];
            r.TagSpecifications =
            [
                new TagSpecification
                {
                    ResourceType = ResourceType.Instance,
                    Tags =
                    [
                        new Tag(OwnershipTags.ClusterUid, owner.Uid), new Tag(OwnershipTags.Tenant, owner.Scope.Tenant),
                        new Tag(ResourceTags.CapaRole, controlPlane ? "controlplane" : "node"),
                    ],
                },
            ];
        });
        return instances.Single().InstanceId;
    }

    private Task PutSecretsAsync(Cluster cluster) => PutSecretsAsync(Host, cluster);

    internal static async Task PutSecretsAsync(Core.LocalAwsHost host, Cluster cluster)
    {
        using var ssm = new AmazonSimpleSystemsManagementClient(new BasicAWSCredentials("test", "test"),
            new AmazonSimpleSystemsManagementConfig { ServiceURL = host.Url, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });
        foreach (var name in SecretParameters.All)
            await ssm.PutParameterAsync(new PutParameterRequest { Name = SecretParameters.NameOf(cluster, name), Value = "secret", Type = ParameterType.SecureString });
    }

    private async Task<(string? Phase, string? Message)> PhaseAsync(string instanceId)
    {
        var tags = (await DescribeInstanceAsync(instanceId)).Tags ?? [];
        return (tags.FirstOrDefault(t => t.Key == NodePhases.TagKey)?.Value, tags.FirstOrDefault(t => t.Key == NodePhases.MessageTagKey)?.Value);
    }

    [Fact]
    public async Task The_first_control_plane_reports_Joined_Ready_and_PacksApplied_in_turn_and_joins_wait_for_its_API()
    {
        var first = await LaunchAsync(UserDataOf(Cluster, "first"), controlPlane: true);
        var controlPlane = await LaunchAsync(UserDataOf(Cluster, "control-plane"), controlPlane: true);
        var worker = await LaunchAsync(UserDataOf(Cluster, "worker"), controlPlane: false);

        Advance(Running + Boot - TimeSpan.FromSeconds(1));
        (await PhaseAsync(first)).Phase.Should().BeNull("the node has not booted yet");
        Advance(TimeSpan.FromSeconds(1));
        (await PhaseAsync(first)).Phase.Should().Be(NodePhases.Joined);
        (await PhaseAsync(worker)).Phase.Should().BeNull("a join waits for the API server, which is not Ready yet");
        (await PhaseAsync(controlPlane)).Phase.Should().BeNull();

        Advance(Ready);
        (await PhaseAsync(first)).Phase.Should().Be(NodePhases.Ready);
        (await PhaseAsync(worker)).Phase.Should().Be(NodePhases.Joined);
        (await PhaseAsync(controlPlane)).Phase.Should().Be(NodePhases.Joined);

        Advance(Ready);
        (await PhaseAsync(worker)).Phase.Should().Be(NodePhases.Ready);
        (await PhaseAsync(controlPlane)).Phase.Should().Be(NodePhases.Ready);
        (await PhaseAsync(first)).Phase.Should().Be(NodePhases.Ready, "its packs take longer");

        Advance(Packs);
        (await PhaseAsync(first)).Should().Be((NodePhases.PacksApplied, null));
        (await PhaseAsync(worker)).Phase.Should().Be(NodePhases.Ready, "only the first control plane applies packs");
    }

    [Fact]
    public async Task A_node_reports_on_its_own_whether_or_not_anyone_calls_EC2_meanwhile()
    {
        var first = await LaunchAsync(UserDataOf(Cluster, "first"), controlPlane: true);

        // No call between the launch and the read below: only time passes (the clock runs the local AWS's ticks).
        Advance(Running + Boot + Ready + Packs);

        string? phase;
        lock (Host.Aws.Store.Sync)
            phase = Host.Aws.Store.Worlds.SelectMany(w => w.All<PaletteServerless.Local.Aws.Ec2.Instance>()).Single(i => i.Id == first)
                .Tags.GetValueOrDefault(NodePhases.TagKey);
        phase.Should().Be(NodePhases.PacksApplied, "a real node boots and tags its instance by itself, not when someone describes it");
    }

    [Fact]
    public async Task A_first_control_plane_carrying_20_KiB_of_pack_values_launches_within_EC2_s_limit_and_applies_its_packs()
    {
        // Values that pass validation (they compress as configuration does), some of them hostile text: all of it is data to the node.
        var values = new System.Text.StringBuilder();
        for (var i = 0; values.Length < 20 * 1024; i++)
            values.Append($"extraConfig{i:D4}:\n  enabled: true\n  note: \"it's $(touch /tmp/x) `id` ; {i % 7}\"\n");
        var roomy = Cluster with
        {
            Spec = ClusterSpecValidator.Validate(Cluster.Spec with
            {
                Profile = Cluster.Spec.Profile! with { PackValues = new() { ["aws-ebs-csi"] = values.ToString() } },
            }),
        };
        var userData = UserDataOf(roomy, "first");
        System.Text.Encoding.UTF8.GetByteCount(userData).Should().BeGreaterThan(16 * 1024, "plain, it would be over EC2's limit");

        var first = await LaunchAsync(userData, controlPlane: true, cluster: roomy);
        Advance(TimeSpan.FromMinutes(60));

        (await PhaseAsync(first)).Should().Be((NodePhases.PacksApplied, null));
    }

    public static TheoryData<string> Broken =>
    [
        "not a cloud-config",
        "another cluster's secrets path",
        "a worker's kubeadm join on a control plane",
        "a control plane's join on a worker",
        "no phase reports",
    ];

    [Theory]
    [MemberData(nameof(Broken))]
    public async Task A_node_whose_user_data_would_not_work_never_reports(string broken)
    {
        var first = await LaunchAsync(UserDataOf(Cluster, "first"), controlPlane: true);
        var (userData, controlPlane) = broken switch
        {
            "not a cloud-config" => ("#!/bin/sh\nkubeadm join --config /etc/palette/kubeadm.yaml\n", false),
            "another cluster's secrets path" => (UserDataOf(ClusterOf("fedcba9876543210fedcba9876543210"), "worker"), false),
            "a worker's kubeadm join on a control plane" => (UserDataOf(Cluster, "worker"), true),
            "a control plane's join on a worker" => (UserDataOf(Cluster, "control-plane"), false),
            _ => (UserDataOf(Cluster, "worker").Replace($"{UserData.PhaseScriptPath} {NodePhases.Joined}", "true"), false),
        };
        var node = await LaunchAsync(userData, controlPlane);

        Advance(TimeSpan.FromMinutes(60));

        (await PhaseAsync(first)).Phase.Should().Be(NodePhases.PacksApplied, "the valid first control plane boots normally");
        (await PhaseAsync(node)).Should().Be(((string?)null, (string?)null), broken);
    }

    [Fact]
    public async Task A_node_of_a_cluster_whose_parameters_do_not_exist_never_reports()
    {
        var other = ClusterOf("fedcba9876543210fedcba9876543210");
        await LaunchAsync(UserDataOf(Cluster, "first"), controlPlane: true);
        var node = await LaunchAsync(UserDataOf(other, "first"), controlPlane: true, cluster: other);

        Advance(TimeSpan.FromMinutes(60));

        (await PhaseAsync(node)).Phase.Should().BeNull("its secrets script would fail: there is nothing under its path");
    }
    /// <summary>Each defect of a node that would not make a working cluster, put back into the product's own user data.</summary>
    public static TheoryData<string, string, string> Defects => new()
    {
        { "containerd with the cgroupfs driver", "first", "cgroup driver" },
        { "no cloud controller manager", "first", "no cloud controller manager" },
        { "no provider id", "first", "finds no instance" },
        { "no container runtime", "worker", "container runtime is not running" },
    };

    [Theory]
    [MemberData(nameof(Defects))]
    public async Task A_node_given_a_defect_reports_Failed_with_its_reason(string defect, string node, string reason)
    {
        string Broken(string userData) => defect switch
        {
            "containerd with the cgroupfs driver" => Replaced(userData, "SystemdCgroup = true", "SystemdCgroup = false"),
            "no cloud controller manager" => WithoutLines(userData, "helm upgrade --install 'aws-cloud-controller-manager'"),
            "no provider id" => WithoutLines(userData, "provider-id"),
            _ => WithoutLines(userData, "- containerd"),
        };
        var first = await LaunchAsync(node == "first" ? Broken(UserDataOf(Cluster, "first")) : UserDataOf(Cluster, "first"), controlPlane: true);
        var worker = await LaunchAsync(node == "first" ? UserDataOf(Cluster, "worker") : Broken(UserDataOf(Cluster, "worker")), controlPlane: false);

        Advance(TimeSpan.FromMinutes(60));

        var broken = await PhaseAsync(node == "first" ? first : worker);
        broken.Phase.Should().Be(NodePhases.Failed, defect);
        broken.Message.Should().Contain(reason);
    }

    [Fact]
    public async Task A_profile_of_Ubuntu_24_04_on_a_22_04_image_fails_naming_both_releases()
    {
        var first = await LaunchAsync(UserDataOf(Cluster, "first", NobleProfile), controlPlane: true, imageId: JammyImage);

        Advance(TimeSpan.FromMinutes(60));

        var (phase, message) = await PhaseAsync(first);
        phase.Should().Be(NodePhases.Failed);
        message.Should().Contain("Ubuntu 22.04").And.Contain("24.04");
    }

    [Fact]
    public async Task A_profile_of_Ubuntu_24_04_on_the_noble_image_is_usable()
    {
        var first = await LaunchAsync(UserDataOf(Cluster, "first", NobleProfile), controlPlane: true, imageId: NobleImage);

        Advance(TimeSpan.FromMinutes(60));

        (await PhaseAsync(first)).Phase.Should().Be(NodePhases.PacksApplied);
    }

    [Fact]
    public async Task A_node_whose_security_groups_block_the_CNI_from_its_peers_fails_naming_the_protocol()
    {
        // Both nodes in one group that admits the API server only: calico's BGP and IP-in-IP are blocked.
        await LaunchAsync(UserDataOf(Cluster, "worker"), controlPlane: false); // sets up the VPC
        var group = (await Ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest { GroupName = "api-only", Description = "api only", VpcId = _vpc })).GroupId;
        await Ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest
        {
            GroupId = group,
            IpPermissions = [new IpPermission { IpProtocol = "tcp", FromPort = 6443, ToPort = 6443, UserIdGroupPairs = [new UserIdGroupPair { GroupId = group }] }],
        });
        var first = await LaunchAsync(UserDataOf(Cluster, "first"), controlPlane: true, securityGroup: group);
        var worker = await LaunchAsync(UserDataOf(Cluster, "worker"), controlPlane: false, securityGroup: group);

        Advance(TimeSpan.FromMinutes(60));

        (await PhaseAsync(first)).Phase.Should().Be(NodePhases.PacksApplied, "it has no peer yet when it checks");
        var (phase, message) = await PhaseAsync(worker);
        phase.Should().Be(NodePhases.Failed);
        message.Should().Contain("pod network").And.Contain("calico").And.Contain("tcp/179");

        // The same nodes with the CNI's protocols admitted: a new worker is usable.
        await Ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest
        {
            GroupId = group,
            IpPermissions =
            [
                new IpPermission { IpProtocol = "tcp", FromPort = 179, ToPort = 179, UserIdGroupPairs = [new UserIdGroupPair { GroupId = group }] },
                new IpPermission { IpProtocol = "4", UserIdGroupPairs = [new UserIdGroupPair { GroupId = group }] },
            ],
        });
        var another = await LaunchAsync(UserDataOf(Cluster, "worker"), controlPlane: false, securityGroup: group);
        Advance(TimeSpan.FromMinutes(60));
        (await PhaseAsync(another)).Phase.Should().Be(NodePhases.Ready);
    }

    private const string JammyImage = "ami-0c7217cdde317cfec";
    private const string NobleImage = "ami-0fc5d935ebf8bc3bc";

    private static readonly ClusterProfile NobleProfile = ClusterProfileValidator.Validate(new ClusterProfile
    {
        Name = "ubuntu-k8s",
        Version = "1.0.0",
        Packs =
        [
            new Pack { Layer = "os", Name = "ubuntu", Version = "24.04", Values = "" },
            new Pack { Layer = "k8s", Name = "kubernetes", Version = "1.30.4", Values = "" },
            new Pack { Layer = "cni", Name = "calico", Version = "3.27.0", Values = "" },
            new Pack { Layer = "csi", Name = "aws-ebs-csi", Version = "1.30.0", Values = "" },
        ],
    });

    private static string Replaced(string text, string what, string with)
    {
        text.Should().Contain(what, "the defect is put back into the product's own user data");
        return text.Replace(what, with, StringComparison.Ordinal);
    }

    private static string WithoutLines(string text, string containing)
    {
        var lines = text.Split('\n');
        lines.Should().Contain(l => l.Contains(containing, StringComparison.Ordinal), "the defect is put back into the product's own user data");
        return string.Join('\n', lines.Where(l => !l.Contains(containing, StringComparison.Ordinal)));
    }
}

/// <summary>The fault profile's node faults: a first control plane whose packs fail, nodes that never report.</summary>
public sealed class NodeAgentPacksFailureTests : Ec2TestBase
{
    protected override LocalAwsOptions Options => new() { PacksFailureRate = 1 };

    [Fact]
    public async Task The_first_control_plane_reports_PacksFailed_naming_its_first_pack()
    {
        var subnet = await CreateSubnetAsync(await CreateVpcAsync());
        var agent = new NodeAgentHarness(Host, Ec2, subnet);
        var first = await agent.LaunchFirstAsync();

        Advance(TimeSpan.FromMinutes(10));

        (await agent.PhaseAsync(first)).Should().Be((NodePhases.PacksFailed, "aws-cloud-controller-manager-1.30.10"), "the cloud controller manager is the first pack installed");
    }
}

public sealed class NodeAgentNeverReportsTests : Ec2TestBase
{
    protected override LocalAwsOptions Options => new() { NodeNeverReportsRate = 1 };

    [Fact]
    public async Task A_node_the_fault_profile_silences_never_reports()
    {
        var subnet = await CreateSubnetAsync(await CreateVpcAsync());
        var agent = new NodeAgentHarness(Host, Ec2, subnet);
        var first = await agent.LaunchFirstAsync();

        Advance(TimeSpan.FromMinutes(60));

        (await agent.PhaseAsync(first)).Should().Be(((string?)null, (string?)null));
        Host.Aws.Faults.IsActive.Should().BeTrue();
    }
}

/// <summary>Launches the product's first control plane of a cluster with its secrets in place, for the fault tests.</summary>
internal sealed class NodeAgentHarness(Core.LocalAwsHost host, AmazonEC2Client ec2, string subnet)
{
    public async Task<string> LaunchFirstAsync()
    {
        var cluster = NodeAgentTests.Cluster;
        await NodeAgentTests.PutSecretsAsync(host, cluster);
        var response = await ec2.RunInstancesAsync(new RunInstancesRequest
        {
            ImageId = "ami-0c7217cdde317cfec", InstanceType = "m5.large", MinCount = 1, MaxCount = 1, SubnetId = subnet,
            UserData = UserData.Encode(NodeAgentTests.UserDataOf(cluster, "first")),
            TagSpecifications =
            [
                new TagSpecification
                {
                    ResourceType = ResourceType.Instance,
                    Tags = [new Tag(OwnershipTags.ClusterUid, cluster.Uid), new Tag(OwnershipTags.Tenant, cluster.Scope.Tenant), new Tag(ResourceTags.CapaRole, "controlplane")],
                },
            ],
        });
        return response.Reservation.Instances.Single().InstanceId;
    }

    public async Task<(string? Phase, string? Message)> PhaseAsync(string instanceId)
    {
        var tags = (await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [instanceId] })).Reservations.Single().Instances.Single().Tags ?? [];
        return (tags.FirstOrDefault(t => t.Key == NodePhases.TagKey)?.Value, tags.FirstOrDefault(t => t.Key == NodePhases.MessageTagKey)?.Value);
    }
}
