using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ExamConsole.Data.History;

/// <summary>
/// A node's figures at one resolution: 1 (one second, kept <c>History:RawRetention</c>) or 60 (a
/// minute's rollup, kept <c>History:RollupRetention</c>). Keyed by the node's name, so that the
/// history outlives the node's row in <c>fleet_nodes</c>. Written and read in SQL (<see cref="HistoryStore"/>).
/// </summary>
public sealed class HistorySampleRow
{
    public required string Node { get; set; }

    public DateTimeOffset At { get; set; }

    public int Resolution { get; set; }

    public double Open { get; set; }

    public double Busy { get; set; }

    public double Idle { get; set; }

    public double Pending { get; set; }

    public double MaxSize { get; set; }

    public double AcquireP99Ms { get; set; }

    public long Requests { get; set; }

    public long Errors { get; set; }

    public long Shed { get; set; }

    public long Timeouts { get; set; }

    public int SpoolDepth { get; set; }

    public int Leaks { get; set; }

    public required string Circuit { get; set; }
}

/// <summary>A route's requests on a node at one resolution: counts per latency bucket from <see cref="FirstBucket"/> on.</summary>
public sealed class HistoryRouteRow
{
    public const int MaxRouteLength = 256;

    public required string Node { get; set; }

    public DateTimeOffset At { get; set; }

    public int Resolution { get; set; }

    public required string Route { get; set; }

    public long Requests { get; set; }

    public long Errors { get; set; }

    public int FirstBucket { get; set; }

    public required long[] Counts { get; set; }
}

internal sealed class HistorySampleConfiguration : IEntityTypeConfiguration<HistorySampleRow>
{
    public void Configure(EntityTypeBuilder<HistorySampleRow> builder)
    {
        builder.ToTable("history_samples", t => t.HasCheckConstraint("ck_history_samples_resolution", "resolution IN (1, 60)"));
        builder.HasKey(s => new { s.Node, s.Resolution, s.At });
        builder.HasIndex(s => new { s.Resolution, s.At });
        builder.Property(s => s.Node).HasMaxLength(Fleet.FleetNodeRow.MaxNameLength);
        builder.Property(s => s.Circuit).HasMaxLength(16);
    }
}

internal sealed class HistoryRouteConfiguration : IEntityTypeConfiguration<HistoryRouteRow>
{
    public void Configure(EntityTypeBuilder<HistoryRouteRow> builder)
    {
        builder.ToTable("history_routes", t => t.HasCheckConstraint("ck_history_routes_resolution", "resolution IN (1, 60)"));
        builder.HasKey(r => new { r.Node, r.Resolution, r.At, r.Route });
        builder.HasIndex(r => new { r.Resolution, r.At });
        builder.Property(r => r.Node).HasMaxLength(Fleet.FleetNodeRow.MaxNameLength);
        builder.Property(r => r.Route).HasMaxLength(HistoryRouteRow.MaxRouteLength);
    }
}
