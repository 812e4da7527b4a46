using Amazon.S3;
using Amazon.S3.Model;

namespace PaletteServerless.Aws.Cloud;

/// <summary>The "directories" one level under a prefix of a bucket (ListObjectsV2 with a delimiter, every page).</summary>
public static class S3Folders
{
    /// <summary>The folder names under <paramref name="prefix"/> (which ends with '/'); empty when the bucket is gone.</summary>
    public static async Task<IReadOnlyList<string>> ListAsync(IAmazonS3 s3, string bucket, string prefix, CancellationToken ct)
    {
        var names = new List<string>();
        string? token = null;
        try
        {
            do
            {
                var page = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = prefix, Delimiter = "/", ContinuationToken = token }, ct);
                names.AddRange((page.CommonPrefixes ?? []).Select(p => p[prefix.Length..].TrimEnd('/')));
                token = page.IsTruncated == true ? page.NextContinuationToken : null;
            }
            while (token is not null);
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchBucket")
        {
            return [];
        }
        return names;
    }
}
