using Microsoft.Extensions.Options;

namespace ExamConsole.Data.Fleet;

/// <summary>This node's place in the fleet (section <c>Fleet</c>).</summary>
public sealed class FleetOptions
{
    public const string SectionName = "Fleet";

    /// <summary>The node's name, its identity across restarts; empty: the machine's name and the port of the first URL it serves.</summary>
    public string NodeName { get; set; } = "";

    /// <summary>Where operators reach this node; empty: the first URL it serves.</summary>
    public string Url { get; set; } = "";

    /// <summary>How often the node reports its figures and checks the desired state's version.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A node not heard from for this many heartbeats is not alive: its share of the budget goes to the others.</summary>
    public int MissedHeartbeats { get; set; } = 3;

    /// <summary>A node not heard from for this long leaves the list (it stays listed, not alive, for the exam day).</summary>
    public TimeSpan ForgetAfter { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How long a node that starts waits for the desired state before it serves with its own configuration.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The time after which a silent node is not alive.</summary>
    public TimeSpan AliveWindow => HeartbeatInterval * MissedHeartbeats;
}

public sealed class FleetOptionsValidator : IValidateOptions<FleetOptions>
{
    public ValidateOptionsResult Validate(string? name, FleetOptions o) =>
        new OptionsCheck(FleetOptions.SectionName)
            .Require(o.NodeName.Length <= FleetNodeRow.MaxNameLength, nameof(o.NodeName), $"must be at most {FleetNodeRow.MaxNameLength} characters", o.NodeName.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Require(o.Url.Length == 0 || Uri.TryCreate(o.Url, UriKind.Absolute, out _), nameof(o.Url), "must be an absolute URL such as http://10.0.0.5:5080, or empty for the first URL the node serves", OptionsCheck.Quote(o.Url))
            .Require(o.Url.Length <= FleetNodeRow.MaxUrlLength, nameof(o.Url), $"must be at most {FleetNodeRow.MaxUrlLength} characters", o.Url.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Between(nameof(o.HeartbeatInterval), o.HeartbeatInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1))
            .Between(nameof(o.MissedHeartbeats), o.MissedHeartbeats, 2, 20)
            .Between(nameof(o.ForgetAfter), o.ForgetAfter, TimeSpan.FromMinutes(1), TimeSpan.FromDays(30))
            .Between(nameof(o.StartTimeout), o.StartTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5))
            .Result;
}
