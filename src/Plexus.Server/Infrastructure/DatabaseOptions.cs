using System.ComponentModel.DataAnnotations;

namespace Plexus.Server.Infrastructure;

/// <summary><c>Database__Provider</c> (<c>sqlite</c>, the default, or <c>postgres</c>) and <c>Database__ConnectionString</c>.</summary>
public sealed class DatabaseOptions : IValidatableObject
{
    public const string Section = "Database";

    public string Provider { get; set; } = "sqlite";

    /// <summary>For SQLite defaults to <c>Data Source=./data/plexus.db</c>.</summary>
    public string? ConnectionString { get; set; }

    public bool IsPostgres => string.Equals(Provider, "postgres", StringComparison.OrdinalIgnoreCase);

    public string EffectiveConnectionString => ConnectionString ?? (IsPostgres ? "" : "Data Source=./data/plexus.db");

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsPostgres && !string.Equals(Provider, "sqlite", StringComparison.OrdinalIgnoreCase))
        {
            yield return new ValidationResult($"Database:Provider must be 'sqlite' or 'postgres', not '{Provider}'", [nameof(Provider)]);
        }

        if (IsPostgres && string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return new ValidationResult("Database:ConnectionString is required for PostgreSQL", [nameof(ConnectionString)]);
        }
    }
}
