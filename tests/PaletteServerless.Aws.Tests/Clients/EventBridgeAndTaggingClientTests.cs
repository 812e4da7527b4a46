using PaletteServerless.Aws.Clients;

namespace PaletteServerless.Aws.Tests.Clients;

public class EventBridgeAndTaggingClientTests
{
    [Fact]
    public async Task PutEvents_sends_json_1_1_and_returns_the_event_ids()
    {
        await using var server = new LoopbackAwsServer();
        server.Enqueue(new CannedResponse(200, """{"FailedEntryCount":0,"Entries":[{"EventId":"e-1"}]}""", "application/x-amz-json-1.1"));
        using var client = new EventBridgeClient(TestCredentials.For(server));

        var response = await client.PutEventsAsync([new PutEventsRequestEntry
        {
            Source = "palette.clusters",
            DetailType = "ClusterStatusChanged",
            Detail = """{"status":"Running"}""",
            Time = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000),
        }]);

        response.Entries.Should().ContainSingle().Which.EventId.Should().Be("e-1");
        var request = server.Requests.Single();
        request.Header("X-Amz-Target").Should().Be("AWSEvents.PutEvents");
        request.Header("Content-Type").Should().Be("application/x-amz-json-1.1");
        request.BodyText.Should().Be("""{"Entries":[{"Source":"palette.clusters","DetailType":"ClusterStatusChanged","Detail":"{\u0022status\u0022:\u0022Running\u0022}","Time":1700000000}]}""");
        SigV4Verifier.ParseAuthorization(request).Groups["service"].Value.Should().Be("events");
        SigV4Verifier.ParseAuthorization(request).Groups["signature"].Value.Should().Be(SigV4Verifier.ExpectedSignature(request, TestCredentials.SecretKey));
    }

    [Fact]
    public async Task PutEvents_reports_refused_entries_instead_of_dropping_them()
    {
        await using var server = new LoopbackAwsServer();
        server.Enqueue(new CannedResponse(200, """
            {"FailedEntryCount":1,"Entries":[{"EventId":"e-1"},{"ErrorCode":"InternalFailure","ErrorMessage":"try again"}]}
            """));
        using var client = new EventBridgeClient(TestCredentials.For(server));
        var entry = new PutEventsRequestEntry { Source = "s", DetailType = "d", Detail = "{}" };

        var act = () => client.PutEventsAsync([entry, entry]);

        var error = (await act.Should().ThrowAsync<PutEventsFailedException>()).Which;
        error.FailedEntries.Should().ContainSingle().Which.Index.Should().Be(1);
        error.Message.Should().Contain("InternalFailure");
    }

    [Fact]
    public async Task EventBridge_error_carries_its_code()
    {
        await using var server = new LoopbackAwsServer();
        server.Enqueue(new CannedResponse(400, """{"__type":"ResourceNotFoundException","message":"Rule r does not exist."}"""));
        using var client = new EventBridgeClient(TestCredentials.For(server));

        var act = () => client.ListTargetsByRuleAsync("r");

        (await act.Should().ThrowAsync<AwsServiceException>()).Which.ErrorCode.Should().Be("ResourceNotFoundException");
        server.Requests.Single().BodyText.Should().Be("""{"Rule":"r"}""");
    }

    [Fact]
    public async Task GetAllResources_follows_the_pagination_token_with_the_same_filters()
    {
        await using var server = new LoopbackAwsServer();
        server.Enqueue(new CannedResponse(200, """
            {"PaginationToken":"p2","ResourceTagMappingList":[{"ResourceARN":"arn:aws:ec2:us-east-1:123456789012:vpc/vpc-1","Tags":[{"Key":"kubernetes.io/cluster/c1","Value":"owned"}]}]}
            """));
        server.Enqueue(new CannedResponse(200, """
            {"PaginationToken":"","ResourceTagMappingList":[{"ResourceARN":"arn:aws:ec2:us-east-1:123456789012:subnet/subnet-1","Tags":[]}]}
            """));
        using var client = new TaggingClient(TestCredentials.For(server));

        var resources = await client.GetAllResourcesAsync(new GetResourcesRequest
        {
            TagFilters = [new TagFilter("kubernetes.io/cluster/c1", ["owned"]), new TagFilter("Name")],
            ResourceTypeFilters = ["ec2:vpc", "ec2:subnet"],
        });

        resources.Select(r => r.ResourceArn).Should().Equal(
            "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-1", "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-1");
        var bodies = server.Requests.Select(r => r.BodyText).ToList();
        bodies[0].Should().Be("""{"TagFilters":[{"Key":"kubernetes.io/cluster/c1","Values":["owned"]},{"Key":"Name"}],"ResourceTypeFilters":["ec2:vpc","ec2:subnet"]}""");
        bodies[1].Should().EndWith(""","PaginationToken":"p2"}""");
        server.Requests.Should().AllSatisfy(r =>
        {
            r.Header("X-Amz-Target").Should().Be("ResourceGroupsTaggingAPI_20170126.GetResources");
            SigV4Verifier.ParseAuthorization(r).Groups["service"].Value.Should().Be("tagging");
        });
    }
}
