using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ExamConsole.Data.Telemetry;

/// <summary>
/// Listens to Npgsql's command activities and puts the slow ones into <see cref="SlowCommandLog"/>
/// and the <c>examconsole.db.slow_commands</c> counter. Only Npgsql's source is sampled (full data,
/// so that Npgsql sets the query text, but not marked as recorded for exporters). ActivitySource
/// listeners are process-wide: the commands of every data source of the process are seen, except
/// those whose tracing is switched off (the telemetry pool's).
/// </summary>
public sealed class SlowCommandRecorder : IHostedService, IDisposable
{
    public const string NpgsqlSourceName = "Npgsql";
    public const string MeterName = "ExamConsole.Database";
    public const string SlowCommandsInstrument = "examconsole.db.slow_commands";

    // Npgsql 10 follows the stable OpenTelemetry database conventions (db.query.text); earlier versions used db.statement.
    private static readonly string[] QueryTextTags = ["db.query.text", "db.statement"];

    private readonly SlowCommandLog _log;
    private readonly TimeProvider _time;
    private readonly TimeSpan _threshold;
    private readonly int _maxLength;
    private readonly Counter<long> _slowCommands;
    private ActivityListener? _listener;

    public SlowCommandRecorder(SlowCommandLog log, IOptions<ServerTelemetryOptions> options, IMeterFactory meters, TimeProvider time)
    {
        _log = log;
        _time = time;
        _threshold = options.Value.SlowCommandThreshold;
        _maxLength = options.Value.CommandTextMaxLength;
        _slowCommands = meters.Create(MeterName).CreateCounter<long>(
            SlowCommandsInstrument,
            unit: "{command}",
            description: "Database commands that took longer than the slow-command threshold.");
    }

    public TimeSpan Threshold => _threshold;

    public void Start()
    {
        if (_listener is not null)
        {
            return;
        }
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == NpgsqlSourceName,
            Sample = (ref _) => ActivitySamplingResult.AllData,
            ActivityStopped = OnStopped,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Stop()
    {
        _listener?.Dispose();
        _listener = null;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Stop();
        return Task.CompletedTask;
    }

    public void Dispose() => Stop();

    // Runs on the thread that finished the command: cheap comparisons first.
    private void OnStopped(Activity activity)
    {
        if (activity.Duration < _threshold || activity.Source.Name != NpgsqlSourceName || QueryText(activity) is not { } text)
        {
            return;
        }
        var command = text.Length <= _maxLength ? text : text[.._maxLength];
        var source = activity.Parent?.DisplayName ?? activity.DisplayName;
        _log.Add(new SlowCommand(_time.GetUtcNow(), Math.Round(activity.Duration.TotalMilliseconds, 1), command, source));
        _slowCommands.Add(1);
    }

    // A physical open is traced too, without text: it is not a command.
    private static string? QueryText(Activity activity)
    {
        foreach (var tag in QueryTextTags)
        {
            if (activity.GetTagItem(tag) is string { Length: > 0 } text)
            {
                return text;
            }
        }
        return null;
    }
}
