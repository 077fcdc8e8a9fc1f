using ExamConsole.Data.Fleet;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ExamConsole.Api.Fleet;

/// <summary>The fleet's desired state as the operator actions change it and read the budget in force.</summary>
public interface IFleetSettings : IFleetBudget
{
    /// <summary>The connections each node keeps open.</summary>
    int MinSizePerNode { get; }

    /// <summary>Writes the change as the next version and puts it in force here; returns the version, or null when it could only be applied here.</summary>
    Task<long?> ChangeAsync(string actor, Func<FleetSettings, long, FleetSettings> change, CancellationToken cancellationToken);
}

/// <summary>
/// The one way an operator's change reaches the fleet: written as the next version of the desired
/// state (announced to every node at commit), then put in force here at once and acknowledged, so
/// that the operator's answer already shows it. When the database cannot take the change (an
/// outage is when the circuit and the fallback are switched), it is applied on this node alone and
/// the log says so.
/// </summary>
public sealed partial class FleetChanges(FleetStore store, SettingsApplier applier, FleetMembership membership, ILogger<FleetChanges> logger) : IFleetSettings
{
    public int LiveNodes => applier.LiveNodes;

    public int FleetMaxSize => applier.FleetMaxSize;

    public int MinSizePerNode => applier.MinSizePerNode;

    /// <summary>Returns the version written, or null when the change could only be applied here.</summary>
    public async Task<long?> ChangeAsync(string actor, Func<FleetSettings, long, FleetSettings> change, CancellationToken cancellationToken)
    {
        FleetSettingsVersion written;
        try
        {
            written = await store.ChangeAsync(actor, change, cancellationToken);
        }
        catch (Exception ex) when (FleetMembership.IsDatabaseFailure(ex))
        {
            Log.AppliedHereOnly(logger, actor, ex.Message);
            await applier.ApplyHereAsync(change(FleetSettings.None, 0), actor, cancellationToken);
            return null;
        }
        try
        {
            await membership.ApplyAndAcknowledgeAsync(written, applier.LiveNodes, cancellationToken);
        }
        catch (Exception ex) when (FleetMembership.IsDatabaseFailure(ex))
        {
            // Written and announced: the other nodes apply it; this node's acknowledgement waits for its next refresh.
            Log.AcknowledgementFailed(logger, written.Version, ex.Message);
        }
        return written.Version;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 7131, Level = LogLevel.Warning, Message = "Settings version {Version} is written, but this node could not record applying it ({Reason}).")]
        public static partial void AcknowledgementFailed(ILogger logger, long version, string reason);

        [LoggerMessage(EventId = 7130, Level = LogLevel.Warning, Message = "A change by {Actor} could not be written to the fleet's settings ({Reason}); it is in force on this node only, until the next version from the database.")]
        public static partial void AppliedHereOnly(ILogger logger, string actor, string reason);
    }
}
