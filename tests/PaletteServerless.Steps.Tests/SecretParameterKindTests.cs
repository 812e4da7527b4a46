using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using PaletteServerless.Aws.Cloud.Kinds;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Provisioning;
using static PaletteServerless.Steps.Tests.TestCluster;

namespace PaletteServerless.Steps.Tests;

/// <summary>The cluster's secrets as SSM parameters: created once, never overwritten, recorded first, removed by path.</summary>
public sealed class SecretParameterKindTests
{
    private readonly FakeCloud _cloud = new();
    private readonly InMemoryInventory _inventory = new();
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly ClusterSecrets Generated = ClusterSecrets.Generate("demo", DateTimeOffset.UnixEpoch);
    private const string Path = "/palette-serverless/acme/" + Uid;

    [Fact]
    public async Task Ensure_creates_each_missing_parameter_as_a_SecureString_under_the_product_key_tagged_with_the_vpc_and_records_it_first()
    {
        var stored = new Dictionary<string, string>();
        _cloud.Ssm.GetParametersAsync(Arg.Any<GetParametersRequest>(), Arg.Any<CancellationToken>())
            .Returns(_ => new GetParametersResponse { Parameters = [.. stored.Select(p => new Parameter { Name = p.Key, Value = p.Value })] });
        _cloud.Ssm.PutParameterAsync(Arg.Any<PutParameterRequest>(), Arg.Any<CancellationToken>()).Returns(call =>
        {
            var request = call.Arg<PutParameterRequest>();
            _inventory.Items.Should().Contain(i => i.Id == request.Name, "the parameter is recorded before it is created");
            stored[request.Name] = request.Value;
            return new PutParameterResponse { Version = 1 };
        });

        var secrets = await new SecretParameterKind(await ResourcesAsync(_cloud, _inventory)).EnsureAsync(() => Generated, "vpc-1", Ct);

        secrets.BootstrapToken.Should().Be(Generated.BootstrapToken);
        secrets.CaCertHash.Should().Be(Generated.CaCertHash);
        secrets.CaPrivateKeyPem.Trim().Should().Be(Generated.CaPrivateKeyPem.Trim());
        stored.Keys.Should().BeEquivalentTo([$"{Path}/ca", $"{Path}/certificate-key", $"{Path}/join-token"]);
        await _cloud.Ssm.Received(3).PutParameterAsync(Arg.Is<PutParameterRequest>(r =>
            r.Type == ParameterType.SecureString && r.KeyId == SecretParameters.KmsKeyAlias && r.Overwrite == false
            && r.Tags.Any(t => t.Key == SecretParameters.VpcTag && t.Value == "vpc-1")
            && r.Tags.Any(t => t.Key == OwnershipTags.ClusterUid && t.Value == Uid)), Arg.Any<CancellationToken>());
        _inventory.Items.Where(i => i.Kind == ResourceKinds.SecretParameter).Should().HaveCount(3);
    }

    [Fact]
    public async Task Ensure_keeps_what_is_stored_and_adopts_a_parameter_another_run_created_first()
    {
        var first = SecretParameters.ValuesOf(ClusterSecrets.Generate("demo", DateTimeOffset.UnixEpoch));
        var reads = 0;
        _cloud.Ssm.GetParametersAsync(Arg.Any<GetParametersRequest>(), Arg.Any<CancellationToken>()).Returns(_ => ++reads == 1
            ? new GetParametersResponse { Parameters = [.. first.Where(p => p.Key != SecretParameters.JoinToken).Select(p => new Parameter { Name = $"{Path}/{p.Key}", Value = p.Value })] }
            : new GetParametersResponse { Parameters = [.. first.Select(p => new Parameter { Name = $"{Path}/{p.Key}", Value = p.Value })] });
        _cloud.Ssm.PutParameterAsync(Arg.Any<PutParameterRequest>(), Arg.Any<CancellationToken>())
            .ThrowsAsync(new ParameterAlreadyExistsException("The parameter already exists."));

        var secrets = await new SecretParameterKind(await ResourcesAsync(_cloud, _inventory)).EnsureAsync(() => Generated, "vpc-1", Ct);

        secrets.BootstrapToken.Should().Be(first[SecretParameters.JoinToken], "the stored token wins over the one this run generated");
        secrets.CertificateKey.Should().Be(first[SecretParameters.CertificateKey]);
        await _cloud.Ssm.Received(1).PutParameterAsync(Arg.Is<PutParameterRequest>(r => r.Name == $"{Path}/join-token"), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Delete_removes_every_parameter_under_the_path_recorded_or_not_and_forgets_them()
    {
        _inventory.Add(ResourceKinds.SecretParameter, $"{Path}/ca", "ca");
        _cloud.Ssm.GetParametersByPathAsync(Arg.Any<GetParametersByPathRequest>(), Arg.Any<CancellationToken>())
            .Returns(new GetParametersByPathResponse { Parameters = [new Parameter { Name = $"{Path}/ca" }, new Parameter { Name = $"{Path}/join-token" }] });
        _cloud.Ssm.DeleteParametersAsync(Arg.Any<DeleteParametersRequest>(), Arg.Any<CancellationToken>()).Returns(new DeleteParametersResponse());
        var pass = new DeletePass();

        var done = await new SecretParameterKind(await ResourcesAsync(_cloud, _inventory)).DeleteAsync(pass, Ct);

        done.Should().BeTrue();
        _inventory.Items.Should().BeEmpty();
        await _cloud.Ssm.Received(1).DeleteParametersAsync(Arg.Is<DeleteParametersRequest>(r => r.Names.Count == 2), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_parameter_that_cannot_be_deleted_stays_recorded_so_force_delete_reports_it()
    {
        _cloud.Ssm.GetParametersByPathAsync(Arg.Any<GetParametersByPathRequest>(), Arg.Any<CancellationToken>())
            .Returns(new GetParametersByPathResponse { Parameters = [new Parameter { Name = $"{Path}/ca" }] });
        _cloud.Ssm.DeleteParametersAsync(Arg.Any<DeleteParametersRequest>(), Arg.Any<CancellationToken>())
            .ThrowsAsync(new AmazonSimpleSystemsManagementException("User is not authorized to perform: ssm:DeleteParameters") { ErrorCode = "AccessDeniedException" });
        var pass = new DeletePass();

        var done = await new SecretParameterKind(await ResourcesAsync(_cloud, _inventory)).DeleteAsync(pass, Ct);

        done.Should().BeFalse();
        _inventory.Items.Should().ContainSingle(i => i.Id == $"{Path}/ca" && i.Kind == ResourceKinds.SecretParameter);
        pass.Errors.Should().ContainSingle(e => e.Contains("AccessDeniedException"));
    }
}
