using System.Text.Json.Serialization;
using PaletteServerless.Domain.CloudAccounts;
using PaletteServerless.Domain.Clusters;
using PaletteServerless.Domain.Profiles;

namespace PaletteServerless.Aws.Storage;

/// <summary>Source-generated JSON for the documents the table stores (no reflection on the Lambda path).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Cluster))]
[JsonSerializable(typeof(CloudAccount))]
[JsonSerializable(typeof(ClusterProfile))]
[JsonSerializable(typeof(ClusterEvent))]
[JsonSerializable(typeof(KubeconfigRecord))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class StoreJsonContext : JsonSerializerContext;
