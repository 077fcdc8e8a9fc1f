using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ExamConsole.Data.Fleet;

internal sealed class FleetNodeConfiguration : IEntityTypeConfiguration<FleetNodeRow>
{
    public void Configure(EntityTypeBuilder<FleetNodeRow> builder)
    {
        builder.ToTable("fleet_nodes");
        builder.HasKey(n => n.NodeId);
        builder.Property(n => n.Name).HasMaxLength(FleetNodeRow.MaxNameLength);
        builder.HasIndex(n => n.Name).IsUnique();
        builder.Property(n => n.Url).HasMaxLength(FleetNodeRow.MaxUrlLength);
        builder.Property(n => n.Version).HasMaxLength(FleetNodeRow.MaxVersionLength);
        builder.Property(n => n.Figures).HasColumnType("jsonb");
    }
}

internal sealed class FleetSettingsConfiguration : IEntityTypeConfiguration<FleetSettingsRow>
{
    public void Configure(EntityTypeBuilder<FleetSettingsRow> builder)
    {
        builder.ToTable("fleet_settings", t => t.HasCheckConstraint("ck_fleet_settings_single_row", $"id = {FleetSettingsRow.SingletonId}"));
        builder.Property(s => s.Id).ValueGeneratedNever();
        builder.Property(s => s.Settings).HasColumnType("jsonb");
        builder.Property(s => s.ChangedBy).HasMaxLength(Entities.AdminAccount.MaxUsernameLength);
        // Version 0: nothing set, every node runs with its own configuration.
        builder.HasData(new FleetSettingsRow
        {
            Id = FleetSettingsRow.SingletonId,
            Version = 0,
            Settings = "{}",
            ChangedAt = DateTimeOffset.UnixEpoch,
            ChangedBy = "system",
        });
    }
}

internal sealed class FleetSettingsAppliedConfiguration : IEntityTypeConfiguration<FleetSettingsApplied>
{
    public void Configure(EntityTypeBuilder<FleetSettingsApplied> builder)
    {
        builder.ToTable("fleet_settings_applied");
        builder.HasKey(a => new { a.Version, a.NodeId });
        // The node's name is kept with the acknowledgement: the audit log outlives a forgotten node's row.
        builder.Property(a => a.NodeName).HasMaxLength(FleetNodeRow.MaxNameLength);
    }
}
