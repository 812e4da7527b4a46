using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using PaletteServerless.Aws.Cloud.Adapters;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Provisioning;
using PaletteServerless.Local.Aws.Ssm;
using PaletteServerless.Local.Aws.Tests.Core;

namespace PaletteServerless.Local.Aws.Tests.Ssm;

/// <summary>The product's parameter store adapter (<see cref="SsmParameterStore"/>) through the real SDK client on the local Parameter Store.</summary>
public sealed class SsmParameterStoreTests : IAsyncLifetime
{
    private const string Path = "/palette-serverless/acme/0123456789abcdef0123456789abcdef";
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly Dictionary<string, string> Owned = new() { ["palette.serverless/cluster-uid"] = "c1", ["palette.serverless/vpc-id"] = "vpc-1" };
    private LocalAwsHost _host = null!;
    private AmazonSimpleSystemsManagementClient _ssm = null!;
    private SsmParameterStore _store = null!;

    public async Task InitializeAsync()
    {
        _host = await LocalAwsHost.StartAsync();
        _ssm = new(new BasicAWSCredentials("test", "test"), new AmazonSimpleSystemsManagementConfig
        {
            ServiceURL = _host.Url,
            AuthenticationRegion = "us-east-1",
            MaxErrorRetry = 0,
        });
        _store = new SsmParameterStore(_ssm);
    }

    public async Task DisposeAsync()
    {
        _ssm.Dispose();
        await _host.DisposeAsync();
    }

    private SsmParameter Stored(string name) => _host.Aws.Store.Worlds.SelectMany(w => w.Resources).OfType<SsmParameter>().Single(p => p.Name == name);

    private async Task<Dictionary<string, string>> TagsAsync(string name) =>
        (await _ssm.ListTagsForResourceAsync(new ListTagsForResourceRequest { ResourceType = ResourceTypeForTagging.Parameter, ResourceId = name }))
            .TagList.ToDictionary(t => t.Key, t => t.Value);

    [Fact]
    public async Task A_secret_is_created_once_as_a_SecureString_under_the_product_key_with_its_tags()
    {
        (await _store.CreateAsync(new ParameterWrite($"{Path}/ca", ParameterKind.Secret, "first"), Owned, Ct)).Should().BeTrue();
        (await _store.CreateAsync(new ParameterWrite($"{Path}/ca", ParameterKind.Secret, "second"), Owned, Ct)).Should().BeFalse("whoever wrote it first wins");

        var stored = Stored($"{Path}/ca");
        stored.ParameterType.Should().Be("SecureString");
        stored.Current.KeyId.Should().Be(SecretParameters.KmsKeyAlias);
        stored.Tier.Should().Be("Standard");
        stored.Versions.Should().ContainSingle();
        (await TagsAsync($"{Path}/ca")).Should().BeEquivalentTo(Owned);
        (await _store.ReadOneAsync($"{Path}/ca", Ct)).Should().Be("first", "a secret reads decrypted");
        (await _store.ReadAsync([$"{Path}/ca"], Ct)).Should().Equal(new Dictionary<string, string> { [$"{Path}/ca"] = "first" });
    }

    [Fact]
    public async Task A_document_is_created_with_its_tags_then_overwritten_keeping_them_in_the_tier_its_size_needs()
    {
        var name = $"{Path}/desired-state";
        await _store.WriteAsync(new ParameterWrite(name, ParameterKind.Document, "v1", MayOutgrowStandard: true), Owned, Ct);
        var large = new string('x', 5000);
        await _store.WriteAsync(new ParameterWrite(name, ParameterKind.Document, large, MayOutgrowStandard: true), Owned, Ct);

        var stored = Stored(name);
        stored.ParameterType.Should().Be("String");
        stored.Tier.Should().Be("Advanced", "Intelligent-Tiering moves a value over 4 KB to the advanced tier");
        stored.Versions.Should().HaveCount(2);
        (await _store.ReadOneAsync(name, Ct)).Should().Be(large);
        (await TagsAsync(name)).Should().BeEquivalentTo(Owned);

        var refused = await FluentActions.Awaiting(() => _store.WriteAsync(new ParameterWrite($"{Path}/os-patch", ParameterKind.Document, large), Owned, Ct))
            .Should().ThrowAsync<CloudServiceException>();
        refused.Which.Code.Should().Be("ValidationException", "a value that may not outgrow the standard tier stays in it");
        refused.Which.Transient.Should().BeFalse();
    }

    [Fact]
    public async Task Reads_take_any_number_of_names_and_leave_the_missing_out()
    {
        var names = Enumerable.Range(0, 12).Select(i => $"{Path}/p{i:00}").ToList();
        foreach (var name in names)
            await _store.CreateAsync(new ParameterWrite(name, ParameterKind.Secret, "value-" + name[^3..]), Owned, Ct);

        var read = await _store.ReadAsync([.. names, $"{Path}/missing"], Ct);

        read.Should().HaveCount(12);
        read[$"{Path}/p11"].Should().Be("value-p11");
        (await _store.ReadOneAsync($"{Path}/missing", Ct)).Should().BeNull();
    }

    [Fact]
    public async Task A_path_is_listed_at_any_depth_over_every_page_and_deleted_in_calls_of_ten()
    {
        var names = Enumerable.Range(0, 13).Select(i => $"{Path}/p{i:00}").Append($"{Path}/virtual-clusters/team-a").ToList();
        foreach (var name in names)
            await _store.WriteAsync(new ParameterWrite(name, ParameterKind.Document, "v"), Owned, Ct);
        await _store.WriteAsync(new ParameterWrite($"{Path}-other/p", ParameterKind.Document, "v"), Owned, Ct);

        var listed = await _store.ListNamesAsync(Path, Ct);

        listed.Should().BeEquivalentTo(names, "GetParametersByPath answers 10 a page by default");
        await _store.DeleteAsync([.. listed, $"{Path}/never-there"], Ct);
        (await _store.ListNamesAsync(Path, Ct)).Should().BeEmpty();
        (await _store.ListNamesAsync($"{Path}-other", Ct)).Should().ContainSingle();
    }

    [Fact]
    public async Task Tags_are_added_replaced_and_removed_and_a_missing_parameter_is_the_clouds_error()
    {
        var name = $"{Path}/join-token";
        await _store.CreateAsync(new ParameterWrite(name, ParameterKind.Secret, "t"), Owned, Ct);

        await _store.TagAsync(name, new Dictionary<string, string> { ["team"] = "a", ["palette.serverless/vpc-id"] = "vpc-2" }, Ct);
        (await TagsAsync(name)).Should().Contain("team", "a").And.Contain("palette.serverless/vpc-id", "vpc-2");
        await _store.UntagAsync(name, ["team"], Ct);
        (await TagsAsync(name)).Should().NotContainKey("team").And.HaveCount(2);

        var missing = await FluentActions.Awaiting(() => _store.TagAsync($"{Path}/missing", Owned, Ct)).Should().ThrowAsync<CloudServiceException>();
        missing.Which.Code.Should().Be("InvalidResourceId");
        missing.Which.InnerException.Should().BeAssignableTo<AmazonSimpleSystemsManagementException>();
    }
}
