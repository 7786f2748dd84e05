namespace Plexus.Server.Infrastructure;

/// <summary>The shape of every list: <c>{ items, next }</c>, <c>next</c> being the cursor of the following page or null.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Next);
