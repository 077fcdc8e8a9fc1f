using ExamConsole.Console.Components.Controls;
using ExamConsole.Console.Model;
using ExamConsole.Console.Tests.Fakes;

namespace ExamConsole.Console.Tests.Controls;

public sealed class TimeRangePickerTests : ConsoleTest
{
    private readonly List<TimeRange> _chosen = [];

    private IRenderedComponent<TimeRangePicker> RenderPicker(RangeKind initial = RangeKind.Live) =>
        Render<TimeRangePicker>(p => p
            .Add(x => x.Kinds, [RangeKind.Live, RangeKind.LastHour, RangeKind.ExamDay, RangeKind.Custom])
            .Add(x => x.Initial, initial)
            .Add(x => x.RangeChanged, range => _chosen.Add(range)));

    private static string Pressed(IRenderedComponent<TimeRangePicker> cut, RangeKind kind) =>
        cut.Find($"[data-testid=range-{TimeRangePicker.Slug(kind)}]").GetAttribute("aria-pressed")!;

    private static void Custom(IRenderedComponent<TimeRangePicker> cut, string from, string to)
    {
        cut.Find("#range-from").Change(from);
        cut.Find("#range-to").Change(to);
        cut.Find("[data-testid=range-apply]").Click();
    }

    [Fact]
    public void Picker_Opens_OnItsInitialKind_WithNoCustomInputs()
    {
        var cut = RenderPicker();

        Assert.Equal("true", Pressed(cut, RangeKind.Live));
        Assert.Equal("false", Pressed(cut, RangeKind.LastHour));
        Assert.Empty(cut.FindAll("[data-testid=custom-range]"));
        Assert.Empty(_chosen);
    }

    [Fact]
    public void Picker_LastHour_RaisesTheHourUpToNow_AndShowsItChosen()
    {
        var cut = RenderPicker();

        cut.Find("[data-testid=range-lasthour]").Click();

        Assert.Equal(new TimeRange(RangeKind.LastHour, Samples.Start.AddHours(-1), Samples.Start), Assert.Single(_chosen));
        Assert.Equal("true", Pressed(cut, RangeKind.LastHour));
        Assert.Equal("false", Pressed(cut, RangeKind.Live));
    }

    [Fact]
    public void Picker_ExamDay_StartsAtMidnightInUtc_WhenTimesAreShownInUtc()
    {
        var cut = RenderPicker();

        cut.Find("[data-testid=range-examday]").Click();

        var range = Assert.Single(_chosen);
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero), range.From);
        Assert.Equal(Samples.Start, range.To);
    }

    [Fact]
    public void Picker_ExamDay_StartsAtTheBrowsersMidnight_WhenTimesAreShownInLocalTime()
    {
        // Prague is UTC+1 in November: its 00:00 on the 27th is 23:00 UTC on the 26th.
        Preferences.Load("Europe/Prague", DisplayPreferences.LocalValue, null, systemDark: false);
        var cut = RenderPicker();

        cut.Find("[data-testid=range-examday]").Click();

        Assert.Equal(new DateTimeOffset(2026, 11, 26, 23, 0, 0, TimeSpan.Zero), Assert.Single(_chosen).From);
    }

    [Fact]
    public void Picker_Custom_OffersInputsStartingAtTheLastHour_AndRaisesNothingUntilShown()
    {
        var cut = RenderPicker();

        cut.Find("[data-testid=range-custom]").Click();

        Assert.Equal("2026-11-27T08:00", cut.Find("#range-from").GetAttribute("value"));
        Assert.Equal("2026-11-27T09:00", cut.Find("#range-to").GetAttribute("value"));
        Assert.Equal("datetime-local", cut.Find("#range-from").GetAttribute("type"));
        Assert.Empty(_chosen);
    }

    [Fact]
    public void Picker_CustomValid_RaisesTheRangeInUtc_FromInputsReadInLocalTime()
    {
        Preferences.Load("Europe/Prague", DisplayPreferences.LocalValue, null, systemDark: false);
        var cut = RenderPicker();
        cut.Find("[data-testid=range-custom]").Click();

        Custom(cut, "2026-11-27T08:30", "2026-11-27T09:45");

        var range = Assert.Single(_chosen);
        Assert.Equal(new TimeRange(RangeKind.Custom, new(2026, 11, 27, 7, 30, 0, TimeSpan.Zero), new(2026, 11, 27, 8, 45, 0, TimeSpan.Zero)), range);
        Assert.Empty(cut.FindAll("[data-testid=range-error]"));
    }

    [Theory]
    [InlineData("2026-11-27T08:30", "2026-11-27T08:30", "To must be after from.")]
    [InlineData("2026-11-27T08:30", "2026-11-27T08:00", "To must be after from.")]
    [InlineData("2026-11-27T08:30", "2026-11-27T09:30", "To must not be in the future.")]
    [InlineData("", "2026-11-27T08:00", "From must be a date and time")]
    [InlineData("2026-11-27T08:00", "yesterday", "To must be a date and time")]
    public void Picker_CustomInvalid_SaysWhy_AndRaisesNothing(string from, string to, string reason)
    {
        var cut = RenderPicker();
        cut.Find("[data-testid=range-custom]").Click();

        Custom(cut, from, to);

        Assert.Contains(reason, cut.Find("[data-testid=range-error]").TextContent);
        Assert.Empty(_chosen);
    }

    [Fact]
    public void Picker_CustomFixed_AfterARefusal_ClearsTheReason()
    {
        var cut = RenderPicker();
        cut.Find("[data-testid=range-custom]").Click();
        Custom(cut, "2026-11-27T08:30", "2026-11-27T08:00");

        Custom(cut, "2026-11-27T08:00", "2026-11-27T08:30");

        Assert.Empty(cut.FindAll("[data-testid=range-error]"));
        Assert.Single(_chosen);
    }
}
