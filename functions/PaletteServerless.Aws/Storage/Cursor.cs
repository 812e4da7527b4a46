using System.Text;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using PaletteServerless.Domain.Errors;

namespace PaletteServerless.Aws.Storage;

/// <summary>
/// The opaque list cursor: the last sort key read, base64url-encoded. The partition is never in it,
/// so a cursor cannot reach into another project.
/// </summary>
internal static class Cursor
{
    private const int MaxSortKeyBytes = 1024;

    public static string? Encode(Dictionary<string, AttributeValue>? lastEvaluatedKey) =>
        lastEvaluatedKey is { Count: > 0 } && lastEvaluatedKey.TryGetValue(TableSchema.SortKey, out var sk)
            ? Convert.ToBase64String(Encoding.UTF8.GetBytes(sk.S)).TrimEnd('=').Replace('+', '-').Replace('/', '_')
            : null;

    public static Dictionary<string, AttributeValue>? Decode(string? cursor, string partition, string sortKeyPrefix)
    {
        if (string.IsNullOrEmpty(cursor))
            return null;
        string sortKey;
        try
        {
            var base64 = cursor.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
            sortKey = Encoding.UTF8.GetString(Convert.FromBase64String(base64));
        }
        catch (FormatException)
        {
            throw InvalidCursor();
        }
        // DynamoDB refuses a sort key over 1 KiB with a server-side validation error: a forged cursor must be a 400.
        if (!sortKey.StartsWith(sortKeyPrefix, StringComparison.Ordinal) || Encoding.UTF8.GetByteCount(sortKey) > MaxSortKeyBytes)
            throw InvalidCursor();
        return new Dictionary<string, AttributeValue>
        {
            [TableSchema.PartitionKey] = new(partition),
            [TableSchema.SortKey] = new(sortKey),
        };
    }

    private static ValidationFailedException InvalidCursor() =>
        new("cursor", "is not a cursor this list returned; start again without it");
}
