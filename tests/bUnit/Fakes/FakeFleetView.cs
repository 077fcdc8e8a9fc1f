using ExamConsole.Api.Admin;
using ExamConsole.Api.Fleet;
using ExamConsole.Console.Model;
using ExamConsole.Data.Fleet;

namespace ExamConsole.Console.Tests.Fakes;

/// <summary>
/// A fleet the test shapes by hand: its nodes, the desired settings and who acknowledged which
/// version. <see cref="ApplyHere"/> is what a change does on the node that receives it: the next
/// version, in force and acknowledged here at once.
/// </summary>
public sealed class FakeFleetView(TimeProvider time) : IFleetView
{
    public const string Self = "node-1";

    private int _reads;

    public List<FleetNodeResponse> Nodes { get; } = [FleetSamples.Node(Self, self: true), FleetSamples.Node("node-2")];

    public FleetSettingsResponse Settings { get; set; } = FleetSamples.Settings(1);

    public List<SettingsAcknowledgement> Acknowledgements { get; } = [];

    /// <summary>When set, every read fails with it (the database is away).</summary>
    public Exception? Failure { get; set; }

    public int Reads => Volatile.Read(ref _reads);

    public int LiveNodes => Nodes.Count(n => n.Alive);

    public long AppliedVersion { get; set; } = 1;

    public Task<FleetResponse> ReadAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        if (Failure is not null)
        {
            return Task.FromException<FleetResponse>(Failure);
        }
        var live = Nodes.Where(n => n.Alive).ToList();
        return Task.FromResult(new FleetResponse(live.Count, Settings.Pool?.MaxSize ?? live.Sum(n => n.Pool.MaxSize), [.. Nodes], Settings));
    }

    public Task<IReadOnlyList<SettingsAcknowledgement>> AcknowledgementsAsync(long version, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SettingsAcknowledgement>>(Acknowledgements.Where(a => a.Version == version).ToList());

    /// <summary>A change made on this node: the next version, in force and acknowledged here.</summary>
    public void ApplyHere()
    {
        AppliedVersion++;
        Settings = Settings with { Version = AppliedVersion };
        Acknowledge(Self, AppliedVersion);
    }

    public void Acknowledge(string node, long version) =>
        Acknowledgements.Add(new SettingsAcknowledgement(version, Guid.Empty, node, time.GetUtcNow()));
}

/// <summary>Nodes and settings with the figures a test cares about; every other figure plausible.</summary>
public static class FleetSamples
{
    public static FleetNodeResponse Node(
        string name,
        bool alive = true,
        bool self = false,
        int maxSize = 50,
        int busy = 10,
        long settingsVersion = 1,
        string circuit = "closed",
        int spoolDepth = 0,
        double requestsPerSecond = 12.5,
        double heartbeatAgeSeconds = 1) =>
        new(
            Guid.NewGuid(), name, $"http://127.0.0.1:50{name[^1]}0", "1.0.0", alive, self,
            Samples.Start.AddMinutes(-10), Samples.Start.AddSeconds(-heartbeatAgeSeconds), alive ? null : Samples.Start.AddSeconds(-heartbeatAgeSeconds),
            heartbeatAgeSeconds, settingsVersion,
            new FleetNodePool(maxSize, 5, busy + 4, busy, 4, 0, Data.Pool.UtilizationBands.Utilization(busy, maxSize),
                Samples.Bands.BandOf(Data.Pool.UtilizationBands.Utilization(busy, maxSize)), 3.5),
            new FleetNodeAdmission("fixed", 64, 3, 1),
            circuit, spoolDepth, requestsPerSecond,
            new Dictionary<string, double> { ["POST /api/auth/login"] = 4.2, ["GET /api/exams/{examId}/paper"] = 2.1 });

    public static FleetSettingsResponse Settings(long version, int? budget = 100) =>
        new(version, Samples.Start.AddMinutes(-1), "olga", budget is { } b ? new PoolSize(b, 5) : null, 3000, null, null, null);
}
