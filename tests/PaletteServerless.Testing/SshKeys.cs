using System.Text;

namespace PaletteServerless.Testing;

/// <summary>OpenSSH public key blobs (RFC 4253 wire encoding) for key pair imports.</summary>
public static class SshKeys
{
    /// <summary>An ED25519 public key blob: the string "ssh-ed25519" and the 32-byte key, each length-prefixed big-endian.</summary>
    public static byte[] Ed25519Blob(byte[] key)
    {
        using var blob = new MemoryStream();
        foreach (var part in new[] { Encoding.ASCII.GetBytes("ssh-ed25519"), key })
        {
            var length = BitConverter.GetBytes(part.Length);
            if (BitConverter.IsLittleEndian)
                Array.Reverse(length);
            blob.Write(length);
            blob.Write(part);
        }
        return blob.ToArray();
    }
}
