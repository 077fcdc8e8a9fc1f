using ExamConsole.Data.Pool;
using Microsoft.EntityFrameworkCore;

namespace ExamConsole.Data;

/// <summary>
/// Hands out <see cref="ExamDbContext"/> instances from EF Core's context pool, each bound to a
/// connection of the pool's current data source generation. Use one per unit of work.
/// </summary>
public sealed class ExamDb(IDbContextFactory<ExamDbContext> pooledFactory, ExamDataSource dataSource)
{
    public ExamDbContext CreateContext()
    {
        var context = pooledFactory.CreateDbContext();
        context.Database.SetDbConnection(dataSource.Current.CreateConnection(), contextOwnsConnection: true);
        return context;
    }
}

public static class ExamDbContextExtensions
{
    /// <summary>Opens the context's connection for plain Npgsql commands (the hot paths' single-trip SQL).</summary>
    public static async Task<Npgsql.NpgsqlConnection> OpenNpgsqlConnectionAsync(this ExamDbContext context, CancellationToken cancellationToken)
    {
        var connection = (Npgsql.NpgsqlConnection)context.Database.GetDbConnection();
        await connection.OpenAsync(cancellationToken);
        return connection;
    }
}
