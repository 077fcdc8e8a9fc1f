using BenchmarkDotNet.Running;

namespace ExamConsole.Benchmarks;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is ["group-commit", ..])
        {
            return await GroupCommitLoad.RunAsync(args);
        }
        if (args is ["fleet-fanout", ..])
        {
            return await FleetFanOut.RunAsync(args);
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
