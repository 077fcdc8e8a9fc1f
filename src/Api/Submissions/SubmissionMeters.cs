using System.Diagnostics.Metrics;

namespace ExamConsole.Api.Submissions;

/// <summary>The submission path's measurements (meter "ExamConsole.Submissions").</summary>
public sealed class SubmissionMeters
{
    public const string MeterName = "ExamConsole.Submissions";

    public SubmissionMeters(IMeterFactory meterFactory)
    {
        Meter = meterFactory.Create(MeterName);
        BatchSize = Meter.CreateHistogram("examconsole.submit.batch_size", "{submission}", "Submissions committed in one group-commit transaction",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });
        Recorded = Meter.CreateCounter<long>("examconsole.submit.recorded", "{submission}", "Submissions committed to PostgreSQL on arrival");
        Spooled = Meter.CreateCounter<long>("examconsole.spool.appended", "{submission}", "Submissions made durable in the spool (answered 202)");
        Replayed = Meter.CreateCounter<long>("examconsole.spool.replayed", "{submission}", "Spooled submissions that reached PostgreSQL");
        Rejected = Meter.CreateCounter<long>("examconsole.spool.rejected", "{submission}", "Spooled submissions PostgreSQL refused on replay (attempt not the teacher's)");
        TornRecords = Meter.CreateCounter<long>("examconsole.spool.torn", "{record}", "Torn spool tails found at start");
    }

    public Meter Meter { get; }

    public Histogram<int> BatchSize { get; }

    public Counter<long> Recorded { get; }

    public Counter<long> Spooled { get; }

    public Counter<long> Replayed { get; }

    public Counter<long> Rejected { get; }

    public Counter<long> TornRecords { get; }
}
