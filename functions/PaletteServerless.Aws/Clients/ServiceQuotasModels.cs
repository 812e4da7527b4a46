using System.Text.Json.Serialization;

namespace PaletteServerless.Aws.Clients;

public sealed record GetServiceQuotaRequest(string ServiceCode, string QuotaCode);

/// <summary>The members of the model's ServiceQuota the product reads.</summary>
public sealed record ServiceQuota(string? ServiceCode, string? QuotaCode, string? QuotaName, double? Value, string? Unit);

public sealed record GetServiceQuotaResponse(ServiceQuota? Quota);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GetServiceQuotaRequest))]
[JsonSerializable(typeof(GetServiceQuotaResponse))]
public sealed partial class ServiceQuotasJsonContext : JsonSerializerContext;
