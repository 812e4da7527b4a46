using PaletteServerless.Testing;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using PaletteServerless.Api.Endpoints;
using PaletteServerless.Aws.Storage;
using PaletteServerless.Domain.Changes;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Profiles;

namespace PaletteServerless.Api.Tests.Support;

/// <summary>
/// The API as Lambda runs it (<see cref="ApiFunction.Handle"/>), on a real table, with a fake
/// clock and fake workflow starter and force deleter. Each harness gets its own tenant, so the
/// tests of a class may share one table.
/// </summary>
public sealed class ApiHarness
{
    public static readonly DateTimeOffset Start = new(2026, 11, 24, 1, 0, 0, TimeSpan.Zero);

    public ApiHarness(StoreFixture fixture, IWorkflowStarter? workflows = null)
    {
        Clock = new FakeTimeProvider(Start);
        Store = new DynamoDbStore(fixture.Dynamo, StoreFixture.TableName, Clock);
        Workflows = new RecordingWorkflowStarter();
        ForceDeleter = new RecordingForceDeleter(Store, Clock);
        Sweeps = new RecordingSweepWorkflow(Clock);
        Inventory = new DynamoDbInventoryStore(fixture.Dynamo, StoreFixture.TableName);
        VirtualClusters = new DynamoDbVirtualClusterStore(fixture.Dynamo, StoreFixture.TableName);
        Function = new ApiFunction(new ApiRoutes(
            new ClusterService(Store, Store, Store, workflows ?? Workflows, ForceDeleter, Preflight, Clock, Backups),
            new CloudAccountService(Store, Store, Clock, new CloudAccountRules(ProductAccountId, [CloudAccountRules.AnyTenant])),
            new ProfileService(Store, Store, Clock),
            new OrphanService(Store, Store, Orphans, Sweeps, "us-east-1"),
            new KubeconfigService(Store, Store, Credentials, Store, Clock),
            Clock,
            new ClusterChangeService(Store, Store, Store, workflows ?? Workflows, new InventoryNodes(Inventory), Clock, VirtualClusters, Backups),
            new CloudAccountResourceService(Store, CloudReader),
            new ClusterNodeService(Store, Store, Inventory, Instances),
            new PaletteServerless.Domain.VirtualClusters.VirtualClusterService(Store, Store, Store, VirtualClusters, VirtualClusterCloud, Clock),
            new PaletteServerless.Domain.Backups.BackupService(Store, Store, Backups, Backups, Clock),
            new PaletteServerless.Domain.Backups.ScanService(Store, Store, Backups, Backups, Clock)));
    }

    /// <summary>The backup location and workflow behind the backup and scan routes.</summary>
    public RecordingBackups Backups { get; } = new();

    /// <summary>A Running cluster with backups and security scans on.</summary>
    public async Task<Cluster> BackedUpClusterAsync(string project, string name)
    {
        var running = await RunningClusterAsync(project, name);
        return await Clusters.UpdateAsync(running with
        {
            Spec = running.Spec with
            {
                Settings = new ClusterSettings
                {
                    Backup = new BackupSettings { Enabled = true, Schedule = "0 3 * * *", RetentionDays = 7 },
                    SecurityScans = new ScheduledFeature { Enabled = true, Schedule = "0 4 * * SAT" },
                },
            },
        }, running.Version, CancellationToken.None);
    }

    /// <summary>The account the harness's product runs in (trust policies name it).</summary>
    public const string ProductAccountId = "000000000000";

    public FakeTimeProvider Clock { get; }
    public DynamoDbStore Store { get; }
    public IClusterStore Clusters => Store;
    public RecordingWorkflowStarter Workflows { get; }
    public RecordingForceDeleter ForceDeleter { get; }
    public ScriptedPreflight Preflight { get; } = new();
    public RecordingOrphanSweeper Orphans { get; } = new();
    public RecordingSweepWorkflow Sweeps { get; }
    public FixedClusterCredentials Credentials { get; } = new();
    public ScriptedCloudAccountReader CloudReader { get; } = new();
    public DynamoDbInventoryStore Inventory { get; }
    public ScriptedClusterInstances Instances { get; } = new();
    public DynamoDbVirtualClusterStore VirtualClusters { get; }
    /// <summary>The cluster side of virtual clusters, in memory: what was published, and the agent's reports a test sets.</summary>
    public FakeVirtualClusterCloud VirtualClusterCloud { get; } = new();
    public ApiFunction Function { get; }

