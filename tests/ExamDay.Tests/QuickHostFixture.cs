using System.Globalization;
using ExamConsole.Testing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace ExamConsole.ExamDay.Tests;

/// <summary>
/// A throwaway cluster and the real host on a real Kestrel port, seeded with enough demo teachers
/// for the quick run and one small run more; each test plays its own range of teachers.
/// </summary>
public sealed class QuickHostFixture : IAsyncLifetime
{
    public const int Teachers = 600;

    private TestPostgres? _postgres;

    public ExamHostFactory Host { get; private set; } = null!;

    public Uri BaseUrl { get; private set; } = null!;

    public string ConnectionString => _postgres!.ConnectionString;

    public async Task InitializeAsync()
    {
        _postgres = await TestPostgres.StartAsync("examday");
        Host = new ExamHostFactory(_postgres.ConnectionString);
        Host.Settings["Seed:Teachers"] = Teachers.ToString(CultureInfo.InvariantCulture);
        // Queued submissions are replayed soon after the fallback is lifted.
        Host.Settings["Spool:ReplayInterval"] = "00:00:00.200";
        Host.UseKestrel(0);
        Host.StartServer();
        var address = Host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = new Uri(address);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}
