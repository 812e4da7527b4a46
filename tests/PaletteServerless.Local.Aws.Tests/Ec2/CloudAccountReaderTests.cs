using Amazon.EC2.Model;
using Amazon.SecurityToken.Model;
using PaletteServerless.Aws.Clients;
using PaletteServerless.Aws.Cloud;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Errors;

namespace PaletteServerless.Local.Aws.Tests.Ec2;

/// <summary>
/// The product's reader of a cloud account over the real EC2 client and the local AWS, with pages of
/// five: every list is complete, and a refusal by AWS is a <see cref="CloudAccessDeniedException"/>.
/// </summary>
public sealed class CloudAccountReaderTests : Ec2TestBase
{
    private static readonly PaletteServerless.Domain.Identity.ProjectScope Scope = new("acme", "demo");

    private static readonly CloudAccount Account = new() { Name = "main" };

    private CloudAccountReader Reader(int pageSize = 5) => new(new LocalSessions(() => Host.Ec2(), pageSize));

    [Fact]
    public async Task Instance_types_of_a_zone_and_subnets_of_a_vpc_are_complete_across_pages()
    {
        var offered = new List<string>();
        await foreach (var offering in Ec2.Paginators.DescribeInstanceTypeOfferings(new DescribeInstanceTypeOfferingsRequest
        {
            LocationType = Amazon.EC2.LocationType.AvailabilityZone,
            Filters = [new Filter("location", ["us-east-1a"])],
        }).InstanceTypeOfferings)
            offered.Add(offering.InstanceType.Value);
        var vpcId = await CreateVpcAsync();
        var subnets = new List<string>();
        for (var i = 0; i < 12; i++)
            subnets.Add(await CreateSubnetAsync(vpcId, $"10.0.{i}.0/24"));

        var types = await Reader().InstanceTypesAsync(Scope, Account, "us-east-1", "us-east-1a", CancellationToken.None);
        var listed = await Reader().SubnetsAsync(Scope, Account, "us-east-1", vpcId, CancellationToken.None);

        offered.Should().HaveCountGreaterThan(5, "more than one page of five");
        types.Select(t => t.InstanceType).Should().BeEquivalentTo(offered);
        types.Single(t => t.InstanceType == "m6g.large").Should().Be(new CloudInstanceType("m6g.large", 2, 8192, "arm64", null));
        listed!.Select(s => s.SubnetId).Should().BeEquivalentTo(subnets);
        (await Reader().SubnetsAsync(Scope, Account, "us-east-1", "vpc-0123456789abcdef0", CancellationToken.None)).Should().BeNull("a VPC that does not exist");
    }

    [Fact]
    public async Task A_zone_the_region_does_not_have_is_a_validation_error_naming_zone()
    {
        var refused = await FluentActions.Awaiting(() => Reader().InstanceTypesAsync(Scope, Account, "us-east-1", "us-east-1z", CancellationToken.None))
            .Should().ThrowAsync<ValidationFailedException>();
        refused.Which.Errors.Single().Field.Should().Be("zone");
    }

    [Fact]
    public async Task A_role_that_cannot_be_assumed_is_access_denied_naming_the_account_and_role()
    {
        var account = new CloudAccount { Name = "other", RoleArn = "arn:aws:iam::111122223333:role/palette-serverless/PaletteServerlessClusterBuilder", ExternalId = "wrong" };
        var reader = new CloudAccountReader(new LocalSessions(() => throw new Amazon.SecurityToken.AmazonSecurityTokenServiceException("not authorized to perform sts:AssumeRole")
        {
            ErrorCode = "AccessDenied",
        }));

        var refused = await FluentActions.Awaiting(() => reader.VpcsAsync(Scope, account, "us-east-1", CancellationToken.None))
            .Should().ThrowAsync<CloudAccessDeniedException>();
        refused.Which.Message.Should().Contain("cloud account 'other'").And.Contain(account.RoleArn).And.Contain("AccessDenied");
    }

    /// <summary>Sessions whose EC2 client is the local AWS's, and their catalog the adapter over it asking pages of <paramref name="pageSize"/>; the reader uses nothing else of a session.</summary>
    internal sealed class LocalSessions(Func<Amazon.EC2.IAmazonEC2> ec2, int pageSize = 1000) : ICloudSessionOpener
    {
        public Task<ICloudSession> OpenAsync(CloudAccount account, string region, SessionScope scope, CancellationToken ct) =>
            Task.FromResult<ICloudSession>(new Session(ec2(), region, pageSize));

        public ICloudSession OpenOwn(string region) => throw new InvalidOperationException("the reader acts only through a cloud account's role");

        private sealed class Session(Amazon.EC2.IAmazonEC2 ec2, string region, int pageSize) : ICloudSession
        {
            public string Region => region;
            public Amazon.EC2.IAmazonEC2 Ec2 => ec2;
            public IElbv2Client LoadBalancing => throw Unused();
            public ITaggingClient Tagging => throw Unused();
            public IServiceQuotasClient ServiceQuotas => throw Unused();
            public PaletteServerless.Domain.Ports.IParameterStore Parameters => throw Unused();
            public PaletteServerless.Domain.Ports.IClusterNetworkCloud Network => throw Unused();
            public PaletteServerless.Domain.Ports.IComputeCatalog Catalog { get; } = new PaletteServerless.Aws.Cloud.Adapters.Ec2ComputeCatalog(ec2, null, pageSize);
            public PaletteServerless.Domain.Ports.ILoadBalancers LoadBalancers => throw Unused();
            public PaletteServerless.Domain.Ports.ITaggedResources TaggedResources => throw Unused();
            public IIamClient Iam => throw Unused();
            public PaletteServerless.Domain.Ports.IBackupBuckets Buckets => throw Unused();
            public PaletteServerless.Domain.Ports.INodeFleet Nodes { get; } = new PaletteServerless.Aws.Cloud.Adapters.Ec2NodeFleet(ec2);

            public Task<string> AccountIdAsync(CancellationToken ct) => throw Unused();

            public void Dispose() => ec2.Dispose();

            private static InvalidOperationException Unused() => new("the cloud account reader reads EC2 only");
        }
    }
}
