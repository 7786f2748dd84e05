using System.ComponentModel.DataAnnotations;
using StackExchange.Redis;

namespace Plexus.Server.Infrastructure;

/// <summary>
/// The <c>Redis</c> section: set <c>ConnectionString</c> when several replicas serve one database, so that they share
/// live events and route rate limits.
/// </summary>
public sealed class RedisOptions : IValidatableObject
{
    public const string Section = "Redis";

    /// <summary>A StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379</c>; empty: one replica, no Redis.</summary>
    [MaxLength(2048)]
    public string? ConnectionString { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(ConnectionString) && Parse(ConnectionString).Problem is { } problem)
        {
            yield return new ValidationResult($"Redis:ConnectionString is not a Redis configuration string: {problem}", [nameof(ConnectionString)]);
        }
    }

    /// <summary>The parsed configuration string, or what the parser found wrong with it.</summary>
    public static (ConfigurationOptions? Options, string? Problem) Parse(string configuration)
    {
        try
        {
            return (ConfigurationOptions.Parse(configuration), null);
        }
        catch (ArgumentException exception)
        {
            return (null, exception.Message);
        }
    }
}
