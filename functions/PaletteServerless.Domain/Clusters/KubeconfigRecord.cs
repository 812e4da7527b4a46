namespace PaletteServerless.Domain.Clusters;

/// <summary>One client certificate issued for a cluster: what it says, when it stops working, and who asked for it.</summary>
public sealed record KubeconfigRecord
{
    /// <summary>The certificate's CN, the Kubernetes user name: <c>palette:user:</c> and the JWT subject.</summary>
    public required string Subject { get; init; }
    /// <summary>The certificate's O, the Kubernetes group of the holder's role (palette:cluster-admins, palette:editors, palette:viewers).</summary>
    public required string Group { get; init; }
    /// <summary>Hex, as <c>openssl x509 -serial</c> prints it.</summary>
    public required string SerialNumber { get; init; }
    public required DateTimeOffset IssuedAt { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
    /// <summary>The JWT subject of the caller it was issued to (a kubeconfig is only ever issued to its caller).</summary>
    public required string IssuedBy { get; init; }
}
