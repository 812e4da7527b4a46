namespace PaletteServerless.Domain.Validation;

/// <summary>One broken rule: <paramref name="Field"/> is the JSON path of the value, e.g. nodePools[1].taints[0].effect.</summary>
public sealed record ValidationError(string Field, string Message);
