using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ExamConsole.Data.Migrations
{
    /// <inheritdoc />
    public partial class FullPaperSubmissions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A submission's answers are recorded once, in its row's jsonb, no longer copied into answers.
            // An attempt's answers as they stand: a submitted attempt's submission, over the answers saved
            // before it to questions the submission does not answer; an attempt in progress, its saved answers.
            // The attempt's status and grading read this view.
            migrationBuilder.Sql(
                """
                CREATE VIEW attempt_answers AS
                SELECT s.attempt_id,
                       (e.answer->>'questionId')::int AS question_id,
                       (e.answer->>'optionId')::int AS option_id,
                       s.accepted_at AS answered_at,
                       true AS from_submission
                FROM submissions s
                CROSS JOIN LATERAL jsonb_array_elements(s.answers) AS e(answer)
                UNION ALL
                SELECT x.attempt_id, x.question_id, x.option_id, x.answered_at, false
                FROM answers x
                WHERE NOT EXISTS (
                    SELECT 1 FROM submissions s
                    WHERE s.attempt_id = x.attempt_id
                      AND s.answers @> jsonb_build_array(jsonb_build_object('questionId', x.question_id)));
                """);

            migrationBuilder.DropIndex(
                name: "ix_answers_option_id",
                table: "answers");

            migrationBuilder.DropIndex(
                name: "ix_answers_question_id",
                table: "answers");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Submissions recorded since Up keep their answers in their jsonb only: copy them back first.
            migrationBuilder.Sql(
                """
                INSERT INTO answers (attempt_id, question_id, option_id, answered_at)
                SELECT attempt_id, question_id, option_id, answered_at FROM attempt_answers WHERE from_submission
                ON CONFLICT (attempt_id, question_id) DO UPDATE SET option_id = excluded.option_id, answered_at = excluded.answered_at;
                DROP VIEW attempt_answers;
                """);

            migrationBuilder.CreateIndex(
                name: "ix_answers_option_id",
                table: "answers",
                column: "option_id");

            migrationBuilder.CreateIndex(
                name: "ix_answers_question_id",
                table: "answers",
                column: "question_id");
        }
    }
}
