using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ExamConsole.Data.Migrations
{
    /// <inheritdoc />
    public partial class History : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "history_routes",
                columns: table => new
                {
                    node = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    resolution = table.Column<int>(type: "integer", nullable: false),
                    route = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    requests = table.Column<long>(type: "bigint", nullable: false),
                    errors = table.Column<long>(type: "bigint", nullable: false),
                    first_bucket = table.Column<int>(type: "integer", nullable: false),
                    counts = table.Column<long[]>(type: "bigint[]", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_history_routes", x => new { x.node, x.resolution, x.at, x.route });
                    table.CheckConstraint("ck_history_routes_resolution", "resolution IN (1, 60)");
                });

            migrationBuilder.CreateTable(
                name: "history_samples",
                columns: table => new
                {
                    node = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    resolution = table.Column<int>(type: "integer", nullable: false),
                    open = table.Column<double>(type: "double precision", nullable: false),
                    busy = table.Column<double>(type: "double precision", nullable: false),
                    idle = table.Column<double>(type: "double precision", nullable: false),
                    pending = table.Column<double>(type: "double precision", nullable: false),
                    max_size = table.Column<double>(type: "double precision", nullable: false),
                    acquire_p99ms = table.Column<double>(type: "double precision", nullable: false),
                    requests = table.Column<long>(type: "bigint", nullable: false),
                    errors = table.Column<long>(type: "bigint", nullable: false),
                    shed = table.Column<long>(type: "bigint", nullable: false),
                    timeouts = table.Column<long>(type: "bigint", nullable: false),
                    spool_depth = table.Column<int>(type: "integer", nullable: false),
                    leaks = table.Column<int>(type: "integer", nullable: false),
                    circuit = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_history_samples", x => new { x.node, x.resolution, x.at });
                    table.CheckConstraint("ck_history_samples_resolution", "resolution IN (1, 60)");
                });

            migrationBuilder.CreateIndex(
                name: "ix_history_routes_resolution_at",
                table: "history_routes",
                columns: new[] { "resolution", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_history_samples_resolution_at",
                table: "history_samples",
                columns: new[] { "resolution", "at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "history_routes");

            migrationBuilder.DropTable(
                name: "history_samples");
        }
    }
}
