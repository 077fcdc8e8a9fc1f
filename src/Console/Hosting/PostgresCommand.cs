using System.Runtime.InteropServices;

namespace ExamConsole.Console.Hosting;

/// <summary>
/// <c>dotnet ExamConsole.Console.dll postgres</c>: only the local cluster, for a fleet of nodes on
/// one machine (scripts/fleet.sh). It starts or adopts the cluster exactly as a lone host would
/// (same folder, port and sizing from the same configuration), with PgBouncer in front of it when
/// LocalPgBouncer__Enabled is true, prints the settings the nodes are given (ConnectionStrings__Exam=...,
/// PgBouncer__Enabled=true), and stops both on SIGINT or SIGTERM if it started them. No node owns the
/// cluster, so killing a node leaves PostgreSQL up for the others.
/// </summary>
internal static class PostgresCommand
{
    public const string Verb = "postgres";

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
        LocalServers server;
        try
        {
            server = await LocalDatabase.StartAsync(builder, loggerFactory, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return 1;
        }
        await using (server)
        {
            // fleet.sh exports every line of this form (KEY=value) to the nodes.
            foreach (var (key, value) in server.NodeSettings())
            {
                System.Console.WriteLine($"{key.Replace(":", "__", StringComparison.Ordinal)}={value}");
            }
            System.Console.Out.Flush();
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
                // SIGINT or SIGTERM: stop the cluster below, if it was started here.
            }
            logger.LogInformation("Stopping: the cluster in {DataDirectory} (and PgBouncer) is stopped if it was started here, left running if it was adopted", server.Postgres.DataDirectory);
        }
        return 0;
    }
}
