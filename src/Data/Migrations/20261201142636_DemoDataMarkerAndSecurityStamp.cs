using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ExamConsole.Data.Migrations
{
    /// <inheritdoc />
    public partial class DemoDataMarkerAndSecurityStamp : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "security_stamp",
                table: "admin_accounts",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValueSql: "replace(gen_random_uuid()::text, '-', '')");

            migrationBuilder.CreateTable(
                name: "demo_data",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    teachers = table.Column<int>(type: "integer", nullable: false),
                    exams = table.Column<int>(type: "integer", nullable: false),
                    assignments = table.Column<int>(type: "integer", nullable: false),
                    completed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    how = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_demo_data", x => x.id);
                    table.CheckConstraint("ck_demo_data_singleton", "id = 1");
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "demo_data");

            migrationBuilder.DropColumn(
                name: "security_stamp",
                table: "admin_accounts");
        }
    }
}
