using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ExamConsole.Data.Migrations
{
    /// <inheritdoc />
    public partial class SubmissionAnswerArrays : Migration
    {
        /// <summary>
        /// An attempt's answers as they stand (unchanged meaning, see FullPaperSubmissions): a submitted attempt's
        /// submission, over the answers saved before it to questions the submission does not answer.
        /// </summary>
        private const string ViewOnArrays =
            """
            CREATE VIEW attempt_answers AS
            SELECT s.attempt_id,
                   e.question_id,
                   e.option_id,
                   s.accepted_at AS answered_at,
                   true AS from_submission
            FROM submissions s
            CROSS JOIN LATERAL unnest(s.question_ids, s.option_ids) AS e(question_id, option_id)
            UNION ALL
            SELECT x.attempt_id, x.question_id, x.option_id, x.answered_at, false
            FROM answers x
            WHERE NOT EXISTS (
                SELECT 1 FROM submissions s
                WHERE s.attempt_id = x.attempt_id
                  AND x.question_id = ANY (s.question_ids));
            """;

        private const string ViewOnJsonb =
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
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A submission's answers move from a jsonb of {questionId, optionId} pairs to two int arrays in
            // the order sent: the same record, without the jsonb's parsing and compression on every insert.
            // Rows already there are converted; the view is rebuilt on the arrays.
            migrationBuilder.Sql(
                """
                DROP VIEW attempt_answers;
                ALTER TABLE submissions ADD COLUMN question_ids integer[], ADD COLUMN option_ids integer[];
                UPDATE submissions SET
                    question_ids = ARRAY(SELECT (e.answer->>'questionId')::int FROM jsonb_array_elements(answers) WITH ORDINALITY AS e(answer, n) ORDER BY e.n),
                    option_ids = ARRAY(SELECT (e.answer->>'optionId')::int FROM jsonb_array_elements(answers) WITH ORDINALITY AS e(answer, n) ORDER BY e.n);
                ALTER TABLE submissions
                    ALTER COLUMN question_ids SET NOT NULL,
                    ALTER COLUMN option_ids SET NOT NULL,
                    DROP COLUMN answers,
                    ADD CONSTRAINT ck_submissions_answer_pairs CHECK (cardinality(question_ids) = cardinality(option_ids));
                """);
            migrationBuilder.Sql(ViewOnArrays);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(
                """
                DROP VIEW attempt_answers;
                ALTER TABLE submissions DROP CONSTRAINT ck_submissions_answer_pairs, ADD COLUMN answers jsonb COMPRESSION lz4;
                UPDATE submissions SET answers = COALESCE(
                    (SELECT jsonb_agg(jsonb_build_object('questionId', e.q, 'optionId', e.o) ORDER BY e.n)
                     FROM unnest(question_ids, option_ids) WITH ORDINALITY AS e(q, o, n)),
                    '[]'::jsonb);
                ALTER TABLE submissions ALTER COLUMN answers SET NOT NULL, DROP COLUMN question_ids, DROP COLUMN option_ids;
                """);
            migrationBuilder.Sql(ViewOnJsonb);
        }
    }
}
