using System.Security.Cryptography;
using System.Text;

namespace PaletteServerless.Local.Aws.Ssm;

/// <summary>
/// How the local SSM keeps SecureString values: encrypted with AES-GCM under a key derived from
/// the account, region and KMS key id, so the store (and its snapshot on disk) never holds the
/// plain value, and a read without decryption returns a base64 ciphertext blob as AWS does.
/// There is no local KMS: the key id is checked for its form only.
/// </summary>
public static class SsmEncryption
{
    /// <summary>The AWS managed key Parameter Store uses when a SecureString names none.</summary>
    public const string DefaultKeyId = "alias/aws/ssm";

    private const byte FormatVersion = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public static string Encrypt(string account, string region, string keyId, string value)
    {
        var plain = Encoding.UTF8.GetBytes(value);
        var blob = new byte[1 + NonceSize + TagSize + plain.Length];
        blob[0] = FormatVersion;
        var nonce = blob.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(Key(account, region, keyId), TagSize);
        aes.Encrypt(nonce, plain, blob.AsSpan(1 + NonceSize + TagSize), blob.AsSpan(1 + NonceSize, TagSize));
        return Convert.ToBase64String(blob);
    }

    public static string Decrypt(string account, string region, string keyId, string ciphertext)
    {
        var blob = Convert.FromBase64String(ciphertext);
        var plain = new byte[blob.Length - 1 - NonceSize - TagSize];
        using var aes = new AesGcm(Key(account, region, keyId), TagSize);
        aes.Decrypt(blob.AsSpan(1, NonceSize), blob.AsSpan(1 + NonceSize + TagSize), blob.AsSpan(1 + NonceSize, TagSize), plain);
        return Encoding.UTF8.GetString(plain);
    }

    private static byte[] Key(string account, string region, string keyId) =>
        SHA256.HashData(Encoding.UTF8.GetBytes($"palette-local-kms\n{account}\n{region}\n{keyId}"));
}
