namespace PaletteServerless.Domain;

/// <summary>One page of a list; <see cref="NextCursor"/> is opaque and null on the last page.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);
