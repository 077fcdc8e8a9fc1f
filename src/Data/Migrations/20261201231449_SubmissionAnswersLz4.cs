using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ExamConsole.Data.Migrations
{
    /// <inheritdoc />
    public partial class SubmissionAnswersLz4 : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A full paper's jsonb is compressed on every insert; lz4 costs a fraction of pglz's CPU
            // (BENCHMARKS.md, issue 15). Rows already written keep pglz until rewritten. Written as SQL:
            // the provider's AlterColumn scripts this statement without its terminating semicolon.
            migrationBuilder.Sql("ALTER TABLE submissions ALTER COLUMN answers SET COMPRESSION lz4;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE submissions ALTER COLUMN answers SET COMPRESSION DEFAULT;");
        }
    }
}
