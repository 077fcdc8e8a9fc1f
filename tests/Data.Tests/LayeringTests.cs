namespace ExamConsole.Data.Tests;

/// <summary>The data side stands on Npgsql, EF Core and Microsoft.Extensions only: web hosting is the API's and the console's.</summary>
public sealed class LayeringTests
{
    [Fact]
    public void DataAssembly_ReferencedAssemblies_IncludeNoAspNetCoreNorTheUpperProjects()
    {
        var references = typeof(ExamDb).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.Contains("Npgsql", references);
        Assert.DoesNotContain(references, name => name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.DoesNotContain(references, name => name.StartsWith("ExamConsole.", StringComparison.Ordinal));
    }
}
