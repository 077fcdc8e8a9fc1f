using ExamConsole.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ExamConsole.Data.Configurations;

internal sealed class AdminAccountConfiguration : IEntityTypeConfiguration<AdminAccount>
{
    public void Configure(EntityTypeBuilder<AdminAccount> builder)
    {
        builder.Property(a => a.Username).HasMaxLength(AdminAccount.MaxUsernameLength);
        builder.HasIndex(a => a.Username).IsUnique();
        builder.Property(a => a.PasswordHash).HasMaxLength(200);
        builder.Property(a => a.Role).HasMaxLength(16);
        // Accounts that existed before the stamp get one of their own.
        builder.Property(a => a.SecurityStamp).HasMaxLength(32).HasDefaultValueSql("replace(gen_random_uuid()::text, '-', '')");
        builder.ToTable(t => t.HasCheckConstraint(
            "ck_admin_accounts_role", $"role IN ('{AdminRoles.Operator}', '{AdminRoles.Viewer}')"));
    }
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.Property(a => a.Actor).HasMaxLength(AdminAccount.MaxUsernameLength);
        builder.Property(a => a.Action).HasMaxLength(Admin.AuditLog.MaxActionLength);
        builder.Property(a => a.Before).HasColumnType("jsonb");
        builder.Property(a => a.After).HasColumnType("jsonb");
        // The log is read newest first; the id breaks ties between entries of the same microsecond.
        builder.HasIndex(a => new { a.At, a.Id }).IsDescending().HasDatabaseName("ix_audit_entries_at_desc");
    }
}
