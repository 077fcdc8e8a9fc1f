using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace ExamConsole.Benchmarks;

/// <summary>
/// How fast an operator's change is in force on every node of a running fleet: N throttle changes
/// made on the first node, one after another, each timed two ways. (1) By the database: when each
/// other node acknowledged the version, against when the node that took the change did (both by
/// the database's clock, <c>fleet_settings_applied</c>). (2) As a client sees it: from the PUT's
/// answer until every other node's <c>GET /api/admin/throttle</c> shows the new limit (polled
/// every 2 ms). Start the fleet first (<c>scripts/fleet.sh 3</c>, same Admin__InitialPassword).
///   dotnet run -c Release --project bench/Benchmarks -- fleet-fanout [changes=100] [urls=http://127.0.0.1:5081,http://127.0.0.1:5082,http://127.0.0.1:5083] [database=Host=127.0.0.1;Port=15432;Username=postgres;Database=exam]
/// </summary>
public static class FleetFanOut
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<int> RunAsync(string[] args)
    {
        var changes = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100;
        var urls = (args.Length > 2 ? args[2] : "http://127.0.0.1:5081,http://127.0.0.1:5082,http://127.0.0.1:5083")
            .Split(',', StringSplitOptions.RemoveEmptyEntries).Select(u => new Uri(u)).ToArray();
        var database = args.Length > 3 ? args[3] : "Host=127.0.0.1;Port=15432;Username=postgres;Database=exam";
        var password = Environment.GetEnvironmentVariable("Admin__InitialPassword")
            ?? throw new InvalidOperationException("Set Admin__InitialPassword to the fleet's operator password (the one scripts/fleet.sh started it with).");

        var clients = urls.Select(u => new HttpClient { BaseAddress = u }).ToArray();
        var login = await clients[0].PostAsJsonAsync("/api/admin/auth/login", new { username = "admin", password });
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
        foreach (var client in clients)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        var fleet = await clients[0].GetFromJsonAsync<JsonElement>("/api/admin/fleet");
        var live = fleet.GetProperty("liveNodes").GetInt32();
        var origin = fleet.GetProperty("nodes").EnumerateArray().First(n => n.GetProperty("self").GetBoolean()).GetProperty("name").GetString()!;
        System.Console.WriteLine($"machine: {Environment.ProcessorCount} cores; load average {LoadAverage()}; {live} live node(s); changes made on {origin} ({urls[0]}); {changes} changes");
        if (live != urls.Length)
        {
            System.Console.Error.WriteLine($"The fleet has {live} live nodes, {urls.Length} URLs were given.");
            return 2;
        }

        var original = await clients[0].GetFromJsonAsync<JsonElement>("/api/admin/throttle");
        var queueLimit = original.GetProperty("queueLimit").ValueKind == JsonValueKind.Number ? original.GetProperty("queueLimit").GetInt32() : (int?)null;
        var started = DateTimeOffset.UtcNow.AddSeconds(-1);
        var seen = new List<double>();
        for (var i = 0; i < changes; i++)
        {
            var limit = 1000 + i;
            var put = await clients[0].PutAsJsonAsync("/api/admin/throttle", new { mode = "fixed", maxConcurrent = limit, queueLimit });
            put.EnsureSuccessStatusCode();
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(clients.Skip(1).Select(c => WaitForLimitAsync(c, limit)));
            seen.Add(clock.Elapsed.TotalMilliseconds);
            await Task.Delay(50);
        }
        var ended = DateTimeOffset.UtcNow;
        await clients[0].PutAsJsonAsync("/api/admin/throttle", new
        {
            mode = original.GetProperty("mode").GetString(),
            maxConcurrent = original.GetProperty("maxConcurrent").ValueKind == JsonValueKind.Number ? original.GetProperty("maxConcurrent").GetInt32() : (int?)null,
            queueLimit,
        });

        var byDatabase = await AcknowledgementDelaysAsync(database, origin, started, ended);
        Print("client: PUT answered -> every other node's GET shows it", seen);
        foreach (var (node, delays) in byDatabase.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            Print($"database: {origin} applied -> {node} applied", delays);
        }
        Print("database: the last node of each change (the fleet in force)", LastPerChange(byDatabase));
        return 0;
    }

    private static async Task WaitForLimitAsync(HttpClient client, int limit)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            var throttle = await client.GetFromJsonAsync<JsonElement>("/api/admin/throttle");
            if (throttle.GetProperty("maxConcurrent").ValueKind == JsonValueKind.Number && throttle.GetProperty("maxConcurrent").GetInt32() == limit)
            {
                return;
            }
            await Task.Delay(2);
        }
        throw new TimeoutException($"{client.BaseAddress} did not show the limit {limit} within 30 s.");
    }

    /// <summary>Per other node, each change's delay after the origin applied it (ms), from the acknowledgements.</summary>
    private static async Task<Dictionary<string, List<(long Version, double Ms)>>> AcknowledgementDelaysAsync(string connectionString, string origin, DateTimeOffset since, DateTimeOffset until)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT a.version, a.node_name, extract(epoch FROM a.applied_at - o.applied_at) * 1000
            FROM fleet_settings_applied a
            JOIN fleet_settings_applied o ON o.version = a.version AND o.node_name = @origin
            JOIN audit_entries e ON e.settings_version = a.version AND e.action = 'throttle.set' AND e.at >= @since AND e.at < @until
            WHERE a.node_name <> @origin
            """, connection);
        command.Parameters.AddWithValue("origin", origin);
        command.Parameters.AddWithValue("since", since);
        command.Parameters.AddWithValue("until", until);
        var delays = new Dictionary<string, List<(long, double)>>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var node = reader.GetString(1);
            if (!delays.TryGetValue(node, out var list))
            {
                delays[node] = list = [];
            }
            list.Add((reader.GetInt64(0), reader.GetDouble(2)));
        }
        return delays;
    }

    private static List<double> LastPerChange(Dictionary<string, List<(long Version, double Ms)>> delays) =>
        delays.Values.SelectMany(v => v).GroupBy(d => d.Version).Select(g => g.Max(d => d.Ms)).ToList();

    private static void Print(string what, IEnumerable<(long Version, double Ms)> delays) => Print(what, delays.Select(d => d.Ms).ToList());

    private static void Print(string what, List<double> ms)
    {
        ms.Sort();
        double At(double q) => ms.Count == 0 ? double.NaN : ms[Math.Min(ms.Count - 1, (int)Math.Ceiling(q * ms.Count) - 1)];
        System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}: n={ms.Count} p50 {At(0.50):F1} ms, p95 {At(0.95):F1} ms, p99 {At(0.99):F1} ms, max {(ms.Count == 0 ? double.NaN : ms[^1]):F1} ms"));
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
