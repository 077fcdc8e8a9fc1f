namespace ExamConsole.ExamDay.Ceilings;

/// <summary>
/// One ceilings run: the paper endpoint against a bare Kestrel endpoint returning the same bytes,
/// and the submit path against pgbench running one transaction per submission of the same shape,
/// on the same machine minutes apart at most, so the figures read as ratios.
/// </summary>
public sealed record CeilingOptions
{
    public required Uri BaseUrl { get; init; }

    /// <summary>The host's PostgreSQL (pgbench runs against it, on the same tables).</summary>
    public required string Database { get; init; }

    /// <summary>Connections (HTTP) and clients (pgbench) of every closed loop.</summary>
    public int Connections { get; init; } = 64;

    /// <summary>How long each paper phase (bare or real) runs.</summary>
    public TimeSpan PaperDuration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Submissions in each submit phase (HTTP or pgbench): a fixed amount of work, timed.</summary>
    public int Submissions { get; init; } = 4_096;

    /// <summary>Each phase runs this many times, alternating, so that a burst of the machine's other work hits both sides.</summary>
    public int Rounds { get; init; } = 2;

    /// <summary>Answers in each submission (the same for HTTP and pgbench): a full paper by default.</summary>
    public int Answers { get; init; } = 100;

    /// <summary>How long each answer-save phase (5 and 100 answers per save) runs.</summary>
    public TimeSpan SaveDuration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The first demo teacher whose exams (slots 1 to 9; slot 0 is left to exam-day runs) get
    /// attempts for the submit phases. A run uses about Submissions x Rounds x 2 / 9 teachers; a
    /// second run skips the attempts an earlier one started (answered 200, not 201) and walks on.
    /// </summary>
    public int FirstTeacher { get; init; } = 1;

    /// <summary>The pgbench binary; null looks in /usr/lib/postgresql/*/bin, then on PATH.</summary>
    public string? PgBench { get; init; }

    /// <summary>Run one side only: "paper", "submit", "saves", or null for all three.</summary>
    public string? Only { get; init; }

    public string ReportPath { get; init; } = "ceilings-report.json";

    public const string Usage = """
        examday ceilings: the paper and submit paths against their ceilings, in one run.

          examday ceilings --url http://127.0.0.1:5080 --db CONNSTRING [options]

          --url URL               the host (loopback only)                          required
          --db CONNSTRING         the host's PostgreSQL (pgbench and the checks)     required
          --connections N         HTTP connections and pgbench clients               64
          --paper-seconds S       length of each paper phase                         10
          --submissions N         submissions in each submit phase                   4096
          --rounds N              alternating rounds of every phase                  2
          --answers N             answers in each submission                         100
          --save-seconds S        length of each answer-save phase (5, 100 answers)  10
          --first-teacher N       first demo teacher for the submit phases' attempts 1
          --pgbench PATH          pgbench binary                                     /usr/lib/postgresql/*/bin/pgbench
          --only paper|submit|saves  run one side only                               all
          --report PATH           JSON report                                        ceilings-report.json
        """;

    public static CeilingOptions Parse(IReadOnlyList<string> args)
    {
        var values = new OptionValues(args);
        if (values.String("url") is not { } url || !Uri.TryCreate(url, UriKind.Absolute, out var baseUrl) || baseUrl.Scheme != "http")
        {
            throw new ArgumentException("--url http://HOST:PORT is required.");
        }
        if (!SourceAddresses.IsLoopback(baseUrl))
        {
            throw new ArgumentException($"--url must be a loopback address: load is only ever sent to this machine (got {baseUrl.Host}).");
        }
        if (values.String("db") is not { Length: > 0 } db)
        {
            throw new ArgumentException("--db CONNSTRING is required: pgbench runs against the host's database.");
        }
        var only = values.String("only");
        if (only is not (null or "paper" or "submit" or "saves"))
        {
            throw new ArgumentException($"--only must be paper, submit or saves (got '{only}').");
        }
        var options = new CeilingOptions
        {
            BaseUrl = baseUrl,
            Database = db,
            Connections = values.Int("connections", 64, 1, 1_000),
            PaperDuration = TimeSpan.FromSeconds(values.Int("paper-seconds", 10, 1, 600)),
            Submissions = values.Int("submissions", 4_096, 1, 1_000_000),
            Rounds = values.Int("rounds", 2, 1, 20),
            Answers = values.Int("answers", 100, 1, 100),
            SaveDuration = TimeSpan.FromSeconds(values.Int("save-seconds", 10, 1, 600)),
            FirstTeacher = values.Int("first-teacher", 1, 1, 9_999_999),
            PgBench = values.String("pgbench"),
            Only = only,
            ReportPath = values.String("report", "ceilings-report.json")!,
        };
        values.EnsureAllRead();
        return options;
    }
}
