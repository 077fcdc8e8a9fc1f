using System.Runtime.InteropServices;

namespace ExamConsole.Console.Hosting;

/// <summary>
/// <c>dotnet ExamConsole.Console.dll postgres</c>: only the local cluster, for a fleet of nodes on
/// one machine (scripts/fleet.sh). It starts or adopts the cluster exactly as a lone host would
/// (same folder, port and sizing from the same configuration), prints the connection string the
/// nodes are given, and stops the cluster on SIGINT or SIGTERM if it started it. No node owns the
/// cluster, so killing a node leaves PostgreSQL up for the others.
/// </summary>
internal static class PostgresCommand
{
    public const string Verb = "postgres";

    /// <summary>The line that carries the connection string; scripts/fleet.sh reads it.</summary>
    public const string ConnectionLinePrefix = "ConnectionStrings__Exam=";

    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (LocalDatabase.IsConfigured(builder))
        {
            await System.Console.Error.WriteLineAsync("ConnectionStrings__Exam is set: that server is the fleet's, there is no local cluster to start. Unset it to use .data/pg.");
            return 2;
        }
        using var loggerFactory = LoggerFactory.Create(logging => logging.AddSimpleConsole(o => o.SingleLine = true));
        var logger = loggerFactory.CreateLogger("LocalPostgres");

        using var stop = new CancellationTokenSource();
        void Stop(PosixSignalContext signal)
        {
            signal.Cancel = true;
            stop.Cancel();
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        LocalPostgres server;
        try
        {
            server = await LocalPostgres.StartAsync(LocalDatabase.OptionsFor(builder), logger, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return 1;
        }
        await using (server)
        {
            System.Console.WriteLine(ConnectionLinePrefix + server.ConnectionString);
            System.Console.Out.Flush();
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
                // SIGINT or SIGTERM: stop the cluster below, if it was started here.
            }
            logger.LogInformation("Stopping: the cluster in {DataDirectory} is stopped if it was started here, left running if it was adopted", server.DataDirectory);
        }
        return 0;
    }
}
