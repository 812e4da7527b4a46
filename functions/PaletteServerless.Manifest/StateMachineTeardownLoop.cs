namespace PaletteServerless.Manifest;

/// <summary>
/// Where a workflow's copy of the canonical teardown loop sits: its three states, and where the loop
/// goes when the teardown is done or has given up.
/// </summary>
public sealed record TeardownLoopUse(string DefinitionFile, string Pass, string Check, string Wait, string Done, string GaveUp);

/// <summary>
/// The canonical teardown loop of statemachines/*.asl.json: a teardown pass, a Choice on its result,
/// a Wait as long as the pass asked for, and the pass again. The delete and the rollback of a failed
/// create both run it. ASL has no includes, so each workflow repeats it verbatim under its own state
/// names (<see cref="Uses"/>); a test holds each copy to <see cref="States"/>. A workflow adds only
/// its own Catch and Comment to the pass, and its own Choices after the canonical two (the delete
/// opens force delete from there).
/// </summary>
public static class StateMachineTeardownLoop
{
    public static readonly TeardownLoopUse Delete = new(
        StateMachineCatalog.Delete.DefinitionFile, Pass: "TeardownPass", Check: "TornDown", Wait: "WaitBeforeNextPass", Done: "Deleted", GaveUp: "DeleteStuck");

    public static readonly TeardownLoopUse Rollback = new(
        StateMachineCatalog.Provision.DefinitionFile, Pass: "RollBack", Check: "RolledBack", Wait: "WaitBeforeNextRollBackPass", Done: "MarkFailed", GaveUp: "MarkFailed");

    public static readonly IReadOnlyList<TeardownLoopUse> Uses = [Delete, Rollback];

    /// <summary>The loop's three states as JSON (an object of state name to state), for <paramref name="use"/>'s names.</summary>
    public static string States(TeardownLoopUse use) => $$"""
        {
          "{{use.Pass}}": {
            "Type": "Task",
            "Resource": "${TeardownFunctionArn}",
            "Retry": {{StateMachineRetries.Step}},
            "ResultPath": "$.teardown",
            "Next": "{{use.Check}}"
          },
          "{{use.Check}}": {
            "Type": "Choice",
            "Choices": [
              {
                "Variable": "$.teardown.done",
                "BooleanEquals": true,
                "Next": "{{use.Done}}"
              },
              {
                "Variable": "$.teardown.gaveUp",
                "BooleanEquals": true,
                "Next": "{{use.GaveUp}}"
              }
            ],
            "Default": "{{use.Wait}}"
          },
          "{{use.Wait}}": {
            "Type": "Wait",
            "SecondsPath": "$.teardown.waitSeconds",
            "Next": "{{use.Pass}}"
          }
        }
        """;

    /// <summary>Fields a workflow may add to the pass: how a failed pass ends is the workflow's own.</summary>
    public static readonly IReadOnlyList<string> PassFieldsOfTheWorkflow = ["Catch", "Comment"];
}
