namespace PaletteServerless.Domain.Provisioning;

// The workflow matches these by their short type names (ErrorEquals), exactly as the Lambda
// runtime reports them: keep the names stable, they are part of the state machine definitions.

/// <summary>A check before anything is created failed; every reason is listed. Nothing was created.</summary>
public sealed class PreflightFailedException(IReadOnlyList<string> reasons)
    : Exception("preflight failed: " + string.Join("; ", reasons))
{
    public IReadOnlyList<string> Reasons { get; } = reasons;
}

/// <summary>The cloud refused or broke in a way retrying will not fix (quota, capacity, a failed NAT gateway); the workflow rolls back.</summary>
public sealed class ProvisioningFailedException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Throttling, a server error or a not-yet-consistent id: the workflow retries the step with backoff.</summary>
public sealed class TransientCloudException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The cluster is no longer in a state this workflow may change (for example, a delete started); the workflow stops.</summary>
public sealed class ClusterStateChangedException(string message) : Exception(message);
