using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using HdrHistogram;
using Npgsql;
using NpgsqlTypes;

namespace ExamConsole.ExamDay.Ceilings;

/// <summary>
/// The database ceiling of the submit path: pgbench, C code with one connection per client, running
/// the original design's submit (the Node.js service this product replaces, one pg.Pool): one
/// transaction per submission that looks up the attempt (owner and deadline, locked), inserts the
/// submission, inserts its answer rows (100 for a full paper) and updates the attempt (there it set a
/// status; here the row is rewritten as it is, which costs the same). What pgbench does not pay:
/// HTTP, JSON, authentication, the pool, the durable spool. What it does pay that the host does not:
/// one commit (and WAL flush) per submission, and the answers row by row.
/// </summary>
public sealed partial class PgBench(string database, string binary)
{
    private const string Targets = "examday_pgbench_targets";
    private const string Sequence = "examday_pgbench_seq";
    private const long HighestMicros = 600_000_000;

    public const string Script = $"""
        BEGIN;
        WITH s AS (SELECT nextval('{Sequence}') AS n)
        SELECT t.attempt_id AS aid, t.teacher_id AS tid, t.qids AS qids, t.oids AS oids FROM {Targets} t JOIN s USING (n) \gset
        SELECT a.id FROM attempts a WHERE a.id = :aid AND a.teacher_id = :tid AND now() <= a.deadline FOR UPDATE;
        INSERT INTO submissions (submission_id, attempt_id, receipt_id, question_ids, option_ids, accepted_at, recorded_at) VALUES (gen_random_uuid(), :aid, gen_random_uuid(), :qids::int[], :oids::int[], now(), now());
        INSERT INTO answers (attempt_id, question_id, option_id, answered_at) SELECT :aid, t.qid, t.oid, now() FROM unnest(:qids::int[], :oids::int[]) AS t(qid, oid);
        UPDATE attempts SET deadline = deadline WHERE id = :aid;
        END;

        """;

    /// <summary>The pgbench of the newest PostgreSQL under /usr/lib/postgresql, else the one on PATH.</summary>
    public static string Find(string? configured)
    {
        if (configured is not null)
        {
            return File.Exists(configured) ? configured : throw new ArgumentException($"--pgbench {configured}: no such file.");
        }
        var installed = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin", "pgbench"))
                .Where(File.Exists)
                .OrderByDescending(p => int.TryParse(Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(p))), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
        return installed ?? "pgbench";
    }

