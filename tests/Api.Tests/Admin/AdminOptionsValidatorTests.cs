using ExamConsole.Data.Admin;

namespace ExamConsole.Api.Tests.Admin;

public sealed class AdminOptionsValidatorTests
{
    [Theory]
    [InlineData("00:00:00", true)]
    [InlineData("00:00:05", true)]
    [InlineData("00:00:05.001", false)]
    [InlineData("-00:00:01", false)]
    public void StampCacheDuration_IsAcceptedFrom0To5s(string duration, bool valid)
    {
        var result = new AdminOptionsValidator().Validate(null, new AdminOptions { StampCacheDuration = TimeSpan.Parse(duration, System.Globalization.CultureInfo.InvariantCulture) });

        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.Contains("Admin:StampCacheDuration must be between 00:00:00 and 00:00:05", result.FailureMessage);
        }
    }
}
