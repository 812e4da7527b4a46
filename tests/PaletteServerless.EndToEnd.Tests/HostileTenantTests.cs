using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using PaletteServerless.Local.Aws.Iam;
using PaletteServerless.Manifest;

namespace PaletteServerless.EndToEnd.Tests;

/// <summary>
/// A hostile tenant, or a member of another project, against the local stack: each attempt is refused
/// as README's "Security" says, and nothing is stored, started or changed by it.
/// </summary>
[Collection(LocalStackCollection.Name)]
public sealed class HostileTenantTests(LocalStackFixture stack)
{
    private const string RoleArn = "arn:aws:iam::444455556666:role/palette-serverless/PaletteServerlessClusterBuilder";

    [Fact]
    public async Task Cloud_accounts_are_registered_by_admins_only_and_the_external_id_is_the_products()
    {
        const string Project = "hostile-accounts";
        using var editor = stack.Api(Project, "project-editor");
        using var viewer = stack.Api(Project, "project-viewer");
        using var admin = stack.Api(Project, "project-admin");
        using var tenantAdmin = stack.Api(Project, "tenant-admin");
        var accounts = $"/v1/projects/{Project}/cloudaccounts";

        // An editor may not spend the product account's money, nor register a role.
        var roleLess = await editor.PostAsync(accounts, LocalStackFixture.Json("""{"name":"self"}"""));
        roleLess.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await ProblemAsync(roleLess))["detail"]!.GetValue<string>().Should().Contain("roleArn");
        (await editor.PostAsync(accounts, LocalStackFixture.Json($$"""{"name":"role","roleArn":"{{RoleArn}}"}"""))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        // Without a role, even a project-admin is refused: a tenant-admin's decision.
        (await admin.PostAsync(accounts, LocalStackFixture.Json("""{"name":"self"}"""))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        // A caller never chooses the external id (it could be another tenant's).
        var chosen = await admin.PostAsync(accounts, LocalStackFixture.Json($$"""{"name":"chosen","roleArn":"{{RoleArn}}","externalId":"someone-elses-id"}"""));
        chosen.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ProblemAsync(chosen))["errors"]![0]!["field"]!.GetValue<string>().Should().Be("externalId");
        (await ListAsync(admin, accounts)).Should().BeEmpty("nothing refused was stored");

        (await tenantAdmin.PostAsync(accounts, LocalStackFixture.Json("""{"name":"self"}"""))).StatusCode.Should().Be(HttpStatusCode.Created);
        var first = await CreatedAsync(admin, accounts, $$"""{"name":"first","roleArn":"{{RoleArn}}"}""");
        var second = await CreatedAsync(admin, accounts, $$"""{"name":"second","roleArn":"{{RoleArn}}"}""");
        var firstId = first["externalId"]!.GetValue<string>();
        firstId.Length.Should().BeGreaterThanOrEqualTo(32);
        second["externalId"]!.GetValue<string>().Should().NotBe(firstId, "every registration gets its own");
        first["trustPolicy"]!.ToJsonString().Should().Contain(firstId).And.Contain("palette-serverless-functions");

        var seenByViewer = await viewer.GetFromJsonAsync<JsonObject>($"{accounts}/first");
        seenByViewer!.Should().NotContainKey("externalId");
        (await ListAsync(editor, accounts)).Should().OnlyContain(a => a["externalId"] == null);
        (await admin.GetFromJsonAsync<JsonObject>($"{accounts}/first"))!["externalId"]!.GetValue<string>().Should().Be(firstId);
        (await viewer.DeleteAsync($"{accounts}/first")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await editor.DeleteAsync($"{accounts}/first")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_session_for_one_cluster_reaches_no_other_clusters_resources_and_only_function_roles_may_open_one()
    {
        using var admin = stack.Ec2();
        var image = (await admin.DescribeImagesAsync(new DescribeImagesRequest())).Images.First().ImageId;
        var vpc = (await admin.CreateVpcAsync(new CreateVpcRequest { CidrBlock = "10.98.0.0/16" })).Vpc.VpcId;
        var subnet = (await admin.CreateSubnetAsync(new CreateSubnetRequest { VpcId = vpc, CidrBlock = "10.98.0.0/24", AvailabilityZone = "us-east-1a" })).Subnet.SubnetId;
        async Task<string> InstanceOfAsync(string uid) => (await admin.RunInstancesAsync(new RunInstancesRequest
        {
            ImageId = image, InstanceType = InstanceType.T3Micro, MinCount = 1, MaxCount = 1, SubnetId = subnet,
            TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Instance, Tags = [new Amazon.EC2.Model.Tag("palette.serverless/cluster-uid", uid)] }],
        })).Reservation.Instances.Single().InstanceId;
        var mine = await InstanceOfAsync("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        var theirs = await InstanceOfAsync("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");

        var principals = await stack.PrincipalsAsync();
        var teardown = principals.Single(p => p.Name == "teardown");
        // The teardown step's session for cluster "aaaa...": the product account's cluster-builder role (role-less accounts are allowed locally).
        using var mySession = await Ec2AsAsync(teardown, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        var refused = await FluentActions.Awaiting(() => mySession.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [theirs] }))
            .Should().ThrowAsync<AmazonEC2Exception>("the role compares the ownership tag with the session's own");
        refused.Which.ErrorCode.Should().Be("UnauthorizedOperation");
        // A step whose actions hold no terminate (the node pools' poll) cannot terminate even its own cluster's node: the session policy.
        using var pollSession = await Ec2AsAsync(teardown, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", FunctionCatalog.NodePoolsCheck.Name);
        (await FluentActions.Awaiting(() => pollSession.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [mine] }))
            .Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("UnauthorizedOperation");
        stack.Stack.LocalAws.Iam!.TakeDenials(d => d.Resource.EndsWith(mine, StringComparison.Ordinal)).Should().ContainSingle();
        await mySession.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [mine] });
        // A session for no cluster (the console's reads) changes nothing tagged.
        using var projectSession = await Ec2AsAsync(teardown, null);
        (await FluentActions.Awaiting(() => projectSession.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [theirs] }))
            .Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("UnauthorizedOperation");
        stack.Stack.LocalAws.Iam!.TakeDenials(d => d.Resource.EndsWith(theirs, StringComparison.Ordinal)).Should().HaveCount(2);

        // Only the product's function roles are trusted: a state machine's role of the same account is not.
        var stateMachine = principals.First(p => p.Name.StartsWith("states:", StringComparison.Ordinal));
        var notTrusted = await FluentActions.Awaiting(() => Ec2AsAsync(stateMachine, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"))
            .Should().ThrowAsync<AmazonSecurityTokenServiceException>();
        notTrusted.Which.ErrorCode.Should().Be("AccessDenied");
        stack.Stack.LocalAws.Iam!.TakeDenials(d => d.Principal == stateMachine.Name && d.Action == "sts:AssumeRole").Should().NotBeEmpty();
        await admin.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [theirs] });
    }

    [Fact]
    public async Task An_editor_binds_no_cluster_admin_and_nobody_binds_a_system_subject()
    {
        var scenario = await Scenario.StartAsync(stack, "hostile-rbac");
        using var editor = stack.Api("hostile-rbac", "project-editor");
        const string Clusters = "/v1/projects/hostile-rbac/clusters";

        var escalation = await editor.PostAsync(Clusters, LocalStackFixture.Json(WithRbac("escalate",
            """[{"type":"ClusterRoleBinding","role":"cluster-admin","subjects":[{"kind":"Group","name":"palette:viewers"}]}]""")));
        escalation.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await ProblemAsync(escalation))["errors"]![0]!["field"]!.GetValue<string>().Should().StartWith("settings.rbac");
        var dryRun = await editor.PostAsync(Clusters + "?dryRun=true", LocalStackFixture.Json(WithRbac("escalate",
            """[{"type":"ClusterRoleBinding","role":"cluster-admin","subjects":[{"kind":"Group","name":"palette:viewers"}]}]""")));
        dryRun.StatusCode.Should().Be(HttpStatusCode.Forbidden, "a dry run is judged as the create");

        // Not even an admin may name a system: subject.
        var system = await scenario.Api.PostAsync(Clusters, LocalStackFixture.Json(WithRbac("system",
            """[{"type":"RoleBinding","namespace":"apps","role":"view","subjects":[{"kind":"Group","name":"system:unauthenticated"}]}]""")));
        system.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ProblemAsync(system))["errors"]![0]!["field"]!.GetValue<string>().Should().Contain("subjects");
        (await ListAsync(scenario.Api, Clusters)).Should().BeEmpty("nothing refused was stored");

        // What an editor may do: edit or view in a namespace.
        var allowed = await editor.PostAsync(Clusters + "?dryRun=true", LocalStackFixture.Json(WithRbac("fine",
            """[{"type":"RoleBinding","namespace":"apps","role":"edit","subjects":[{"kind":"User","name":"alice"}]}]""")));
        allowed.StatusCode.Should().Be(HttpStatusCode.OK, await allowed.Content.ReadAsStringAsync());
    }

    private static string WithRbac(string name, string bindings)
    {
        var spec = JsonNode.Parse(Scenario.Cluster(name))!.AsObject();
        spec["settings"] = new JsonObject { ["rbac"] = JsonNode.Parse(bindings) };
        return spec.ToJsonString();
    }

    [Fact]
    public async Task Every_route_of_another_project_is_a_404_and_another_tenant_reads_nothing_of_it()
    {
        const string Victim = "hostile-victim";
        var scenario = await Scenario.StartAsync(stack, Victim);
        await scenario.CreateAsync(Scenario.Cluster("victim"));
        var before = await scenario.WaitForStatusAsync("victim", "Running", TimeSpan.FromSeconds(180));
        var uid = before["uid"]!.GetValue<string>();

        using var otherProject = stack.Api("hostile-attacker", "project-admin");
        using var otherTenant = stack.Api(Victim, "tenant-admin", tenant: "evil");
        foreach (var route in ApiRouteCatalog.All.Where(r => !r.Public))
        {
            var (path, body) = Filled(route, Victim);
            using (var response = await SendAsync(otherProject, route.Method, path, body))
                response.StatusCode.Should().Be(HttpStatusCode.NotFound, $"{route.Key} from another project: {await response.Content.ReadAsStringAsync()}");
            if (route.Method != "GET")
                continue;
            using var read = await SendAsync(otherTenant, route.Method, path, body);
            var text = await read.Content.ReadAsStringAsync();
            text.Should().NotContain(uid, route.Key).And.NotContain("\"victim\"", route.Key);
            if (read.StatusCode == HttpStatusCode.OK)
                (JsonNode.Parse(text)?["items"]?.AsArray() ?? []).Should().BeEmpty($"{route.Key} from another tenant lists nothing of the victim's");
            else
                read.StatusCode.Should().Be(HttpStatusCode.NotFound, route.Key);
        }
        // Kubeconfigs: never a system: identity, never for more than 24 hours.
        using (var system = new HttpClient { BaseAddress = stack.Stack.Endpoint })
        {
            system.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
                stack.Stack.Tokens.Mint("system:kube-controller-manager", "acme", [$"project-admin:{Victim}"]));
            var impersonation = await system.GetAsync($"/v1/projects/{Victim}/clusters/victim/kubeconfig");
            impersonation.StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await impersonation.Content.ReadAsStringAsync()).Should().NotContain("BEGIN CERTIFICATE");
        }
        var week = await scenario.Api.GetAsync($"/v1/projects/{Victim}/clusters/victim/kubeconfig?ttlHours=168");
        week.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ProblemAsync(week))["errors"]![0]!["field"]!.GetValue<string>().Should().Be("ttlHours");
        var issued = await scenario.Api.GetFromJsonAsync<JsonObject>($"/v1/projects/{Victim}/clusters/victim/kubeconfig?ttlHours=24");
        issued!["subject"]!.GetValue<string>().Should().StartWith("palette:user:");

        var after = await scenario.GetAsync("victim");
        after["status"]!.GetValue<string>().Should().Be("Running");
        after["version"]!.GetValue<long>().Should().Be(before["version"]!.GetValue<long>(), "no refused request changed the cluster");
        (await scenario.DeleteAsync("victim")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await scenario.WaitForStatusAsync("victim", "Deleted", TimeSpan.FromSeconds(180));
    }

    [Fact]
    public async Task Reserved_tags_yaml_aliases_oversized_pack_values_and_a_tenant_claim_with_shell_in_it_are_refused_and_nothing_is_stored()
    {
        var scenario = await Scenario.StartAsync(stack, "hostile-input");
        const string Clusters = "/v1/projects/hostile-input/clusters";

        foreach (var key in new[] { "palette.serverless/node-phase", "kubernetes.io/cluster/someone-else" })
        {
            var spec = Scenario.Cluster("tagged").Replace("\"tags\":{\"team\":\"e2e\"}", "\"tags\":{\"" + key + "\":\"owned\"}", StringComparison.Ordinal);
            var tagged = await scenario.Api.PostAsync(Clusters, LocalStackFixture.Json(spec));
            tagged.StatusCode.Should().Be(HttpStatusCode.BadRequest, key);
            (await ProblemAsync(tagged))["errors"]![0]!["field"]!.GetValue<string>().Should().StartWith("tags", key);
        }

        // A billion laughs: nine levels of nine aliases, refused at its first anchor before anything expands it.
        var bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
            + string.Concat(Enumerable.Range(0, 8).Select(i => $"{(char)('b' + i)}: &{(char)('b' + i)} [{string.Join(",", Enumerable.Repeat($"*{(char)('a' + i)}", 9))}]\n"));
        var withBomb = await scenario.Api.PostAsync(Clusters, LocalStackFixture.Json(WithPackValues("bomb", bomb)));
        withBomb.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ProblemAsync(withBomb))["errors"]![0]!["field"]!.GetValue<string>().Should().StartWith("profile.packValues");

        // 20 KiB of values that do not compress: a 400 naming the field (values that do compress launch: see README).
        var random = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(15 * 1024));
        var big = await scenario.Api.PostAsync(Clusters, LocalStackFixture.Json(WithPackValues("big", $"note: \"{random}\"\n")));
        big.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ProblemAsync(big))["errors"]![0]!["field"]!.GetValue<string>().Should().StartWith("profile.packValues");

        (await ListAsync(scenario.Api, Clusters)).Should().BeEmpty("nothing refused was stored");

        // An identity provider that lets a tenant claim carry shell: the API refuses the token, naming the claim.
        using var shell = new HttpClient { BaseAddress = stack.Stack.Endpoint };
        shell.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", stack.Stack.Tokens.Mint("mallory", "acme'; touch /tmp/pwned; '", ["tenant-admin"]));
        var refused = await shell.GetAsync(Clusters);
        refused.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await ProblemAsync(refused))["errors"]![0]!["field"]!.GetValue<string>().Should().Be("tenant");
    }

    private static string WithPackValues(string name, string calicoValues) =>
        Scenario.Cluster(name).Replace("\"profile\":{\"name\":\"ubuntu-k8s\",\"version\":\"1.0.0\"}",
            "\"profile\":{\"name\":\"ubuntu-k8s\",\"version\":\"1.0.0\",\"packValues\":{\"calico\":" + JsonSerializer.Serialize(calicoValues) + "}}", StringComparison.Ordinal);

    /// <summary>A route's path for the victim's records, with a body a member of the project could send.</summary>
    private static (string Path, string? Body) Filled(ApiRouteDefinition route, string project)
    {
        var name = route.Template.Contains("/cloudaccounts/{name}", StringComparison.Ordinal) ? "main"
            : route.Template.Contains("/clusterprofiles/{name}", StringComparison.Ordinal) ? "ubuntu-k8s"
            : "victim";
        var path = route.Template.Replace("{project}", project).Replace("{name}", name).Replace("{region}", "us-east-1")
            .Replace("{vpcId}", "vpc-0123456789abcdef0").Replace("{pool}", "workers").Replace("{sweep}", "0123456789abcdef")
            .Replace("{vcluster}", "vc");
        if (route == ApiRouteCatalog.ListInstanceTypes)
            path += "?zone=us-east-1a";
        if (route == ApiRouteCatalog.DeleteCluster)
            path += "?confirm=victim";
        var body = route.Method switch
        {
            "POST" when route == ApiRouteCatalog.CreateCloudAccount => $$"""{"name":"stolen","roleArn":"{{RoleArn}}"}""",
            "POST" when route == ApiRouteCatalog.CreateClusterProfile => PaletteServerless.Local.Walkthrough.SampleProfile.Replace("ubuntu-k8s", "stolen"),
            "POST" when route == ApiRouteCatalog.CreateCluster => Scenario.Cluster("stolen"),
            "POST" when route == ApiRouteCatalog.CreateVirtualCluster => """{"name":"stolen"}""",
            "POST" when route == ApiRouteCatalog.CreateRestore => """{"backup":"victim-20261207000000"}""",
            "POST" when route == ApiRouteCatalog.AddNodePool => """{"name":"extra","role":"worker","count":1,"instanceType":"m5.large","availabilityZones":["us-east-1a"]}""",
            "PUT" => """{"name":"workers","role":"worker","count":3,"instanceType":"m5.large","availabilityZones":["us-east-1a"]}""",
            "PATCH" => """{"tags":{"team":"stolen"}}""",
            _ => null,
        };
        return (path, body);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient api, string method, string path, string? body)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
            request.Content = LocalStackFixture.Json(body);
        return await api.SendAsync(request);
    }

    /// <summary>An EC2 client in the session a function would open for a cluster (or for none), as the product's sessions are made.</summary>
    private async Task<AmazonEC2Client> Ec2AsAsync(IamPrincipal function, string? clusterUid, string? actionsOf = null)
    {
        using var sts = new AmazonSecurityTokenServiceClient(new SessionAWSCredentials(function.AccessKeyId, function.SecretAccessKey, function.SessionToken),
            new AmazonSecurityTokenServiceConfig { ServiceURL = stack.Stack.Endpoint.ToString(), AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });
        var scope = clusterUid is null
            ? PaletteServerless.Aws.Cloud.SessionScope.OfProject(actionsOf ?? FunctionCatalog.Teardown.Name, new PaletteServerless.Domain.Identity.ProjectScope("acme", "hostile"), "hostile-probe")
            : PaletteServerless.Aws.Cloud.SessionScope.OfCluster(actionsOf ?? FunctionCatalog.Teardown.Name, new PaletteServerless.Domain.Identity.ProjectScope("acme", "hostile"), clusterUid);
        var response = await sts.AssumeRoleAsync(new AssumeRoleRequest
        {
            RoleArn = "arn:aws:iam::000000000000:role/palette-serverless/PaletteServerlessClusterBuilder",
            RoleSessionName = scope.RoleSessionName,
            Tags = [.. scope.Tags.Select(t => new Amazon.SecurityToken.Model.Tag { Key = t.Key, Value = t.Value })],
            SourceIdentity = scope.SourceIdentity,
            Policy = scope.PolicyJson(),
        });
        var c = response.Credentials;
        return new AmazonEC2Client(new SessionAWSCredentials(c.AccessKeyId, c.SecretAccessKey, c.SessionToken),
            new AmazonEC2Config { ServiceURL = stack.Stack.Endpoint.ToString(), AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });
    }

    private static async Task<JsonObject> CreatedAsync(HttpClient api, string path, string json)
    {
        var response = await api.PostAsync(path, LocalStackFixture.Json(json));
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.Created, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    private static async Task<List<JsonNode>> ListAsync(HttpClient api, string path) =>
        [.. (await api.GetFromJsonAsync<JsonObject>(path))!["items"]!.AsArray().Select(i => i!)];

    private static async Task<JsonObject> ProblemAsync(HttpResponseMessage response) => JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
}
