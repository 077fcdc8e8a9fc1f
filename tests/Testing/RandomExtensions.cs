namespace ExamConsole.Testing;

/// <summary>Draws the tests' synthetic noise needs from a seeded <see cref="Random"/>.</summary>
public static class RandomExtensions
{
    /// <summary>A standard normal draw (mean 0, standard deviation 1), by the Box-Muller transform.</summary>
    public static double NextNormal(this Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
