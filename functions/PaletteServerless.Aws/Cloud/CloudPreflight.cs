using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Ports;
using PaletteServerless.Manifest;

namespace PaletteServerless.Aws.Cloud;

/// <summary>Preflight for a dry run: the same checks the workflow's first step makes, in the cluster's account and region.</summary>
public sealed class CloudPreflight(ICloudSessionOpener sessions) : IPreflight
{
    public async Task<IReadOnlyList<string>> CheckAsync(Cluster cluster, CloudAccount account, CancellationToken ct)
    {
        ICloudSession cloud;
        try
        {
            cloud = await sessions.OpenAsync(account, cluster.Definition.Cloud.Region, SessionScope.OfProject(FunctionCatalog.Api.Name, cluster.Scope, "palette-dry-run"), ct);
        }
        catch (Exception ex) when (CloudErrors.Code(ex) is { } code)
        {
            return [$"cloudAccount: the role of cloud account '{account.Name}' cannot be assumed: {code}: {ex.Message}"];
        }
        using (cloud)
            return await new Preflight(cluster, cloud).RunAsync(ct);
    }
}
