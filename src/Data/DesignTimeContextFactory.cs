using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace ExamConsole.Data;

/// <summary>Lets `dotnet ef migrations add` build the model; it never connects.</summary>
internal sealed class DesignTimeContextFactory : IDesignTimeDbContextFactory<ExamDbContext>
{
    public ExamDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<ExamDbContext>();
        options.UseNpgsql("Host=127.0.0.1;Database=exam").UseSnakeCaseNamingConvention();
        return new ExamDbContext(options.Options);
    }
}