    /// <summary>Runs <paramref name="targets"/> submissions over <paramref name="clients"/> clients (each the same count).</summary>
    public async Task<PhaseResult> RunAsync(int round, IReadOnlyList<SubmitTarget> targets, int clients, string folder, CancellationToken cancellationToken)
    {
        var perClient = targets.Count / clients;
        if (perClient == 0)
        {
            throw new ArgumentException($"{targets.Count} submissions cannot be shared by {clients} pgbench clients.");
        }
        await LoadTargetsAsync(targets, cancellationToken);

        var work = Directory.CreateDirectory(Path.Combine(folder, $"pgbench-{round}")).FullName;
        var script = Path.Combine(work, "submit.sql");
        await File.WriteAllTextAsync(script, Script, cancellationToken);
        var builder = new NpgsqlConnectionStringBuilder(database);
        var start = new ProcessStartInfo(binary)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = work,
        };
        foreach (var a in new[]
        {
            "--no-vacuum", "--protocol=prepared", "--file=" + script,
            "--client=" + clients.ToString(CultureInfo.InvariantCulture),
            "--jobs=" + Math.Min(clients, Environment.ProcessorCount).ToString(CultureInfo.InvariantCulture),
            "--transactions=" + perClient.ToString(CultureInfo.InvariantCulture),
            "--log", "--log-prefix=" + Path.Combine(work, "tx"),
        })
        {
            start.ArgumentList.Add(a);
        }
        start.Environment["PGHOST"] = builder.Host ?? "127.0.0.1";
        start.Environment["PGPORT"] = builder.Port.ToString(CultureInfo.InvariantCulture);
        start.Environment["PGUSER"] = builder.Username ?? "postgres";
        start.Environment["PGDATABASE"] = builder.Database ?? "postgres";
        if (builder.Password is { } password)
        {
            start.Environment["PGPASSWORD"] = password;
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {binary}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var output = await stdout;
        var errors = await stderr;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"pgbench exited with {process.ExitCode}:\n{output}\n{errors}");
        }
        return Parse(round, output, Directory.GetFiles(work, "tx.*"));
    }

    /// <summary>Reads pgbench's summary (tps without connection time) and its per-transaction log (latency in µs).</summary>
    internal static PhaseResult Parse(int round, string output, IEnumerable<string> logs)
    {
        var tps = TpsLine().Match(output);
        var processed = ProcessedLine().Match(output);
        var failed = FailedLine().Match(output);
        if (!tps.Success || !processed.Success)
        {
            throw new InvalidOperationException("pgbench printed no tps or transaction count:\n" + output);
        }
        var histogram = new LongHistogram(1, HighestMicros, 3);
        foreach (var log in logs)
        {
            foreach (var line in File.ReadLines(log))
            {
                var fields = line.Split(' ');
                if (fields.Length >= 3 && long.TryParse(fields[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var micros))
                {
                    histogram.RecordValue(Math.Clamp(micros, 1, HighestMicros));
                }
            }
        }
        var count = long.Parse(processed.Groups[1].Value, CultureInfo.InvariantCulture);
        var perSecond = double.Parse(tps.Groups[1].Value, CultureInfo.InvariantCulture);
        var statuses = new SortedDictionary<string, long>(StringComparer.Ordinal) { ["committed"] = count };
        if (failed.Success && long.Parse(failed.Groups[1].Value, CultureInfo.InvariantCulture) is > 0 and var f)
        {
            statuses["failed"] = f;
        }
        return new PhaseResult("pgbench-submit", round, count, Math.Round(count / perSecond, 3), Math.Round(perSecond, 1), LatencySummary.Of(histogram), statuses)
        {
            Histogram = histogram,
        };
    }

    private async Task LoadTargetsAsync(IReadOnlyList<SubmitTarget> targets, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(cancellationToken);
        await using (var setup = new NpgsqlCommand(
            $"""
            CREATE UNLOGGED TABLE IF NOT EXISTS {Targets} (n bigint PRIMARY KEY, attempt_id bigint NOT NULL, teacher_id int NOT NULL, qids int[] NOT NULL, oids int[] NOT NULL);
            TRUNCATE {Targets};
            CREATE SEQUENCE IF NOT EXISTS {Sequence};
            ALTER SEQUENCE {Sequence} RESTART WITH 1;
            """,
            connection))
        {
            await setup.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var copy = await connection.BeginBinaryImportAsync($"COPY {Targets} (n, attempt_id, teacher_id, qids, oids) FROM STDIN (FORMAT BINARY)", cancellationToken);
        var n = 0L;
        foreach (var t in targets)
        {
            await copy.StartRowAsync(cancellationToken);
            await copy.WriteAsync(++n, NpgsqlDbType.Bigint, cancellationToken);
            await copy.WriteAsync(t.AttemptId, NpgsqlDbType.Bigint, cancellationToken);
            await copy.WriteAsync(t.TeacherId, NpgsqlDbType.Integer, cancellationToken);
            await copy.WriteAsync(t.QuestionIds, NpgsqlDbType.Array | NpgsqlDbType.Integer, cancellationToken);
            await copy.WriteAsync(t.OptionIds, NpgsqlDbType.Array | NpgsqlDbType.Integer, cancellationToken);
        }
        await copy.CompleteAsync(cancellationToken);
    }

    /// <summary>Drops the targets table and sequence: the database is left with the submissions only.</summary>
    public async Task CleanUpAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(cancellationToken);
        await using var drop = new NpgsqlCommand($"DROP TABLE IF EXISTS {Targets}; DROP SEQUENCE IF EXISTS {Sequence};", connection);
        await drop.ExecuteNonQueryAsync(cancellationToken);
    }

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex TpsLine();

    [GeneratedRegex(@"number of transactions actually processed: (\d+)")]
    private static partial Regex ProcessedLine();

    [GeneratedRegex(@"number of failed transactions: (\d+)")]
    private static partial Regex FailedLine();
}
