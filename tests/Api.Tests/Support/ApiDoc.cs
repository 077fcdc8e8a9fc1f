using System.Text.RegularExpressions;
using ExamConsole.Testing;

namespace ExamConsole.Api.Tests.Support;

/// <summary>One row of docs/API.md: a route, who may call it, and the section that lists it.</summary>
internal sealed record DocumentedRoute(string Method, string Path, string Auth, string Section, int Line)
{
    public const string PlannedSection = "Planned (not served yet)";

    public const string TeacherSection = "Teacher endpoints";

    public bool IsPlanned => Section == PlannedSection;

    public bool IsApi => Path.StartsWith("/api/", StringComparison.Ordinal);

    public bool NeedsToken => Auth != ApiDoc.NoAuth;

    public string Key => $"{Method} {Path}";
}

/// <summary>
/// Reads the route tables of docs/API.md: every table whose header starts with "method and path"
/// has one route per row, `METHOD /path` in backticks in the first cell and the auth in the second.
/// A row that does not have that shape is an error, not a row to skip, so a typo cannot hide a route.
/// </summary>
internal static partial class ApiDoc
{
    public const string NoAuth = "none";

    public static readonly IReadOnlySet<string> AuthValues = new HashSet<string> { NoAuth, "teacher", "viewer", "operator" };

    public static string FilePath => Path.Combine(TestPostgres.RepositoryRoot(), "docs", "API.md");

    public static IReadOnlyList<DocumentedRoute> Routes() => Parse(File.ReadAllLines(FilePath));

    public static IReadOnlyList<DocumentedRoute> Parse(IReadOnlyList<string> lines)
    {
        var routes = new List<DocumentedRoute>();
        var section = "";
        var inRouteTable = false;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i].Trim();
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                section = line[3..].Trim();
                continue;
            }
            if (!line.StartsWith('|'))
            {
                inRouteTable = false;
                continue;
            }
            var cells = line.Trim('|').Split('|').Select(c => c.Trim()).ToArray();
            if (!inRouteTable)
            {
                inRouteTable = cells[0] == "method and path";
                continue;
            }
            if (cells[0].StartsWith("---", StringComparison.Ordinal))
            {
                continue;
            }
            var match = RouteCell().Match(cells[0]);
            if (!match.Success)
            {
                throw new FormatException($"docs/API.md line {i + 1}: the first cell must be one `METHOD /path`, found {cells[0]}.");
            }
            var auth = cells.Length > 1 ? cells[1] : "";
            if (!AuthValues.Contains(auth))
            {
                throw new FormatException($"docs/API.md line {i + 1}: auth must be one of {string.Join(", ", AuthValues)}, found '{auth}'.");
            }
            routes.Add(new DocumentedRoute(match.Groups["method"].Value, match.Groups["path"].Value, auth, section, i + 1));
        }
        return routes;
    }

    [GeneratedRegex(@"^`(?<method>GET|POST|PUT|DELETE|PATCH) (?<path>/[^\s`?]*)(\?[^\s`]*)?`$")]
    private static partial Regex RouteCell();
}
