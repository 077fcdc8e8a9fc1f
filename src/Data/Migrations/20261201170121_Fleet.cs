using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ExamConsole.Data.Migrations
{
    /// <inheritdoc />
    public partial class Fleet : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "settings_version",
                table: "audit_entries",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "fleet_nodes",
                columns: table => new
                {
                    node_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    url = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: false),
                    version = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_seen_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    stopped_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    settings_version = table.Column<long>(type: "bigint", nullable: false),
                    figures = table.Column<string>(type: "jsonb", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_fleet_nodes", x => x.node_id);
                });

            migrationBuilder.CreateTable(
                name: "fleet_settings",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    version = table.Column<long>(type: "bigint", nullable: false),
                    settings = table.Column<string>(type: "jsonb", nullable: false),
                    changed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    changed_by = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_fleet_settings", x => x.id);
                    table.CheckConstraint("ck_fleet_settings_single_row", "id = 1");
                });

            migrationBuilder.CreateTable(
                name: "fleet_settings_applied",
                columns: table => new
                {
                    version = table.Column<long>(type: "bigint", nullable: false),
                    node_id = table.Column<Guid>(type: "uuid", nullable: false),
                    node_name = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    applied_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_fleet_settings_applied", x => new { x.version, x.node_id });
                });

            migrationBuilder.InsertData(
                table: "fleet_settings",
                columns: new[] { "id", "changed_at", "changed_by", "settings", "version" },
                values: new object[] { 1, new DateTimeOffset(new DateTime(1970, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)), "system", "{}", 0L });

            migrationBuilder.CreateIndex(
                name: "ix_fleet_nodes_name",
                table: "fleet_nodes",
                column: "name",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "fleet_nodes");

            migrationBuilder.DropTable(
                name: "fleet_settings");

            migrationBuilder.DropTable(
                name: "fleet_settings_applied");

            migrationBuilder.DropColumn(
                name: "settings_version",
                table: "audit_entries");
        }
    }
}
