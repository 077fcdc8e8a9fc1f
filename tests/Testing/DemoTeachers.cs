using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace ExamConsole.Testing;

/// <summary>The seeded demo teachers (docs/API.md): T0000001 with pass-0000001, and so on.</summary>
public static class DemoTeachers
{
    /// <summary>Signs demo teacher <paramref name="teacher"/> in at <paramref name="address"/> and counts the exams it is given.</summary>
    public static async Task<int> ExamCountAsync(Uri address, int teacher)
    {
        using var client = await SignInAsync(address, teacher);
        var exams = await client.GetFromJsonAsync<List<ExamBody>>("/api/exams");
        return exams!.Count;
    }

    /// <summary>Signs demo teacher <paramref name="teacher"/> in and asks for the paper of each of its exams: the statuses, in the order of GET /api/exams.</summary>
    public static async Task<List<int>> PaperStatusesAsync(Uri address, int teacher)
    {
        using var client = await SignInAsync(address, teacher);
        var statuses = new List<int>();
        foreach (var exam in (await client.GetFromJsonAsync<List<ExamBody>>("/api/exams"))!)
        {
            using var paper = await client.GetAsync($"/api/exams/{exam.ExamId}/paper");
            statuses.Add((int)paper.StatusCode);
        }
        return statuses;
    }

    private static async Task<HttpClient> SignInAsync(Uri address, int teacher)
    {
        var client = new HttpClient { BaseAddress = address };
        var digits = teacher.ToString("D7", CultureInfo.InvariantCulture);
        using var login = await client.PostAsJsonAsync("/api/auth/login", new { teacherCode = "T" + digits, password = "pass-" + digits });
        if (!login.IsSuccessStatusCode)
        {
            client.Dispose();
            throw new InvalidOperationException($"Teacher T{digits} could not sign in: {(int)login.StatusCode} {await login.Content.ReadAsStringAsync()}");
        }
        var token = (await login.Content.ReadFromJsonAsync<LoginBody>())!.Token;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private sealed record LoginBody(string Token);

    private sealed record ExamBody(int ExamId);
}
