using Newtonsoft.Json.Linq;
using PaletteServerless.Local.Aws.Iam;
using PaletteServerless.Local.StepFunctions.Language;
using PaletteServerless.Local.StepFunctions.Resources;

namespace PaletteServerless.Local.Iam;

/// <summary>
/// Step Functions invokes a Task's Lambda function as the state machine's execution role: with the
/// local IAM on, that role must allow lambda:InvokeFunction on the function (what CDK grants each
/// state machine for the functions its definition names), else the Task fails with
/// Lambda.AWSLambdaException, as Step Functions reports a refused invoke.
/// </summary>
public sealed class InvokeAuthorization(ITaskResource functions, Func<LocalIam?> iam) : ITaskResource
{
    public bool Handles(string resource) => functions.Handles(resource);

    public async Task<JToken> InvokeAsync(TaskRequest request, CancellationToken ct)
    {
        if (iam() is { Enabled: true } localIam && request.RoleArn is { } roleArn && localIam.Role(roleArn) is { } role)
        {
            var function = request.Resource == LambdaRegistry.InvokeIntegration ? (string?)request.Parameters["FunctionName"] : request.Resource;
            var principal = await localIam.SessionOfAsync(role, "states", ct);
            var arn = function is not null && function.StartsWith("arn:", StringComparison.Ordinal)
                ? function : $"arn:aws:lambda:{request.Region}:{request.AccountId}:function:{function}";
            if (await localIam.AuthorizeAsync(principal, [AuthorizationCheck.Of("lambda:InvokeFunction", arn)], ct) is { } denial)
                throw new StatesException("Lambda.AWSLambdaException", $"{denial.Message} (Service: AWSLambda; Status Code: 403; Error Code: AccessDeniedException)");
        }
        return await functions.InvokeAsync(request, ct);
    }
}
