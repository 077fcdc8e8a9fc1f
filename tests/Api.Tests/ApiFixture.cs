using ExamConsole.Testing;

namespace ExamConsole.Api.Tests;

/// <summary>One throwaway cluster and one host for the API tests; each test makes its own teachers.</summary>
public sealed partial class ApiFixture : IAsyncLifetime
{
    private TestPostgres? _postgres;

    public ExamHostFactory Factory { get; private set; } = null!;

    public TestData Data { get; private set; } = null!;

    public string ConnectionString => _postgres!.ConnectionString;

    public async Task InitializeAsync()
    {
        _postgres = await TestPostgres.StartAsync("api");
        Factory = new ExamHostFactory(_postgres.ConnectionString);
        // Building the server runs Program: migrations and the small demo seed.
        _ = Factory.Server;
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
