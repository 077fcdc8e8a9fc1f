namespace ExamConsole.Data.Fleet;

/// <summary>The fleet's connection budget and how many nodes share it, for checks that look past this node.</summary>
public interface IFleetBudget
{
    /// <summary>The fleet's total connection budget in force.</summary>
    int FleetMaxSize { get; }

    /// <summary>The live nodes the budget is split over (this one included).</summary>
    int LiveNodes { get; }
}