    /// <summary>A tenant no other test uses.</summary>
    public string Tenant { get; } = "t" + Guid.NewGuid().ToString("N")[..10];

    public Identity Admin => new(Tenant, ["tenant-admin"], "root");

    public Identity As(string role, string? tenant = null) => new(tenant ?? Tenant, role.Length == 0 ? [] : [role], "alice");

    public async Task<ApiResponse> SendAsync(ApiCall call)
    {
        var input = new MemoryStream(Encoding.UTF8.GetBytes(call.ToEvent().ToJsonString()));
        var output = await Function.Handle(input);
        var response = (await JsonNode.ParseAsync(output))!.AsObject();
        var headers = response["headers"]?.AsObject().ToDictionary(h => h.Key, h => h.Value!.GetValue<string>()) ?? [];
        return new ApiResponse(response["statusCode"]!.GetValue<int>(), headers, response["body"]?.GetValue<string>());
    }

    /// <summary>Creates the cloud account and profile that <see cref="ClusterJson"/> refers to, in the project.</summary>
    public async Task SeedProjectAsync(string project)
    {
        (await SendAsync(ApiCall.Post($"/v1/projects/{project}/cloudaccounts").By(Admin).WithJson(AccountJson()))).Status.Should().Be(201);
        (await SendAsync(ApiCall.Post($"/v1/projects/{project}/clusterprofiles").By(Admin).WithJson(ProfileJson()))).Status.Should().Be(201);
    }

    /// <summary>Creates a cluster and marks it Running, as the provisioning workflow would.</summary>
    public async Task CreateRunningClusterAsync(string project, string name)
    {
        await CreateClusterAsync(project, name);
        var scope = new PaletteServerless.Domain.Identity.ProjectScope(Tenant, project);
        var cluster = (await Clusters.GetAsync(scope, name, CancellationToken.None))!;
        await Clusters.UpdateAsync(cluster with { Status = ClusterStatus.Running }, cluster.Version, CancellationToken.None);
    }

    public async Task<ApiResponse> CreateClusterAsync(string project, string name, Identity? by = null)
    {
        var response = await SendAsync(ApiCall.Post($"/v1/projects/{project}/clusters").By(by ?? Admin).WithJson(ClusterJson(name)));
        response.Status.Should().Be(202, response.ToString());
        return response;
    }

    /// <summary>Creates a cluster and moves it to Running, as the provisioning workflow would (no workflow runs here).</summary>
    public async Task<Cluster> RunningClusterAsync(string project, string name)
    {
        await CreateClusterAsync(project, name);
        var cluster = (await Clusters.GetAsync(new ProjectScope(Tenant, project), name, CancellationToken.None))!;
        return await Clusters.UpdateAsync(cluster with
        {
            Status = ClusterStatus.Running,
            PreviousStatus = cluster.Status,
            ObservedGeneration = cluster.Generation,
            AppliedFingerprints = ClusterUpdates.Fingerprints(cluster.Spec),
        }, cluster.Version, CancellationToken.None);
    }

    /// <summary>
    /// A Running cluster with settings.virtualClusters.enabled, on a profile (vc-host, made once per project) of a Kubernetes
    /// release the pinned vcluster chart supports as a host.
    /// </summary>
    public async Task<Cluster> VirtualClusterHostAsync(string project, string name, bool enabled = true)
    {
        var profile = ProfileJson("vc-host");
        profile["packs"]![1]!["version"] = "1.32.4";
        var made = await SendAsync(ApiCall.Post($"/v1/projects/{project}/clusterprofiles").By(Admin).WithJson(profile));
        made.Status.Should().BeOneOf([201, 409], made.ToString());
        var spec = ClusterJson(name);
        spec["profile"]!["name"] = "vc-host";
        spec["settings"]!["virtualClusters"]!["enabled"] = enabled;
        var created = await SendAsync(ApiCall.Post($"/v1/projects/{project}/clusters").By(Admin).WithJson(spec));
        created.Status.Should().Be(202, created.ToString());
        var cluster = (await Clusters.GetAsync(new ProjectScope(Tenant, project), name, CancellationToken.None))!;
        return await Clusters.UpdateAsync(cluster with
        {
            Status = ClusterStatus.Running,
            PreviousStatus = cluster.Status,
            ObservedGeneration = cluster.Generation,
            AppliedFingerprints = ClusterUpdates.Fingerprints(cluster.Spec),
        }, cluster.Version, CancellationToken.None);
    }

