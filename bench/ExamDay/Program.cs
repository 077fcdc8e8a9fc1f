using System.Runtime.InteropServices;

namespace ExamConsole.ExamDay;

/// <summary>
/// examday: an exam-day rehearsal against a running host. Exit code 0 when every acknowledged
/// submission was found (or none was looked for), 1 when one was lost or its receipt differs,
/// 2 for a bad command line.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "ceilings":
                return await Ceilings.CeilingRun.MainAsync(args[1..]);
            case "bare-paper":
                return await Ceilings.BarePaperServer.ServeAsync(args[1..]);
        }
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(ExamDayOptions.Usage);
            return 0;
        }
        ExamDayOptions options;
        ExamDayRun run;
        try
        {
            options = ExamDayOptions.Parse(args);
            run = new ExamDayRun(options);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            await Console.Error.WriteLineAsync(ExamDayOptions.Usage);
            return 2;
        }

        // Ctrl+C or a kill (SIGTERM) ends the run early but still writes the report of what was played.
        // SIGTERM too: a run started in the background of a script ignores SIGINT.
        using var stop = new CancellationTokenSource();
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        var running = run.ExecuteAsync(stop.Token);
        await new ProgressView(run, options.ProgressInterval).ShowAsync(running);
        var report = await running;

        Console.WriteLine();
        Console.Write(report.ToText());
        var path = Path.GetFullPath(options.ReportPath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, report.ToJson());
        Console.WriteLine($"Report written to {path}");
        return report.Submissions.Lost is > 0 || report.Submissions.ReceiptMismatches is > 0 ? 1 : 0;
    }
}
