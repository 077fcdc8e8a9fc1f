using System.Runtime.Versioning;
using ExamConsole.Testing;
using Microsoft.Extensions.Options;

namespace ExamConsole.Api.Tests;

/// <summary>
/// Every options section refuses a nonsense value at start, naming the key and the accepted range.
/// The host is given a database that does not answer: the settings are refused before it is
/// touched, so a row whose value were not checked at start would fail on the connection instead.
/// </summary>
public sealed class StartupValidationTests
{
    private const string NoDatabase = "Host=127.0.0.1;Port=1;Database=none;Username=none;Timeout=1";

    [Theory]
    [InlineData("Pool:MinSize", "50", "Pool:MinSize must be between 0 and Pool:MaxSize")]
    [InlineData("Pool:MaxSize", "0", "Pool:MaxSize must be between 1 and 100000")]
    [InlineData("Pool:AcquireTimeout", "00:00:00.050", "Pool:AcquireTimeout must be between 100 ms and 60 s")]
    [InlineData("Pool:IdleTimeout", "00:00:00.500", "Pool:IdleTimeout must be a whole number of seconds")]
    [InlineData("Pool:Bands:YellowFromPercent", "80", "Pool:Bands must satisfy")]
    [InlineData("Pool:PercentileWindow", "00:00:00", "Pool:PercentileWindow must be between 1 s and 1 h")]
    [InlineData("Admission:MaxConcurrent", "0", "Admission:MaxConcurrent must be between 1 and 1000000, or empty for no limit (got 0).")]
    [InlineData("Admission:AdaptiveCeiling", "4", "Admission:AdaptiveCeiling must be between 8 and 1000000 (got 4).")]
    [InlineData("Admission:MaxRetryAfter", "00:00:00.500", "Admission:MaxRetryAfter must be a whole number of seconds between Admission:RetryAfter (00:00:01) and 00:05:00")]
    [InlineData("Resilience:MaxRetries", "11", "Resilience:MaxRetries must be between 0 and 10 (got 11).")]
    [InlineData("Resilience:MinimumThroughput", "1", "Resilience:MinimumThroughput must be between 2 and 100000 (got 1).")]
    [InlineData("Submit:Committers", "0", "Submit:Committers must be between 1 and 64 (got 0).")]
    [InlineData("Spool:ReplayInterval", "00:00:00", "Spool:ReplayInterval must be between 00:00:00.01 and 00:05:00 (got 00:00:00).")]
    [InlineData("Auth:SigningKey", "short-key", "Auth:SigningKey must be at least 32 bytes long (UTF-8), or empty for a random key of this process (got 9 bytes).")]
    [InlineData("ExamApi:MaxRequestBodyBytes", "0", "ExamApi:MaxRequestBodyBytes must be between 1024 and 16777216 (got 0).")]
    [InlineData("Seed:Teachers", "0", "Seed:Teachers must be between 1 and 1000000 (got 0).")]
    [InlineData("Database:MaintenanceTimeout", "00:00:10", "Database:MaintenanceTimeout must be a whole number of seconds between 00:01:00 and 1.00:00:00 (got 00:00:10).")]
    [InlineData("ServerTelemetry:SlowCommandCapacity", "0", "ServerTelemetry:SlowCommandCapacity must be between 1 and 100000")]
    [InlineData("Readiness:CheckTimeout", "00:00:00", "Readiness:CheckTimeout must be between 00:00:00.1 and 00:01:00")]
    [InlineData("Console:RenderThrottle", "00:01:00", "Console:RenderThrottle must be between 00:00:00 and 00:00:05")]
    [InlineData("Admin:TokenLifetime", "00:00:10", "Admin:TokenLifetime must be between 00:01:00 and 7.00:00:00")]
    public void Host_WithNonsenseSetting_RefusesToStartNamingTheKeyAndRange(string key, string value, string message)
    {
        using var host = new ExamHostFactory(NoDatabase);
        host.Settings["Pool:MaxSize"] = "10";
        host.Settings[key] = value;

        var error = Assert.ThrowsAny<Exception>(() => host.Server);

        var validation = Assert.IsType<OptionsValidationException>(error is OptionsValidationException ? error : error.InnerException ?? error);
        Assert.Contains(message, validation.Message);
    }

    [Fact]
    public void Host_WithUnreadableSwitch_RefusesToStartNamingTheKey()
    {
        // The submission path reads its options on the first submit: only ValidateOnStart makes this a start failure.
        using var host = new ExamHostFactory(NoDatabase);
        host.Settings["Submit:GroupCommit"] = "maybe";

        var error = Assert.ThrowsAny<Exception>(() => host.Server);

        var binding = Assert.IsType<InvalidOperationException>(error.InnerException is InvalidOperationException inner ? inner : error);
        Assert.Contains("Submit:GroupCommit", binding.Message);
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public void Host_WithAKeyFileOthersMayRead_RefusesToStartNamingTheFix()
    {
        var directory = Directory.CreateTempSubdirectory("examconsole-key-");
        var keyFile = Path.Combine(directory.FullName, "signing-key");
        Exception error;
        try
        {
            File.WriteAllText(keyFile, Convert.ToBase64String(new byte[64]));
            File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
            using var host = new ExamHostFactory(NoDatabase);
            host.Settings["Auth:SigningKey"] = "";
            host.Settings["Auth:SigningKeyFile"] = keyFile;

            error = Assert.ThrowsAny<Exception>(() => host.Server);
        }
        finally
        {
            directory.Delete(recursive: true);
        }

        var refused = Assert.IsType<InvalidOperationException>(error is InvalidOperationException ? error : error.InnerException ?? error);
        Assert.Contains($"chmod 600 {keyFile}", refused.Message);
    }
}
