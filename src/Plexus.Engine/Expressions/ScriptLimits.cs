namespace Plexus.Engine.Expressions;

/// <summary>
/// Hard limits a script runs under. Expressions get small defaults; <c>code.js</c> gets larger ones so
/// that a <c>.map</c> over 100k items works. Hitting one fails the node with "&lt;kind&gt; limit exceeded".
/// </summary>
public sealed record ScriptLimits
{
    public required TimeSpan Timeout { get; init; }
    public required long MemoryBytes { get; init; }
    public required int MaxStatements { get; init; }
    public required int MaxRecursion { get; init; }
    public required TimeSpan RegexTimeout { get; init; }
    public required int MaxStringLength { get; init; }
    public required int MaxArrayLength { get; init; }

    public static ScriptLimits ExpressionDefaults { get; } = new()
    {
        Timeout = TimeSpan.FromSeconds(1),
        MemoryBytes = 16L * 1024 * 1024,
        MaxStatements = 100_000,
        MaxRecursion = 64,
        RegexTimeout = TimeSpan.FromMilliseconds(200),
        MaxStringLength = 1_000_000,
        MaxArrayLength = 100_000,
    };

    public static ScriptLimits CodeDefaults { get; } = new()
    {
        Timeout = TimeSpan.FromSeconds(5),
        MemoryBytes = 256L * 1024 * 1024,
        MaxStatements = 10_000_000,
        MaxRecursion = 256,
        RegexTimeout = TimeSpan.FromSeconds(1),
        MaxStringLength = 16_000_000,
        MaxArrayLength = 10_000_000,
    };
}
