using ExamConsole.Api.Contracts;
using ExamConsole.Api.Exams;

namespace ExamConsole.Api.Submissions;

/// <summary>The rules an answer list must follow, written once for the answer saves and the submits.</summary>
public static class AnswerRules
{
    /// <summary>
    /// Checks every answer (against the paper when there is one) and returns them with each question
    /// once (the last answer to a question wins), or the errors naming each bad field.
    /// </summary>
    public static (List<(int QuestionId, int OptionId)> Answers, Dictionary<string, string[]> Errors) Validate(
        IReadOnlyList<AnswerItem?> items, Paper? paper)
    {
        var errors = new Dictionary<string, string[]>();
        var byQuestion = new Dictionary<int, int>();
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            if (item?.QuestionId is not { } questionId)
            {
                errors[$"answers[{i}].questionId"] = ["A questionId is required."];
                continue;
            }
            if (item.OptionId is not { } optionId)
            {
                errors[$"answers[{i}].optionId"] = ["An optionId is required."];
                continue;
            }
            if (paper is not null && !paper.HasQuestion(questionId))
            {
                errors[$"answers[{i}].questionId"] = [$"Question {questionId} is not on this exam's paper."];
                continue;
            }
            if (paper is not null && !paper.HasOption(questionId, optionId))
            {
                errors[$"answers[{i}].optionId"] = [$"Option {optionId} is not an option of question {questionId}."];
                continue;
            }
            byQuestion[questionId] = optionId;
        }
        return (byQuestion.Select(kv => (kv.Key, kv.Value)).ToList(), errors);
    }
}
