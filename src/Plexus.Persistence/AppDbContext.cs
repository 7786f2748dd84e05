using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Plexus.Persistence.Model;

namespace Plexus.Persistence;

/// <summary>
/// The model of DESIGN §2, shared by both providers. <see cref="SqliteAppDbContext"/> and
/// <see cref="PostgresAppDbContext"/> each carry their own migration set. No repository layer: this is the unit of work.
/// </summary>
public abstract class AppDbContext(DbContextOptions options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<User> Users => Set<User>();
    public DbSet<Organization> Organizations => Set<Organization>();
    public DbSet<Membership> Memberships => Set<Membership>();
    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<SigningKey> SigningKeys => Set<SigningKey>();
    public DbSet<Project> Projects => Set<Project>();
    public DbSet<Stage> Stages => Set<Stage>();
    public DbSet<Workflow> Workflows => Set<Workflow>();
    public DbSet<WorkflowVersion> WorkflowVersions => Set<WorkflowVersion>();
    public DbSet<Publication> Publications => Set<Publication>();
    public DbSet<Secret> Secrets => Set<Secret>();
    public DbSet<EnvVariable> EnvVariables => Set<EnvVariable>();
    public DbSet<ExecutionRow> Executions => Set<ExecutionRow>();
    public DbSet<NodeRunRow> NodeRuns => Set<NodeRunRow>();
    public DbSet<QueuedRunRow> QueuedRuns => Set<QueuedRunRow>();
    public DbSet<OutboxMessageRow> OutboxMessages => Set<OutboxMessageRow>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<User>(e =>
        {
            e.HasIndex(u => u.Email).IsUnique();
            e.Property(u => u.Email).HasMaxLength(320);
            e.Property(u => u.Name).HasMaxLength(200);
        });
        modelBuilder.Entity<Organization>(e => e.Property(o => o.Name).HasMaxLength(200));
        modelBuilder.Entity<Membership>(e =>
        {
            e.HasIndex(m => new { m.OrganizationId, m.UserId }).IsUnique();
            e.HasIndex(m => m.UserId);
            e.Property(m => m.Role).HasMaxLength(16);
        });
        modelBuilder.Entity<RefreshToken>(e =>
        {
            e.HasIndex(t => t.TokenHash).IsUnique();
            e.HasIndex(t => t.FamilyId);
        });
        modelBuilder.Entity<ApiKey>(e =>
        {
            e.HasIndex(k => k.Prefix).IsUnique();
            e.HasIndex(k => k.OrganizationId);
        });
        modelBuilder.Entity<AuditEntry>(e => e.HasIndex(a => new { a.OrganizationId, a.At }));
        modelBuilder.Entity<Project>(e =>
        {
            e.HasIndex(p => p.Slug).IsUnique();
            e.HasIndex(p => p.OrganizationId);
            e.Property(p => p.Slug).HasMaxLength(63);
        });
        modelBuilder.Entity<Stage>(e => e.HasIndex(s => new { s.ProjectId, s.Name }).IsUnique());
        modelBuilder.Entity<Workflow>(e =>
        {
            e.HasIndex(w => new { w.ProjectId, w.Name }).IsUnique();
            e.HasIndex(w => w.OrganizationId);
        });
        modelBuilder.Entity<WorkflowVersion>(e => e.HasIndex(v => new { v.WorkflowId, v.Number }).IsUnique());
        modelBuilder.Entity<Publication>(e =>
        {
            e.HasIndex(p => new { p.WorkflowId, p.StageId }).IsUnique();
            e.HasIndex(p => p.StageId);
        });
        modelBuilder.Entity<Secret>(e => e.HasIndex(s => new { s.StageId, s.Name }).IsUnique());
        modelBuilder.Entity<EnvVariable>(e => e.HasIndex(v => new { v.StageId, v.Name }).IsUnique());
        modelBuilder.Entity<ExecutionRow>(e =>
        {
            e.ToTable("Executions");
            e.HasIndex(x => new { x.OrganizationId, x.StartedAt, x.Id });
            e.HasIndex(x => new { x.WorkflowId, x.StartedAt });
        });
        modelBuilder.Entity<NodeRunRow>(e =>
        {
            e.ToTable("NodeRuns");
            e.HasIndex(n => new { n.ExecutionId, n.Sequence });
            // Only waits have a token: indexing the others' nulls would cost an index write per node run for nothing.
            e.HasIndex(n => n.ResumeTokenHash).HasFilter("\"ResumeTokenHash\" IS NOT NULL");
        });
        modelBuilder.Entity<QueuedRunRow>(e =>
        {
            e.ToTable("QueuedRuns");
            e.Property(q => q.Id).ValueGeneratedNever();
            e.Property(q => q.Kind).HasMaxLength(16);
            e.Property(q => q.LeaseOwner).HasMaxLength(64);
            // Claims read waiting items in due order, and expired leases.
            e.HasIndex(q => q.AvailableAt);
            e.HasIndex(q => q.LeaseExpiresAt);
        });
        modelBuilder.Entity<OutboxMessageRow>(e =>
        {
            e.ToTable("OutboxMessages");
            e.Property(m => m.Topic).HasMaxLength(64);
        });
    }
}
