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
    /// <summary>The host under test, e.g. http://127.0.0.1:5080 (the first node of a fleet).</summary>
    public required Uri BaseUrl { get; init; }

    /// <summary>Every node of a fleet under test (--url given several times); null for <see cref="BaseUrl"/> alone.</summary>
    public IReadOnlyList<Uri>? Urls { get; init; }

    /// <summary>The nodes teachers are spread over: <see cref="Urls"/>, or <see cref="BaseUrl"/> alone.</summary>
    public IReadOnlyList<Uri> Nodes => Urls is { Count: > 0 } ? Urls : [BaseUrl];

    /// <summary>Virtual teachers to play, T{FirstTeacher}... (docs/API.md's demo data).</summary>
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
          examday ceilings --help     the paper and submit paths against their ceilings (bare Kestrel, pgbench)

          --url URL               the host (loopback only); again for each node  required
                                  of a fleet: teachers get a home node in turn,
                                  a refused or reset request goes to the next
                                  live node (that node is left out for 2 s)
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
        var values = new OptionValues(args, "quick");
        var urls = values.Strings("url").Select(ParseUrl).ToList();
        if (urls.Count == 0)
        {
            throw new ArgumentException("--url http://HOST:PORT is required.");
        }
        if (urls.Distinct().Count() != urls.Count)
        {
            throw new ArgumentException("--url: each node once (a URL was given twice).");
        }
        var o = values.Flag("quick") ? Quick(urls[0]) : new ExamDayOptions { BaseUrl = urls[0] };
        o = o with
        {
            Urls = urls.Count > 1 ? urls : null,
            Teachers = values.Int("teachers", o.Teachers, 1, 10_000_000),
            FirstTeacher = values.Int("first-teacher", o.FirstTeacher, 1, 9_999_999),
            ExamSlot = values.Int("exam-slot", o.ExamSlot, 0, 1000),
            ArrivalRate = values.Double("rate", o.ArrivalRate, 0.01, 100_000),
            Ramp = values.Seconds("ramp", o.Ramp, 0, 3600),
            Rounds = values.Int("rounds", o.Rounds, 0, 1000),
            AnswersPerSave = values.Int("answers", o.AnswersPerSave, 1, 1000),
            ThinkTime = TimeSpan.FromMilliseconds(values.Double("think", o.ThinkTime.TotalMilliseconds, 0, 600_000)),
            MaxDuration = values.Seconds("max-duration", o.MaxDuration, 1, 24 * 3600),
            MaxActiveTeachers = values.Int("max-active", o.MaxActiveTeachers, 1, 1_000_000),
            Connections = Mode(values.String("connections"), o.Connections),
            MaxConnections = values.Int("max-connections", o.MaxConnections, 1, 100_000),
            SourceAddresses = values.Has("source-addresses") ? values.Int("source-addresses", 0, 0, 250) : o.SourceAddresses,
            RequestTimeout = values.Seconds("timeout", o.RequestTimeout, 0.1, 3600),
            MaxTries = values.Int("max-tries", o.MaxTries, 1, 1000),
            Database = values.String("db", o.Database),
            SettleTimeout = values.Seconds("settle", o.SettleTimeout, 0, 3600),
            Seed = values.Int("seed", o.Seed, int.MinValue, int.MaxValue),
            ReportPath = values.String("report", o.ReportPath)!,
            ProgressInterval = values.Seconds("progress", o.ProgressInterval, 0.1, 3600),
        };
        values.EnsureAllRead();
        return o;
    }

    private static Uri ParseUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
            ? url
            : throw new ArgumentException($"--url must be http://HOST:PORT (got '{text}').");

    private static ConnectionMode Mode(string? text, ConnectionMode fallback) =>
        text switch
        {
            null => fallback,
            "per-teacher" => ConnectionMode.PerTeacher,
            "shared" => ConnectionMode.Shared,
            _ => throw new ArgumentException($"--connections must be per-teacher or shared (got '{text}')."),
        };
}
