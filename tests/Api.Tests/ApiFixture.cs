using ExamConsole.Testing;

namespace ExamConsole.Api.Tests;

/// <summary>One throwaway cluster and one host for the API tests; each test makes its own teachers.</summary>
public sealed partial class ApiFixture : IAsyncLifetime
{
    private TestPostgres? _postgres;

    public ExamHostFactory Factory { get; private set; } = null!;

    public TestData Data { get; private set; } = null!;

    public string ConnectionString => _postgres!.ConnectionString;

    public TestPostgres Postgres => _postgres!;

    public async Task InitializeAsync()
    {
        _postgres = await TestPostgres.StartAsync("api");
        Factory = new ExamHostFactory(_postgres.ConnectionString);
        // Every test makes its own exams, at any moment of the run and in any order. With the default
        // 30 s catalog cache, an exam created after another test loaded the catalog would stay unknown
        // (404) to this host until the next refresh, so the outcome would depend on test order. A zero
        // refresh reads the catalog on every request: one cheap query, and each test stays independent.
        Factory.Settings["ExamApi:CatalogRefresh"] = "00:00:00";
        // Kestrel on a free loopback port rather than the in-memory TestServer: the body cap of a chunked
        // request, HTTP/1.1 parsing and connection handling are Kestrel's, and only real sockets test them.
        Factory.UseKestrel(0);
        // Starting the server runs Program: migrations and the small demo seed.
        Factory.StartServer();
        Data = new TestData(_postgres.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFixture>
{
    public const string Name = "api";
}
