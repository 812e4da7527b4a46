using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PaletteServerless.Local.Aws.Core;

namespace PaletteServerless.Local.Aws.ServiceQuotas;

/// <summary>
/// Service Quotas (AWS JSON 1.1, target prefix <c>ServiceQuotasV20190624</c>): GetServiceQuota for the
/// quotas the local AWS enforces, today EC2's Running On-Demand Standard instances vCPU quota
/// (L-1216C47A), whose value is <see cref="LocalAwsOptions.OnDemandVcpuQuota"/>, the same number
/// RunInstances enforces. Any other quota is NoSuchResourceException, as AWS answers an unknown code.
/// </summary>
public sealed partial class ServiceQuotasService : ILocalAwsService
{
    private const string ContentType = "application/x-amz-json-1.1";
    public const string OnDemandStandardVcpus = "L-1216C47A";

    public string ServiceName => "servicequotas";
    public AwsProtocol Protocol => AwsProtocol.Json;
    public string RouteKey => "ServiceQuotasV20190624";
    public AwsErrorStyle ErrorStyle => AwsErrorStyle.Json;
    public string? XmlNamespace => null;
    public string ThrottlingErrorCode => "TooManyRequestsException";

    public Task<LocalAwsResponse> HandleAsync(AwsCall call, CancellationToken cancellationToken)
    {
        var response = call.Operation switch
        {
            "GetServiceQuota" => GetServiceQuota(call, JsonBody.Parse(call)),
            _ => throw new AwsErrorException("UnknownOperationException", $"The operation {call.Operation} is not supported by the local Service Quotas."),
        };
        return Task.FromResult(LocalAwsResponse.Json(200, ContentType, Encoding.UTF8.GetBytes(response.ToJsonString()), call.RequestId));
    }

    private static JsonObject GetServiceQuota(AwsCall call, JsonObject request)
    {
        // The model's patterns and lengths (ServiceCode: 1-63, QuotaCode: 1-128).
        var service = Required(request, "ServiceCode", ServiceCodePattern(), 63);
        var quota = Required(request, "QuotaCode", QuotaCodePattern(), 128);
        if (service != "ec2" || quota != OnDemandStandardVcpus)
            throw new AwsErrorException("NoSuchResourceException", $"The request failed because the specified service or quota does not exist: {service}/{quota}.");
        return new JsonObject
        {
            ["Quota"] = new JsonObject
            {
                ["ServiceCode"] = "ec2",
                ["ServiceName"] = "Amazon Elastic Compute Cloud (Amazon EC2)",
                ["QuotaArn"] = $"arn:aws:servicequotas:{call.Region}:{call.Account}:ec2/{OnDemandStandardVcpus}",
                ["QuotaCode"] = OnDemandStandardVcpus,
                ["QuotaName"] = "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances",
                ["Value"] = (double)call.Aws.Options.OnDemandVcpuQuota,
                ["Unit"] = "None",
                ["Adjustable"] = true,
                ["GlobalQuota"] = false,
                ["QuotaAppliedAtLevel"] = "ACCOUNT",
            },
        };
    }

    private static string Required(JsonObject request, string name, Regex pattern, int maxLength)
    {
        var value = JsonBody.Text(request, name);
        if (string.IsNullOrEmpty(value))
            throw new AwsErrorException("IllegalArgumentException", $"{name} is required.");
        if (value.Length > maxLength || !pattern.IsMatch(value))
            throw new AwsErrorException("IllegalArgumentException", $"{name} '{value}' does not match {pattern} (at most {maxLength} characters).");
        return value;
    }

    [GeneratedRegex("^[a-zA-Z][a-zA-Z0-9-]{1,63}$")]
    private static partial Regex ServiceCodePattern();

    [GeneratedRegex("^[a-zA-Z][a-zA-Z0-9-]{1,128}$")]
    private static partial Regex QuotaCodePattern();
}
