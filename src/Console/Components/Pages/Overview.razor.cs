using ExamConsole.Console.Components.Controls;
using ExamConsole.Console.Model;
using ExamConsole.Data.Pool;

namespace ExamConsole.Console.Components.Pages;

public partial class Overview
{
    private IReadOnlyList<HistoryPoint> _history = [];

    private double AcquireTargetMs => ConsoleOptions.Value.AcquireTargetMs;

    protected override Task OnLiveUpdateAsync()
    {
        _history = Feed.History();
        return Task.CompletedTask;
    }

    private string AcquireClass(double milliseconds) =>
        BandStyle.ClassOf(milliseconds <= AcquireTargetMs ? UtilizationBands.Green : UtilizationBands.Red);
}
