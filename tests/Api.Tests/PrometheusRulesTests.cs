using System.Diagnostics;
using System.Text.RegularExpressions;
using ExamConsole.Testing;

namespace ExamConsole.Api.Tests;

/// <summary>
/// The alerting rules shipped in deploy/prometheus are valid for Prometheus (its own promtool, from
/// Debian's prometheus package, which ./test.sh installs) and name only metrics a node serves on /metrics.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed partial class PrometheusRulesTests(ApiFixture fixture)
{
    /// <summary>Series Prometheus makes itself, not the node: <c>up</c> is 0 when a scrape fails.</summary>
    private static readonly HashSet<string> PrometheusOwn = ["up"];

    /// <summary>PromQL's keywords and aggregation operators (written before their <c>by</c> clause), and the labels grouped on.</summary>
    private static readonly HashSet<string> PromQlWords =
    [
        "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset",
        "sum", "avg", "min", "max", "count", "group", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values",
        "le", "instance", "job",
    ];

    private static string RulesFile => Path.Combine(TestPostgres.RepositoryRoot(), "deploy", "prometheus", "alerts.yml");

    [Fact]
    public async Task AlertRules_CheckedByPromtool_AreValid()
    {
        var start = new ProcessStartInfo("promtool") { ArgumentList = { "check", "rules", RulesFile }, RedirectStandardOutput = true, RedirectStandardError = true };
        using var promtool = Process.Start(start) ?? throw new InvalidOperationException("promtool did not start: install Debian's prometheus package (./test.sh does).");
        var output = await promtool.StandardOutput.ReadToEndAsync() + await promtool.StandardError.ReadToEndAsync();
        await promtool.WaitForExitAsync();

        Assert.True(promtool.ExitCode == 0, $"promtool check rules failed:\n{output}");
        Assert.Contains("SUCCESS: 6 rules found", output);
    }

    [Fact]
    public async Task AlertRules_EveryMetricTheyName_IsServedOnMetrics()
    {
        var named = MetricNames(await File.ReadAllTextAsync(RulesFile));
        await using var host = new ExamHostFactory(fixture.ConnectionString);
        using var client = host.CreateClient();
        var served = (await client.GetStringAsync("/metrics"))
            .Split('\n')
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => MetricName().Match(line).Value)
            .ToHashSet(StringComparer.Ordinal);

        Assert.NotEmpty(named);
        var missing = named.Where(name => !PrometheusOwn.Contains(name) && !served.Contains(name)).ToList();
        Assert.True(missing.Count == 0, $"Alert rules name metrics /metrics does not serve: {string.Join(", ", missing)}");
    }

    /// <summary>The metric names in the rules' expressions (not functions, labels or keywords).</summary>
    private static HashSet<string> MetricNames(string rules)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match expr in Expression().Matches(rules))
        {
            var text = LabelMatchers().Replace(expr.Groups[1].Value, "");
            foreach (Match word in Identifier().Matches(text))
            {
                var name = word.Value;
                var isCall = text.AsSpan(word.Index + name.Length).TrimStart().StartsWith("(");
                if (!isCall && !PromQlWords.Contains(name))
                {
                    names.Add(name);
                }
            }
        }
        return names;
    }

    [GeneratedRegex(@"^\s*expr:\s*(.+)$", RegexOptions.Multiline)]
    private static partial Regex Expression();

    [GeneratedRegex(@"\{[^}]*\}|\[[^\]]*\]|""[^""]*""")]
    private static partial Regex LabelMatchers();

    [GeneratedRegex(@"(?<![\w.])[a-zA-Z_][a-zA-Z0-9_]*")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex MetricName();
}
