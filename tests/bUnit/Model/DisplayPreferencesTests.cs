using ExamConsole.Console.Model;
using ExamConsole.Console.Tests.Fakes;

namespace ExamConsole.Console.Tests.Model;

public sealed class DisplayPreferencesTests
{
    [Fact]
    public void Load_NothingStored_ShowsUtc_AndFollowsTheSystemsDarkMode()
    {
        var preferences = new DisplayPreferences();

        preferences.Load("Europe/Prague", zone: null, theme: null, systemDark: true);

        Assert.True(preferences.UseUtc);
        Assert.Equal(ThemeChoice.System, preferences.Theme);
        Assert.True(preferences.IsDark);
        preferences.SetSystemDark(false);
        Assert.False(preferences.IsDark);
    }

    [Fact]
    public void Load_ALightChoice_WinsOverADarkSystem()
    {
        var preferences = new DisplayPreferences();

        preferences.Load("Europe/Prague", zone: null, theme: "light", systemDark: true);

        Assert.False(preferences.IsDark);
    }

    [Theory]
    [InlineData("Not/AZone")]
    [InlineData(null)]
    [InlineData("")]
    public void Load_AZoneTheServerDoesNotKnow_FallsBackToUtc(string? zone)
    {
        var preferences = new DisplayPreferences();

        preferences.Load(zone, DisplayPreferences.LocalValue, null, systemDark: false);

        Assert.Equal(TimeZoneInfo.Utc, preferences.Zone);
    }

    [Fact]
    public void Local_WritesTimesInTheBrowsersZone()
    {
        var preferences = new DisplayPreferences();
        preferences.Load("Europe/Prague", DisplayPreferences.LocalValue, null, systemDark: false);

        Assert.Equal("10:00:00", preferences.Time(Samples.Start));
        preferences.SetUtc(true);
        Assert.Equal("09:00:00", preferences.Time(Samples.Start));
    }

    [Fact]
    public void MidnightIn_ADayThatStartsOnADaylightSavingChange_StartsAtItsFirstValidMinute()
    {
        // Santiago's clocks went from 23:59:59 to 01:00 on 2024-09-08: that day has no 00:00.
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/Santiago");
        var now = new DateTimeOffset(2024, 9, 8, 15, 0, 0, TimeSpan.Zero);

        var midnight = TimeRange.MidnightIn(now, zone);

        Assert.Equal(new DateTimeOffset(2024, 9, 8, 4, 0, 0, TimeSpan.Zero), midnight);
    }
}
