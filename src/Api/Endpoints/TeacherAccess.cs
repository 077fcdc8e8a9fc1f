using System.Security.Claims;
using ExamConsole.Api.Auth;
using ExamConsole.Api.Contracts;
using ExamConsole.Api.Exams;
using ExamConsole.Api.Infrastructure;
using ExamConsole.Data.Stores;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ExamConsole.Api.Endpoints;

/// <summary>The authorization and answer checks shared by the exam and attempt endpoints.</summary>
internal static class TeacherAccess
{
    public static TeacherIdentity Teacher(ClaimsPrincipal user) =>
        TeacherIdentity.From(user) ?? throw new InvalidOperationException("The teacher policy let through a principal without a teacher id.");

    /// <summary>404 for an unknown exam, 403 when it is not the teacher's or not open now; null when the teacher may work on it.</summary>
    public static ProblemHttpResult? CheckExam(ExamSummary? exam, int examId, TeacherIdentity teacher, ExamCatalog catalog)
    {
        if (exam is null)
        {
            return Problems.NotFound($"There is no exam {examId}.");
        }
        if (!teacher.ExamIds.Contains(examId))
        {
            return Problems.Forbidden("This exam is not assigned to you.");
        }
        if (!catalog.IsOpen(exam))
        {
            return Problems.Forbidden($"This exam is open from {exam.OpensAt:u} to {exam.ClosesAt:u} only.");
        }
        return null;
    }

    /// <summary>404 for an unknown attempt, 403 for another teacher's; null when it is the teacher's own.</summary>
    public static ProblemHttpResult? CheckAttempt(AttemptRow? attempt, long attemptId, TeacherIdentity teacher)
    {
        if (attempt is null)
        {
            return Problems.NotFound($"There is no attempt {attemptId}.");
        }
        return attempt.TeacherId != teacher.TeacherId ? Problems.Forbidden("This attempt is not yours.") : null;
    }
}
