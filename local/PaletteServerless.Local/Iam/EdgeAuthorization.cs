using System.Text.Json.Nodes;
using PaletteServerless.Local.Aws.Core;
using PaletteServerless.Local.Aws.Iam;

namespace PaletteServerless.Local.Iam;

/// <summary>
/// IAM for the two services the edge answers outside the local AWS: DynamoDB (dynalite) and Step
/// Functions (the local engine). Each request maps to its checks as the Service Authorization
/// Reference lists them ("Amazon DynamoDB": item and query actions on the table or index ARN, a
/// transaction's or batch's actions on each table it names; "AWS Step Functions": executions'
/// actions on the execution ARN, starts and lists on the state machine); a refusal is
/// AccessDeniedException in JSON, as both services answer.
/// </summary>
public sealed class EdgeAuthorization(LocalAws localAws)
{
    /// <summary>The refusal to answer, or null when the caller may make the call.</summary>
    public async Task<LocalAwsResponse?> RefuseAsync(LocalAwsRequest request, CancellationToken ct)
    {
        if (localAws.Iam is not { Enabled: true } iam || SigV4Credential.From(request) is not { } credential
            || await iam.FindAsync(credential.AccessKeyId, request.Header("X-Amz-Security-Token"), localAws.Clock.GetUtcNow(), ct) is not { } principal)
            return null;
        var target = request.Header("X-Amz-Target") ?? "";
        var operation = target[(target.IndexOf('.') + 1)..];
        var body = JsonNode.Parse(request.Body.Length == 0 ? "{}"u8 : request.Body) as JsonObject ?? [];
        var region = credential.Region;
        var checks = target.StartsWith("DynamoDB_20120810.", StringComparison.Ordinal)
            ? DynamoDbChecks(operation, body, region, principal.Account)
            : StepFunctionsChecks(operation, body, region, principal.Account);
        var denial = checks is null
            ? iam.Deny(principal.Name, principal.SessionArn, target, "*", $"the local IAM does not know how {target} is authorized, so it allows it to no principal", isExplicit: false)
            : await iam.AuthorizeAsync(principal, checks, ct);
        if (denial is null)
            return null;
        // Both services speak JSON 1.0.
        return AwsErrors.Json(new AwsErrorException("AccessDeniedException", denial.Message, 400), Guid.NewGuid().ToString(), "application/x-amz-json-1.0");
    }

    private static List<AuthorizationCheck>? DynamoDbChecks(string operation, JsonObject body, string region, string account)
    {
        string Table(string name) => $"arn:aws:dynamodb:{region}:{account}:table/{name}";
        switch (operation)
        {
            case "GetItem" or "PutItem" or "UpdateItem" or "DeleteItem" or "DescribeTable" or "CreateTable" or "DeleteTable"
                or "UpdateTable" or "DescribeTimeToLive" or "UpdateTimeToLive":
                return [AuthorizationCheck.Of("dynamodb:" + operation, Table((string)body["TableName"]!))];
            case "Query" or "Scan":
                var resource = Table((string)body["TableName"]!) + (body["IndexName"] is { } index ? $"/index/{(string)index!}" : "");
                return [AuthorizationCheck.Of("dynamodb:" + operation, resource)];
            case "TransactWriteItems" or "TransactGetItems":
                return [.. (body["TransactItems"] as JsonArray ?? []).OfType<JsonObject>()
                    .SelectMany(item => item.Select(kind => (Kind: kind.Key, Table: (string?)kind.Value?["TableName"])))
                    .Where(i => i.Table is not null)
                    .Select(i => AuthorizationCheck.Of("dynamodb:" + (i.Kind == "Get" ? "GetItem" : i.Kind + "Item"), Table(i.Table!)))
                    .DistinctBy(c => (c.Action, c.Resource))];
            case "BatchGetItem" or "BatchWriteItem":
                return [.. (body["RequestItems"] as JsonObject ?? []).Select(t => AuthorizationCheck.Of("dynamodb:" + operation, Table(t.Key)))];
            case "ListTables":
                return [AuthorizationCheck.Of("dynamodb:ListTables", "*")];
            default:
                return null;
        }
    }

    private static List<AuthorizationCheck>? StepFunctionsChecks(string operation, JsonObject body, string region, string account)
    {
        string? Text(string name) => (string?)body[name];
        return operation switch
        {
            "StartExecution" or "StartSyncExecution" or "ListExecutions" or "DescribeStateMachine" or "DeleteStateMachine" or "UpdateStateMachine"
                => [AuthorizationCheck.Of("states:" + operation, Text("stateMachineArn") ?? "*")],
            "CreateStateMachine" => [AuthorizationCheck.Of("states:CreateStateMachine", $"arn:aws:states:{region}:{account}:stateMachine:{Text("name")}")],
            "DescribeExecution" or "StopExecution" or "GetExecutionHistory" or "DescribeStateMachineForExecution"
                => [AuthorizationCheck.Of("states:" + operation, Text("executionArn") ?? "*")],
            "ListStateMachines" or "SendTaskSuccess" or "SendTaskFailure" or "SendTaskHeartbeat"
                => [AuthorizationCheck.Of("states:" + operation, "*")],
            _ => null,
        };
    }
}
