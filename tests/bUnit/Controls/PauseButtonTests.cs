using ExamConsole.Console.Components.Controls;

namespace ExamConsole.Console.Tests.Controls;

public sealed class PauseButtonTests : ConsoleTest
{
    [Fact]
    public void Button_AsksThePageToToggle_AndSaysWhenItWasPaused()
    {
        var asked = 0;
        var cut = Render<PauseButton>(p => p
            .Add(b => b.Paused, true)
            .Add(b => b.At, Fakes.Samples.Start)
            .Add(b => b.PausedChanged, () => asked++));

        Assert.Contains("Resume", cut.Find("[data-testid=pause]").TextContent);
        Assert.Contains("09:00:00", cut.Find("[data-testid=paused-at]").TextContent);
        cut.Find("[data-testid=pause]").Click();
        Assert.Equal(1, asked);
    }
}