    /// <summary>A valid worker pool of <see cref="ClusterJson"/>'s region.</summary>
    public static JsonObject WorkerPoolJson(string name, int count = 2) => new()
    {
        ["name"] = name,
        ["count"] = count,
        ["instanceType"] = "m5.large",
        ["availabilityZones"] = new JsonArray("us-east-1a", "us-east-1b"),
    };

    public async Task<ApiResponse> DeleteClusterAsync(string project, string name)
    {
        var response = await SendAsync(ApiCall.Delete($"/v1/projects/{project}/clusters/{name}").By(Admin).WithQuery("confirm", name));
        response.Status.Should().Be(202, response.ToString());
        return response;
    }

    public static JsonObject AccountJson(string name = "prod") => new()
    {
        ["name"] = name,
        ["roleArn"] = "arn:aws:iam::123456789012:role/PaletteServerless",
    };

    public static JsonObject ProfileJson(string name = "ubuntu-k8s") => JsonNode.Parse($$"""
        {
          "name": "{{name}}",
          "version": "1.0.0",
          "description": "Ubuntu, Kubernetes, Cilium, EBS",
          "packs": [
            { "layer": "os", "name": "ubuntu", "version": "22.04", "values": "" },
            { "layer": "k8s", "name": "kubernetes", "version": "1.30.4", "values": "apiServer:\n  extraArgs: {}\n" },
            { "layer": "cni", "name": "cilium", "version": "1.15.3", "values": "ipam:\n  mode: kubernetes\n" },
            { "layer": "csi", "name": "aws-ebs-csi", "version": "1.28.0", "values": "" }
          ]
        }
        """)!.AsObject();

    /// <summary>A cluster spec that uses every field, valid against <see cref="SeedProjectAsync"/>.</summary>
    public static JsonObject ClusterJson(string name = "demo") => JsonNode.Parse($$"""
        {
          "name": "{{name}}",
          "description": "a test cluster",
          "tags": { "team": "platform", "cost-center": "" },
          "cloudAccount": "prod",
          "profile": { "name": "ubuntu-k8s", "version": "1.0.0", "packValues": { "cilium": "ipam:\n  mode: cluster-pool\n" } },
          "cloud": {
            "region": "us-east-1",
            "sshKeyName": "ops",
            "vpcCidr": "10.10.0.0/16",
            "apiLoadBalancer": "internet-facing",
            "placement": { "mode": "dynamic" }
          },
          "updateWorkerPoolsInParallel": true,
          "nodePools": [
            { "name": "control-plane", "role": "control-plane", "count": 3, "instanceType": "m5.large",
              "availabilityZones": ["us-east-1a", "us-east-1b", "us-east-1c"] },
            { "name": "workers", "role": "worker", "count": 2, "instanceType": "m5.xlarge",
              "availabilityZones": ["us-east-1a", "us-east-1b"], "capacityType": "spot", "maxSpotPrice": 0.12,
              "diskSizeGiB": 100, "labels": { "tier": "web" },
              "taints": [ { "key": "dedicated", "value": "web", "effect": "NoSchedule" } ] }
          ],
          "settings": {
            "patchSchedule": "0 3 * * SUN",
            "securityScans": { "enabled": true, "schedule": "0 2 * * *" },
            "backup": { "enabled": true, "schedule": "0 1 * * *", "retentionDays": 30, "location": "my-backups" },
            "rbac": [ { "type": "RoleBinding", "namespace": "platform", "role": "edit", "subjects": [ { "kind": "Group", "name": "platform" } ] } ],
            "virtualClusters": { "enabled": false }
          }
        }
        """)!.AsObject();
}
