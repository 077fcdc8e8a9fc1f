using System.Globalization;
using Microsoft.Extensions.Options;

namespace ExamConsole.Data;

/// <summary>
/// Collects what is wrong with one options section, every message naming the key and what it
/// accepts ("Submit:Committers must be between 1 and 64 (got 0)."), so that a validator reads as
/// its list of rules and every section words its refusals alike.
/// </summary>
public sealed class OptionsCheck(string section)
{
    private readonly List<string> _failures = [];

    public IReadOnlyList<string> Failures => _failures;

    public ValidateOptionsResult Result => _failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_failures);

    /// <summary>Requires min &lt;= value &lt;= max; <paramref name="orElse"/> names what else is accepted, e.g. "empty for no limit".</summary>
    public OptionsCheck Between<T>(string key, T value, T min, T max, string? orElse = null)
        where T : IComparable<T>, IFormattable
    {
        if (value.CompareTo(min) < 0 || value.CompareTo(max) > 0)
        {
            var alternative = orElse is null ? "" : ", or " + orElse;
            Fail(key, $"must be between {Show(min)} and {Show(max)}{alternative}", Show(value));
        }
        return this;
    }

    /// <summary>
    /// Between, in whole seconds: for values taken in seconds downstream (Npgsql, the Retry-After
    /// header), where a fraction would be rounded without a word.
    /// </summary>
    public OptionsCheck WholeSecondsBetween(string key, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max || value.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            Fail(key, $"must be a whole number of seconds between {Show(min)} and {Show(max)}", Show(value));
        }
        return this;
    }

    /// <summary>A rule of its own: <paramref name="accepted"/> says what the key accepts ("must ...") and <paramref name="got"/> what it holds.</summary>
    public OptionsCheck Require(bool satisfied, string key, string accepted, string got)
    {
        if (!satisfied)
        {
            Fail(key, accepted, got);
        }
        return this;
    }

    /// <summary>How a string value is shown in a message: quoted, so that an empty one is seen.</summary>
    public static string Quote(string? value) => value is null ? "nothing" : $"\"{value}\"";

    private void Fail(string key, string accepted, string got) => _failures.Add($"{section}:{key} {accepted} (got {got}).");

    /// <summary>A time span as configuration writes it, without trailing zeros: 00:00:00.01, 7.00:00:00.</summary>
    public static string Show(TimeSpan value)
    {
        var text = value.ToString("c", CultureInfo.InvariantCulture);
        // A fraction is there only when it is not zero, so trimming never reaches its dot.
        return text.LastIndexOf('.') > text.LastIndexOf(':') ? text.TrimEnd('0') : text;
    }

    private static string Show<T>(T value) where T : IFormattable =>
        value is TimeSpan span ? Show(span) : value.ToString(null, CultureInfo.InvariantCulture);
}
