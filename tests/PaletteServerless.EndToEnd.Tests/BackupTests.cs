using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using PaletteServerless.Local.Aws.S3;

namespace PaletteServerless.EndToEnd.Tests;

/// <summary>
/// Backups and restore over the local stack (issue 26, item 2): a cluster with settings.backup on and no location gets
/// a bucket of its own (tagged, public access blocked, encrypted, expiring after retentionDays) and Velero through the
/// in-cluster agent; an on-demand backup ends BackupCompleted and is objects in that bucket written by the node's role,
/// listed to a viewer; a restore of it ends RestoreCompleted; the delete leaves the bucket while its backup is
/// unexpired, and the orphan sweep removes it once the lifecycle emptied it.
/// </summary>
[Collection(LocalStackCollection.Name)]
public sealed class BackupTests(LocalStackFixture stack)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task An_on_demand_backup_lands_in_the_clusters_own_bucket_restores_and_the_bucket_outlives_the_delete_until_its_backups_expire()
    {
        var scenario = await Scenario.StartAsync(stack, "backups");
        var spec = JsonNode.Parse(Scenario.Cluster("vault"))!.AsObject();
        spec["settings"] = JsonNode.Parse("""{"backup":{"enabled":true,"schedule":"0 3 * * *","retentionDays":1}}""");
        var uid = (await scenario.CreateAsync(spec.ToJsonString()))["uid"]!.GetValue<string>();
        await scenario.WaitForStatusAsync("vault", "Running", Timeout);

        using var viewer = stack.Api("backups", "project-viewer");
        (await ListAsync(viewer)).Should().BeEmpty();

        var started = await scenario.Api.PostAsync("/v1/projects/backups/clusters/vault/backups", null);
        var operation = JsonNode.Parse(await started.Content.ReadAsStringAsync())!.AsObject();
        started.StatusCode.Should().Be(HttpStatusCode.Accepted, operation.ToJsonString());
        var name = operation["name"]!.GetValue<string>();
        name.Should().StartWith("vault-");
        (await viewer.PostAsync("/v1/projects/backups/clusters/vault/backups", null)).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        var completed = await EventAsync(scenario, "BackupCompleted");
        completed["message"]!.GetValue<string>().Should().Contain(name);
        var listed = (await ListAsync(viewer)).Single();
        listed["name"]!.GetValue<string>().Should().Be(name);
        listed["phase"]!.GetValue<string>().Should().Be("Completed");
        listed["startedAt"].Should().NotBeNull();
        listed["completedAt"].Should().NotBeNull();
        var location = listed["location"]!.GetValue<string>();
        location.Should().StartWith("s3://psbackup-vpc-").And.Contain(uid).And.EndWith($"/velero/backups/{name}");

        // The bucket, as S3 shows it: the cluster's own, configured as promised, holding Velero's objects.
        var bucket = location["s3://".Length..].Split('/')[0];
        using var s3 = S3();
        var keys = (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = $"velero/backups/{name}/" })).S3Objects.Select(o => o.Key).ToList();
        keys.Should().Contain($"velero/backups/{name}/velero-backup.json").And.Contain($"velero/backups/{name}/{name}.tar.gz");
        var rule = (await s3.GetLifecycleConfigurationAsync(new GetLifecycleConfigurationRequest { BucketName = bucket })).Configuration.Rules.Single();
        rule.Status.Should().Be(LifecycleRuleStatus.Enabled);
        rule.Expiration.Days.Should().Be(1);
        var block = (await s3.GetPublicAccessBlockAsync(new GetPublicAccessBlockRequest { BucketName = bucket })).PublicAccessBlockConfiguration;
        new[] { block.BlockPublicAcls, block.IgnorePublicAcls, block.BlockPublicPolicy, block.RestrictPublicBuckets }.Should().OnlyContain(b => b == true);
        (await s3.GetBucketEncryptionAsync(new GetBucketEncryptionRequest { BucketName = bucket })).ServerSideEncryptionConfiguration.ServerSideEncryptionRules
            .Single().ServerSideEncryptionByDefault.ServerSideEncryptionAlgorithm.Value.Should().Be("AES256");
        (await s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = bucket })).TagSet
            .Should().Contain(t => t.Key == "palette.serverless/cluster-uid" && t.Value == uid).And.Contain(t => t.Key == "team" && t.Value == "e2e");

        // Restore: a backup that is not there is a 404, no backup named a 400; the real one ends RestoreCompleted.
        (await scenario.Api.PostAsync("/v1/projects/backups/clusters/vault/restores", LocalStackFixture.Json("""{"backup":"vault-19990101000000"}""")))
            .StatusCode.Should().Be(HttpStatusCode.NotFound);
        var unnamed = await scenario.Api.PostAsync("/v1/projects/backups/clusters/vault/restores", LocalStackFixture.Json("{}"));
        unnamed.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await unnamed.Content.ReadAsStringAsync()).Should().Contain("\"backup\"");
        var restore = await scenario.Api.PostAsync("/v1/projects/backups/clusters/vault/restores", LocalStackFixture.Json($$"""{"backup":"{{name}}"}"""));
        restore.StatusCode.Should().Be(HttpStatusCode.Accepted, await restore.Content.ReadAsStringAsync());
        (await EventAsync(scenario, "RestoreCompleted"))["message"]!.GetValue<string>().Should().Contain(name);

        // Deleted, the cluster leaves its bucket while the backup in it has not expired ...
        (await scenario.DeleteAsync("vault")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await scenario.WaitForStatusAsync("vault", "Deleted", Timeout);
        (await stack.ResourcesOfAsync(uid)).Select(r => r["arn"]?.GetValue<string>() ?? r.ToJsonString()).Should().ContainSingle().Which.Should().Contain(bucket);
        (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).KeyCount.Should().BeGreaterThan(0);

        // ... which its lifecycle empties at the midnight (UTC) after a day. The local S3's clock is the wall clock: the test
        // has it apply the bucket's lifecycle as at a later time (what its tick does then), not yet due today, due in two days.
        var held = S3Service.Find(stack.Stack.LocalAws, bucket)!;
        lock (stack.Stack.LocalAws.Store.Sync)
            S3Service.ExpireObjects(held, DateTimeOffset.UtcNow).Should().Be(0, "nothing is due before retentionDays");
        var sweepBefore = await SweepAsync(scenario);
        sweepBefore.ToJsonString().Should().Contain(bucket, "the sweep reports the bucket it keeps for its unexpired backups");
        (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).KeyCount.Should().BeGreaterThan(0);
        lock (stack.Stack.LocalAws.Store.Sync)
            S3Service.ExpireObjects(held, DateTimeOffset.UtcNow.AddDays(2)).Should().BeGreaterThan(0);
        (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).KeyCount.Should().Be(0, "the lifecycle expires every object after retentionDays");
        await SweepAsync(scenario);
        (await stack.ResourcesOfAsync(uid)).Should().BeEmpty();
        var gone = await FluentActions.Awaiting(() => s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).Should().ThrowAsync<AmazonS3Exception>();
        gone.Which.ErrorCode.Should().Be("NoSuchBucket");
    }

    /// <summary>Starts an orphan sweep of the project and returns its report once it succeeded.</summary>
    private static async Task<JsonObject> SweepAsync(Scenario scenario)
    {
        var sweep = await scenario.Api.PostAsync("/v1/projects/backups/orphans", null);
        sweep.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var sweepAt = sweep.Headers.Location!.ToString();
        var sweepDeadline = DateTime.UtcNow + Timeout;
        JsonObject state;
        do
        {
            state = (await scenario.Api.GetFromJsonAsync<JsonObject>(sweepAt))!;
            if (state["state"]!.GetValue<string>() != "Running")
                break;
            await Task.Delay(200);
        }
        while (DateTime.UtcNow < sweepDeadline);
        state["state"]!.GetValue<string>().Should().Be("Succeeded", state.ToJsonString());
        return state["report"]!.AsObject();
    }

    [Fact]
    public async Task A_backup_location_that_is_no_bucket_of_the_account_is_a_400_naming_it_and_nothing_is_stored()
    {
        var scenario = await Scenario.StartAsync(stack, "backup-location");
        var spec = JsonNode.Parse(Scenario.Cluster("elsewhere"))!.AsObject();
        spec["settings"] = JsonNode.Parse("""{"backup":{"enabled":true,"schedule":"0 3 * * *","retentionDays":7,"location":"no-such-bucket-e2e"}}""");
        var response = await scenario.Api.PostAsync("/v1/projects/backup-location/clusters", LocalStackFixture.Json(spec.ToJsonString()));
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, body);
        body.Should().Contain("settings.backup.location").And.Contain("no-such-bucket-e2e");
        (await scenario.Api.GetAsync("/v1/projects/backup-location/clusters/elsewhere")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    private static async Task<List<JsonObject>> ListAsync(HttpClient api)
    {
        var response = await api.GetAsync("/v1/projects/backups/clusters/vault/backups");
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, body);
        return [.. JsonNode.Parse(body)!["items"]!.AsArray().Select(i => i!.AsObject())];
    }

    private async Task<JsonObject> EventAsync(Scenario scenario, string reason)
    {
        var deadline = DateTime.UtcNow + Timeout;
        JsonArray events;
        do
        {
            events = await scenario.EventsAsync("vault");
            if (events.FirstOrDefault(e => e!["reason"]!.GetValue<string>() == reason) is JsonObject found)
                return found;
            if (events.Any(e => e!["reason"]!.GetValue<string>() is "BackupFailed" or "RestoreFailed"))
                throw new InvalidOperationException($"{events.ToJsonString()}\nIAM denials: {string.Join("\n", (stack.Stack.LocalAws.Iam?.Denials ?? []).Select(d => $"{d.Principal} {d.Action} on {d.Resource}: {d.Statement}"))}");
            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"no {reason} event: {events.ToJsonString()}");
    }

    private AmazonS3Client S3() => new(new BasicAWSCredentials("000000000000", "e2e"), new AmazonS3Config
    {
        ServiceURL = stack.Stack.Endpoint.ToString(),
        AuthenticationRegion = "us-east-1",
        ForcePathStyle = true,
    });
}
