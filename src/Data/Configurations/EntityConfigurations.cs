using ExamConsole.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ExamConsole.Data.Configurations;

internal sealed class TeacherConfiguration : IEntityTypeConfiguration<Teacher>
{
    public void Configure(EntityTypeBuilder<Teacher> builder)
    {
        builder.Property(t => t.Code).HasMaxLength(16);
        builder.HasIndex(t => t.Code).IsUnique();
        builder.Property(t => t.PasswordHash).HasMaxLength(200);
    }
}

internal sealed class ExamConfiguration : IEntityTypeConfiguration<Exam>
{
    public void Configure(EntityTypeBuilder<Exam> builder)
    {
        builder.Property(e => e.Title).HasMaxLength(200);
        builder.ToTable(t => t.HasCheckConstraint("ck_exams_window", "closes_at > opens_at AND duration_minutes > 0"));
    }
}

internal sealed class QuestionConfiguration : IEntityTypeConfiguration<Question>
{
    public void Configure(EntityTypeBuilder<Question> builder)
    {
        builder.HasOne<Exam>().WithMany(e => e.Questions).HasForeignKey(q => q.ExamId);
        builder.HasIndex(q => new { q.ExamId, q.Number }).IsUnique();
    }
}

internal sealed class QuestionOptionConfiguration : IEntityTypeConfiguration<QuestionOption>
{
    public void Configure(EntityTypeBuilder<QuestionOption> builder)
    {
        builder.ToTable("question_options");
        builder.HasOne<Question>().WithMany(q => q.Options).HasForeignKey(o => o.QuestionId);
        builder.HasIndex(o => new { o.QuestionId, o.Position }).IsUnique();
        // At most one correct option per question, enforced by the database.
        builder.HasIndex(o => o.QuestionId).IsUnique().HasFilter("is_correct").HasDatabaseName("ix_question_options_one_correct");
    }
}

internal sealed class ExamAssignmentConfiguration : IEntityTypeConfiguration<ExamAssignment>
{
    public void Configure(EntityTypeBuilder<ExamAssignment> builder)
    {
        builder.HasKey(a => new { a.TeacherId, a.ExamId });
        builder.HasOne<Teacher>().WithMany().HasForeignKey(a => a.TeacherId);
        builder.HasOne<Exam>().WithMany().HasForeignKey(a => a.ExamId);
        builder.HasIndex(a => a.ExamId);
    }
}

internal sealed class AttemptConfiguration : IEntityTypeConfiguration<Attempt>
{
    public void Configure(EntityTypeBuilder<Attempt> builder)
    {
        builder.HasOne<Teacher>().WithMany().HasForeignKey(a => a.TeacherId);
        builder.HasOne<Exam>().WithMany().HasForeignKey(a => a.ExamId);
        // One attempt per teacher and exam: what makes "start attempt" idempotent.
        builder.HasIndex(a => new { a.TeacherId, a.ExamId }).IsUnique();
    }
}

internal sealed class AnswerConfiguration : IEntityTypeConfiguration<Answer>
{
    public void Configure(EntityTypeBuilder<Answer> builder)
    {
        builder.HasKey(a => new { a.AttemptId, a.QuestionId });
        builder.HasOne<Attempt>().WithMany().HasForeignKey(a => a.AttemptId);
        builder.HasOne<Question>().WithMany().HasForeignKey(a => a.QuestionId);
        builder.HasOne<QuestionOption>().WithMany().HasForeignKey(a => a.OptionId);
        // No index behind the question and option keys: see UnindexedForeignKeys.
    }
}

internal sealed class SubmissionConfiguration : IEntityTypeConfiguration<Submission>
{
    public void Configure(EntityTypeBuilder<Submission> builder)
    {
        builder.HasIndex(s => s.SubmissionId).IsUnique();
        // One submission per attempt: a second submissionId for the same attempt is a conflict.
        builder.HasIndex(s => s.AttemptId).IsUnique();
        builder.HasIndex(s => s.ReceiptId).IsUnique();
        builder.HasOne<Attempt>().WithMany().HasForeignKey(s => s.AttemptId);
        // Two int arrays, not a jsonb of {questionId, optionId} pairs: PostgreSQL took 0.5 ms of CPU per
        // full paper to parse and compress the jsonb, against 0.01 ms for the arrays, which Npgsql sends
        // in binary (BENCHMARKS.md, issue 15). A full paper's pair is 848 bytes, stored uncompressed.
        builder.ToTable(t => t.HasCheckConstraint("ck_submissions_answer_pairs", "cardinality(question_ids) = cardinality(option_ids)"));
    }
}

internal sealed class DemoDataSetConfiguration : IEntityTypeConfiguration<DemoDataSet>
{
    public void Configure(EntityTypeBuilder<DemoDataSet> builder)
    {
        builder.ToTable("demo_data", t => t.HasCheckConstraint("ck_demo_data_singleton", $"id = {DemoDataSet.SingletonId}"));
        builder.Property(d => d.Id).ValueGeneratedNever();
        builder.Property(d => d.How).HasMaxLength(16);
    }
}
