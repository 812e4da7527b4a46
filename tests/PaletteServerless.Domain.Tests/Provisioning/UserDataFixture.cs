using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Profiles;
using PaletteServerless.Domain.Provisioning;
using YamlDotNet.RepresentationModel;

namespace PaletteServerless.Domain.Tests.Provisioning;

/// <summary>A cluster of three control planes and two tainted, labelled workers, with RBAC settings, and its nodes' user data.</summary>
public static class UserDataFixture
{
    public static readonly Cluster Cluster = new()
    {
        Scope = new ProjectScope("acme", "demo"),
        Uid = "0123456789abcdef0123456789abcdef",
        Status = ClusterStatus.Provisioning,
        Spec = ClusterSpecValidator.Validate(new ClusterSpec
        {
            Name = "demo-cluster",
            CloudAccount = "main",
            Profile = new ProfileReference { Name = "ubuntu-k8s", Version = "1.0.0", PackValues = new() { ["calico"] = "mtu: 1400" } },
            Cloud = new CloudSpec { Region = "us-east-1", SshKeyName = "key", VpcCidr = "10.0.0.0/16" },
            NodePools =
            [
                new NodePoolSpec { Name = "cp", Role = "control-plane", Count = 3, InstanceType = "m5.large", AvailabilityZones = ["us-east-1a"] },
                new NodePoolSpec
                {
                    Name = "workers", Role = "worker", Count = 2, InstanceType = "t3.large", AvailabilityZones = ["us-east-1a"],
                    Taints = [new TaintSpec { Key = "dedicated", Value = "batch", Effect = "NoSchedule" }],
                    Labels = new() { ["tier"] = "batch" },
                },
            ],
            Settings = new ClusterSettings
            {
                // The security updates at boot: shellcheck, cloud-init and the size limit see that line too.
                OsPatchOnBoot = true,
                Rbac =
                [
                    new RbacBinding { Type = "ClusterRoleBinding", Role = "view", Subjects = [new RbacSubject { Kind = "Group", Name = "auditors" }] },
                    new RbacBinding
                    {
                        Type = "RoleBinding", Namespace = "team-a", Role = "edit",
                        Subjects = [new RbacSubject { Kind = "User", Name = "bob@example.com" }, new RbacSubject { Kind = "ServiceAccount", Name = "ci", Namespace = "tools" }],
                    },
                ],
            },
        }),
    };

    public static readonly ClusterProfile Profile = ClusterProfileValidator.Validate(new ClusterProfile
    {
        Name = "ubuntu-k8s",
        Version = "1.0.0",
        Packs =
        [
            new Pack { Layer = "os", Name = "ubuntu", Version = "22.04", Values = "" },
            new Pack { Layer = "k8s", Name = "kubernetes", Version = "1.30.4", Values = "podCIDR: 192.168.0.0/16" },
            new Pack { Layer = "cni", Name = "calico", Version = "3.27.0", Values = "mtu: 1440" },
            new Pack { Layer = "csi", Name = "aws-ebs-csi", Version = "1.30.0", Values = "storageClass: gp3" },
        ],
    });

    public static readonly ClusterSecrets Secrets = ClusterSecrets.Generate("demo-cluster", DateTimeOffset.UtcNow);

    public static TheoryData<string> Nodes => ["control-plane-init", "control-plane-join", "worker"];

    public static string UserDataOf(string node)
    {
        var plan = ClusterPlan.Build(Cluster);
        var instance = node switch
        {
            "control-plane-init" => plan.Instances.Single(i => i.IsFirstControlPlane),
            "control-plane-join" => plan.Instances.First(i => i.Pool == "cp" && !i.IsFirstControlPlane),
            _ => plan.Instances.First(i => i.Pool == "workers"),
        };
        return UserData.Build(Cluster, Profile, instance, "demo-cluster-api-0123.elb.us-east-1.amazonaws.com", Secrets.CaCertHash);
    }

    /// <summary>runcmd's lines and every written file's content by path.</summary>
    public static (List<string> Runcmd, Dictionary<string, string> Files) Parse(string userData)
    {
        var document = new YamlStream();
        document.Load(new StringReader(userData));
        var root = (YamlMappingNode)document.Documents[0].RootNode;
        var runcmd = ((YamlSequenceNode)root["runcmd"]).Children.Select(c => ((YamlScalarNode)c).Value!).ToList();
        var files = ((YamlSequenceNode)root["write_files"]).Children.Cast<YamlMappingNode>()
            .ToDictionary(f => ((YamlScalarNode)f["path"]).Value!, f => ((YamlScalarNode)f["content"]).Value!);
        return (runcmd, files);
    }
}
