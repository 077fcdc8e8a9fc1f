using System.Globalization;

namespace ExamConsole.ExamDay;

/// <summary>
/// A command line of "--name value" pairs (and bare flags named up front), read one option at a
/// time; each read removes the option, so that what is left at the end is unknown. Only an option
/// read with <see cref="Strings"/> may be given more than once.
/// </summary>
public sealed class OptionValues
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    public OptionValues(IReadOnlyList<string> args, params string[] flags)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg.StartsWith("--", StringComparison.Ordinal) && flags.Contains(arg[2..]))
            {
                _flags.Add(arg[2..]);
                continue;
            }
            if (!arg.StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Count)
            {
                throw new ArgumentException($"Unexpected argument '{arg}': options are --name value (see --help).");
            }
            var name = arg[2..];
            if (!_values.TryGetValue(name, out var given))
            {
                _values[name] = given = [];
            }
            given.Add(args[++i]);
        }
    }

    public bool Flag(string name) => _flags.Contains(name);

    public bool Has(string name) => _values.ContainsKey(name);

    public string? String(string name, string? fallback = null) => One(name, out var v) ? v : fallback;

    /// <summary>Every value of an option that may be repeated (--url A --url B), in order.</summary>
    public IReadOnlyList<string> Strings(string name) => _values.Remove(name, out var all) ? all : [];

    private bool One(string name, out string value)
    {
        if (!_values.Remove(name, out var all))
        {
            value = "";
            return false;
        }
        value = all.Count == 1 ? all[0] : throw new ArgumentException($"--{name} was given {all.Count} times: once only.");
        return true;
    }

    public int Int(string name, int fallback, int min, int max) =>
        One(name, out var text)
            ? int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
                ? v
                : throw new ArgumentException($"--{name} must be a whole number from {min} to {max} (got '{text}').")
            : fallback;

    public double Double(string name, double fallback, double min, double max) =>
        One(name, out var text)
            ? double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
                ? v
                : throw new ArgumentException($"--{name} must be a number from {min} to {max} (got '{text}').")
            : fallback;

    public TimeSpan Seconds(string name, TimeSpan fallback, double min, double max) =>
        TimeSpan.FromSeconds(Double(name, fallback.TotalSeconds, min, max));

    /// <summary>Throws for the first option nobody read.</summary>
    public void EnsureAllRead()
    {
        if (_values.Count > 0)
        {
            throw new ArgumentException($"Unknown option --{_values.Keys.First()} (see --help).");
        }
    }
}
