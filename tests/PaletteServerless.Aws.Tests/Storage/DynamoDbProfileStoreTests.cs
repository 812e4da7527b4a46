using PaletteServerless.Aws.Storage;
using PaletteServerless.Domain.Errors;
using PaletteServerless.Domain.Identity;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Domain.Profiles;
using PaletteServerless.Testing;

namespace PaletteServerless.Aws.Tests.Storage;

/// <summary>Profile versions on the table: one record each, listed in version order, deleted one at a time.</summary>
public class DynamoDbProfileStoreTests(StoreFixture table) : IClassFixture<StoreFixture>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly ProjectScope _scope = new("t" + Guid.NewGuid().ToString("N")[..10], "web");
    private IProfileStore Profiles => new DynamoDbStore(table.Dynamo, StoreFixture.TableName, TimeProvider.System);

    [Fact]
    public async Task Versions_of_one_name_are_records_of_their_own_in_version_order_and_a_repeated_version_is_a_conflict()
    {
        var profile = new ClusterProfile { Name = "ubuntu-k8s", Version = "1.0.0", Packs = [new Pack { Layer = "os", Name = "ubuntu", Version = "22.04" }] };
        await Profiles.CreateAsync(_scope, profile, None);
        await Profiles.CreateAsync(_scope, profile with { Version = "1.10.0" }, None);
        await Profiles.CreateAsync(_scope, profile with { Version = "1.9.0" }, None);
        // A name that begins like another is not one of its versions.
        await Profiles.CreateAsync(_scope, profile with { Name = "ubuntu-k8s-2" }, None);
        await FluentActions.Awaiting(() => Profiles.CreateAsync(_scope, profile with { Version = "1.9.0" }, None))
            .Should().ThrowAsync<ConflictException>().WithMessage("*already has version 1.9.0*");

        (await Profiles.VersionsAsync(_scope, "ubuntu-k8s", None)).Select(p => p.Version).Should().Equal("1.0.0", "1.9.0", "1.10.0");
        (await Profiles.GetAsync(_scope, "ubuntu-k8s", "1.9.0", None))!.Version.Should().Be("1.9.0");
        (await Profiles.GetAsync(_scope, "ubuntu-k8s", "2.0.0", None)).Should().BeNull();
        (await Profiles.ListAsync(_scope, null, 10, None)).Items.Should().HaveCount(4);

        (await Profiles.DeleteAsync(_scope, "ubuntu-k8s", "1.9.0", None)).Should().BeTrue();
        (await Profiles.DeleteAsync(_scope, "ubuntu-k8s", "1.9.0", None)).Should().BeFalse();
        (await Profiles.VersionsAsync(_scope, "ubuntu-k8s", None)).Select(p => p.Version).Should().Equal("1.0.0", "1.10.0");
    }
}
