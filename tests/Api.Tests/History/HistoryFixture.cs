using ExamConsole.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ExamConsole.Api.Tests.History;

/// <summary>One PostgreSQL for the history's tests and one host on it, node <c>history-main</c>; tests that restart a host start their own.</summary>
public class HistoryFixture : IAsyncLifetime
{
    private readonly string _name;

    public HistoryFixture()
        : this("history")
    {
    }

    protected HistoryFixture(string name) => _name = name;

    public TestPostgres Postgres { get; private set; } = null!;

    public ExamHostFactory Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Postgres = await TestPostgres.StartAsync(_name);
        Host = Start("history-main");
        _ = Host.Server;
    }

    /// <summary>A host named <paramref name="node"/> in the fleet, on this fixture's database.</summary>
    public ExamHostFactory Start(string node)
    {
        var host = new ExamHostFactory(Postgres.ConnectionString);
        host.Settings["Fleet:NodeName"] = node;
        return host;
    }

    public T Service<T>() where T : notnull => Host.Services.GetRequiredService<T>();

    public async Task DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }
        if (Postgres is not null)
        {
            await Postgres.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class HistoryCollection : ICollectionFixture<HistoryFixture>
{
    public const string Name = "history";
}

/// <summary>A database of its own for the outage test: stopping PostgreSQL leaves broken idle connections in the other tests' pools.</summary>
public sealed class HistoryOutageFixture() : HistoryFixture("history-outage");

[CollectionDefinition(Name)]
public sealed class HistoryOutageCollection : ICollectionFixture<HistoryOutageFixture>
{
    public const string Name = "history-outage";
}
