using System.Globalization;

namespace ExamConsole.ExamDay;

/// <summary>How sessions share connections: one per virtual teacher (as phones do), or a shared pool.</summary>
public enum ConnectionMode
{
    PerTeacher,
    Shared,
}

/// <summary>One exam-day rehearsal: who plays, how fast they arrive, and where the figures go.</summary>
public sealed record ExamDayOptions
{
    /// <summary>The host under test, e.g. http://127.0.0.1:5080.</summary>
    public required Uri BaseUrl { get; init; }

    /// <summary>Virtual teachers to play, T{FirstTeacher}... (API.md's demo data).</summary>
    public int Teachers { get; init; } = 40_000;

    /// <summary>The number of the first demo teacher (T0000001 is 1): another range replays without finding submitted attempts.</summary>
    public int FirstTeacher { get; init; } = 1;

    /// <summary>Which of a teacher's exams (sorted by id) each teacher sits: another slot replays on a fresh attempt.</summary>
    public int ExamSlot { get; init; }

    /// <summary>Target arrival rate, teachers starting per second once the ramp is over (an open model).</summary>
    public double ArrivalRate { get; init; } = 200;

    /// <summary>Linear ramp of the arrival rate from 0 to <see cref="ArrivalRate"/>.</summary>
    public TimeSpan Ramp { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Rounds of answer saves before the submit.</summary>
    public int Rounds { get; init; } = 5;

    /// <summary>Answers sent in each save.</summary>
    public int AnswersPerSave { get; init; } = 5;

    /// <summary>Mean think time before each save and before the submit (uniform, 0.5x to 1.5x).</summary>
    public TimeSpan ThinkTime { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Hard bound on the whole run: teachers still playing then are cancelled and counted unfinished.</summary>
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Most teachers playing at once. Each holds a socket in per-teacher mode, and this machine's
    /// limit of open files is 20,000 for the tool and the host alike. A teacher held back still
    /// has its latency measured from the time it should have started.
    /// </summary>
    public int MaxActiveTeachers { get; init; } = 16_000;

    public ConnectionMode Connections { get; init; } = ConnectionMode.PerTeacher;

    /// <summary>Connections of the shared pool (shared mode only).</summary>
    public int MaxConnections { get; init; } = 512;

    /// <summary>Loopback source addresses to spread connections over; null decides from the ephemeral port range.</summary>
    public int? SourceAddresses { get; init; }

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Tries of one request answered 503 or 429 (Retry-After honoured) before the teacher gives up.</summary>
    public int MaxTries { get; init; } = 20;

    /// <summary>PostgreSQL connection string: when set, acknowledged submissions are looked up afterwards.</summary>
    public string? Database { get; init; }

    /// <summary>How long queued (202) submissions may take to reach the database after the run.</summary>
    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public int Seed { get; init; } = 7;

    public string ReportPath { get; init; } = "examday-report.json";

    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>About 500 teachers in well under a minute: the smoke test's run.</summary>
    public static ExamDayOptions Quick(Uri baseUrl) => new()
    {
        BaseUrl = baseUrl,
        Teachers = 500,
        ArrivalRate = 100,
        Ramp = TimeSpan.FromSeconds(1),
        Rounds = 2,
        AnswersPerSave = 3,
        ThinkTime = TimeSpan.FromMilliseconds(200),
        MaxDuration = TimeSpan.FromSeconds(50),
        SettleTimeout = TimeSpan.FromSeconds(20),
        ProgressInterval = TimeSpan.FromSeconds(2),
    };

    public const string Usage = """
        examday: plays virtual teachers through a whole exam against an ExamConsole host.

          examday --url http://127.0.0.1:5080 [options]

          --url URL               the host (loopback only)                       required
          --quick                 500 teachers at 100/s, 2 rounds, 0.2 s think, under a minute
          --teachers N            virtual teachers                               40000
          --first-teacher N       first demo teacher number (T0000001 is 1)      1
          --exam-slot N           which of each teacher's exams (sorted by id)   0
          --rate R                arrivals per second after the ramp             200
          --ramp SECONDS          linear ramp of the arrival rate                30
          --rounds K              answer saves before the submit                 5
          --answers N             answers per save                               5
          --think MS              mean think time before each save and submit    2000
          --max-duration SECONDS  hard bound on the run                          600
          --max-active N          teachers playing at once                       16000
          --connections MODE      per-teacher | shared                           per-teacher
          --max-connections N     shared mode: connections of the pool           512
          --source-addresses N    loopback source addresses (0: none)            auto
          --timeout SECONDS       per request                                    30
          --max-tries N           tries of a request shed with 503/429           20
          --db CONNSTRING         PostgreSQL: look up acknowledged submissions   (not checked)
          --settle SECONDS        wait for queued submissions to land            60
          --seed N                random seed of answers and think times         7
          --report PATH           JSON report                                    examday-report.json
          --progress SECONDS      interval of plain progress lines               5
        """;

    /// <summary>Reads the command line; throws <see cref="ArgumentException"/> naming the bad option.</summary>
    public static ExamDayOptions Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var quick = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--quick")
            {
                quick = true;
                continue;
            }
            if (!arg.StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Count)
            {
                throw new ArgumentException($"Unexpected argument '{arg}': options are --name value (see --help).");
            }
            values[arg[2..]] = args[++i];
        }
        if (!values.Remove("url", out var url) || !Uri.TryCreate(url, UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException("--url http://HOST:PORT is required.");
        }
        var o = quick ? Quick(baseUrl) : new ExamDayOptions { BaseUrl = baseUrl };
        o = o with
        {
            Teachers = Int(values, "teachers", o.Teachers, 1, 10_000_000),
            FirstTeacher = Int(values, "first-teacher", o.FirstTeacher, 1, 9_999_999),
            ExamSlot = Int(values, "exam-slot", o.ExamSlot, 0, 1000),
            ArrivalRate = Double(values, "rate", o.ArrivalRate, 0.01, 100_000),
            Ramp = Seconds(values, "ramp", o.Ramp, 0, 3600),
            Rounds = Int(values, "rounds", o.Rounds, 0, 1000),
            AnswersPerSave = Int(values, "answers", o.AnswersPerSave, 1, 1000),
            ThinkTime = TimeSpan.FromMilliseconds(Double(values, "think", o.ThinkTime.TotalMilliseconds, 0, 600_000)),
            MaxDuration = Seconds(values, "max-duration", o.MaxDuration, 1, 24 * 3600),
            MaxActiveTeachers = Int(values, "max-active", o.MaxActiveTeachers, 1, 1_000_000),
            Connections = Mode(values, o.Connections),
            MaxConnections = Int(values, "max-connections", o.MaxConnections, 1, 100_000),
            SourceAddresses = values.ContainsKey("source-addresses") ? Int(values, "source-addresses", 0, 0, 250) : o.SourceAddresses,
            RequestTimeout = Seconds(values, "timeout", o.RequestTimeout, 0.1, 3600),
            MaxTries = Int(values, "max-tries", o.MaxTries, 1, 1000),
            Database = values.Remove("db", out var db) ? db : o.Database,
            SettleTimeout = Seconds(values, "settle", o.SettleTimeout, 0, 3600),
            Seed = Int(values, "seed", o.Seed, int.MinValue, int.MaxValue),
            ReportPath = values.Remove("report", out var report) ? report : o.ReportPath,
            ProgressInterval = Seconds(values, "progress", o.ProgressInterval, 0.1, 3600),
        };
        if (values.Count > 0)
        {
            throw new ArgumentException($"Unknown option --{values.Keys.First()} (see --help).");
        }
        return o;
    }

    private static int Int(Dictionary<string, string> values, string name, int fallback, int min, int max) =>
        values.Remove(name, out var text)
            ? int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
                ? v
                : throw new ArgumentException($"--{name} must be a whole number from {min} to {max} (got '{text}').")
            : fallback;

    private static double Double(Dictionary<string, string> values, string name, double fallback, double min, double max) =>
        values.Remove(name, out var text)
            ? double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
                ? v
                : throw new ArgumentException($"--{name} must be a number from {min} to {max} (got '{text}').")
            : fallback;

    private static TimeSpan Seconds(Dictionary<string, string> values, string name, TimeSpan fallback, double min, double max) =>
        TimeSpan.FromSeconds(Double(values, name, fallback.TotalSeconds, min, max));

    private static ConnectionMode Mode(Dictionary<string, string> values, ConnectionMode fallback) =>
        !values.Remove("connections", out var text) ? fallback
            : text switch
            {
                "per-teacher" => ConnectionMode.PerTeacher,
                "shared" => ConnectionMode.Shared,
                _ => throw new ArgumentException($"--connections must be per-teacher or shared (got '{text}')."),
            };
}
