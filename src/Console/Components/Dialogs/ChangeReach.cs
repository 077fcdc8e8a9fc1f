using System.Globalization;

namespace ExamConsole.Console.Components.Dialogs;

/// <summary>How far a change goes, said in every change dialog before the operator confirms.</summary>
public static class ChangeReach
{
    public const string ThisNodeOnly = "Acts on this node only: every other node keeps its own.";

    /// <summary>A change of the fleet's settings: every live node applies it and acknowledges.</summary>
    public static string Fleet(int liveNodes) =>
        liveNodes == 1
            ? "Reaches 1 live node (this one): a node that joins later applies it as it starts."
            : $"Reaches {liveNodes.ToString(CultureInfo.InvariantCulture)} live nodes: each applies it within a second and acknowledges it.";
}
