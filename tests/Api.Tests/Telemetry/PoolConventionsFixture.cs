using ExamConsole.Testing;

namespace ExamConsole.Api.Tests.Telemetry;

/// <summary>
/// A host with a pool of four (two kept warm) and a 2 s acquire timeout, on a cluster of its own:
/// Npgsql's meter is process-wide and tags by pool name, so no other host's pool named "exam" may be alive.
/// </summary>
public sealed class PoolConventionsFixture : IAsyncLifetime
{
    public const int MaxSize = 4;
    public const int MinSize = 2;

    private TestPostgres? _postgres;

    public ExamHostFactory Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _postgres = await TestPostgres.StartAsync("poolconv");
        Host = new ExamHostFactory(_postgres.ConnectionString);
        Host.Settings["Pool:MaxSize"] = MaxSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Host.Settings["Pool:MinSize"] = MinSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Host.Settings["Pool:AcquireTimeout"] = "00:00:02";
        _ = Host.Services;
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

[CollectionDefinition(Name)]
public sealed class PoolConventionsCollection : ICollectionFixture<PoolConventionsFixture>
{
    public const string Name = "pool-conventions";
}
