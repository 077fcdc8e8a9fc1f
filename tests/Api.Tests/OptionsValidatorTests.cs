using ExamConsole.Api.Admission;
using ExamConsole.Api.Auth;
using ExamConsole.Api.Exams;
using ExamConsole.Api.Resilience;
using ExamConsole.Api.Submissions;
using ExamConsole.Api.Submissions.Spool;
using ExamConsole.Console.Hosting;
using ExamConsole.Console.Model;
using ExamConsole.Data.Seeding;
using Microsoft.Extensions.Options;

namespace ExamConsole.Api.Tests;

/// <summary>The options validators on their own: the rules StartupValidationTests cannot show one bad value at a time.</summary>
public sealed class OptionsValidatorTests
{
    [Fact]
    public void Validators_OfTheDefaults_AcceptThem()
    {
        ValidateOptionsResult[] results =
        [
            new AdmissionOptionsValidator().Validate(null, new AdmissionOptions()),
            new ResilienceOptionsValidator().Validate(null, new ResilienceOptions()),
            new SubmitOptionsValidator().Validate(null, new SubmitOptions()),
            new SpoolOptionsValidator().Validate(null, new SpoolOptions()),
            new AuthOptionsValidator().Validate(null, new AuthOptions()),
            new ExamApiOptionsValidator().Validate(null, new ExamApiOptions()),
            new SeedOptionsValidator().Validate(null, new SeedOptions()),
            new LocalPostgresOptionsValidator().Validate(null, new LocalPostgresOptions()),
            new ConsoleOptionsValidator().Validate(null, new ConsoleOptions()),
        ];

        Assert.All(results, result => Assert.True(result.Succeeded, result.FailureMessage));
    }

    [Fact]
    public void Auth_SigningKeyOf31Bytes_IsRefusedWithoutShowingTheKey()
    {
        const string key = "0123456789abcdef0123456789abcde";

        var result = new AuthOptionsValidator().Validate(null, new AuthOptions { SigningKey = key });

        var failure = Assert.Single(result.Failures!);
        Assert.Equal("Auth:SigningKey must be at least 32 bytes long (UTF-8), or empty for a random key of this process (got 31 bytes).", failure);
        Assert.DoesNotContain(key, failure);
    }

    [Fact]
    public void Auth_SigningKeyOf16TwoByteCharacters_IsAcceptedAs32Bytes()
    {
        var result = new AuthOptionsValidator().Validate(null, new AuthOptions { SigningKey = new string('é', 16) });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Admission_EmptyLimits_AreAccepted()
    {
        var result = new AdmissionOptionsValidator().Validate(null, new AdmissionOptions { MaxConcurrent = null, QueueLimit = null });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Admission_AdaptiveCeilingBelowItsFloor_IsRefusedNamingBoth()
    {
        var result = new AdmissionOptionsValidator().Validate(null, new AdmissionOptions { Mode = AdmissionMode.Adaptive, AdaptiveFloor = 100, AdaptiveCeiling = 50 });

        Assert.Equal("Admission:AdaptiveCeiling must be between 100 and 1000000 (got 50).", Assert.Single(result.Failures!));
    }

    [Theory]
    [InlineData(0.9, 8, 0.25, 0, "Admission:AdaptiveStep must be between 0.05 and 0.5 (got 0.9).")]
    [InlineData(0.15, 1, 0.25, 0, "Admission:AdaptiveFitCycles must be between 2 and 64 (got 1).")]
    [InlineData(0.15, 65, 0.25, 0, "Admission:AdaptiveFitCycles must be between 2 and 64 (got 65).")]
    [InlineData(0.15, 8, -0.1, 0, "Admission:AdaptiveMinimumGain must be between 0 and 0.9 (got -0.1).")]
    [InlineData(0.15, 8, 1.0, 0, "Admission:AdaptiveMinimumGain must be between 0 and 0.9 (got 1).")]
    [InlineData(0.15, 8, 0.25, -1, "Admission:AdaptiveRestCycles must be between 0 and 64 (got -1).")]
    [InlineData(0.15, 8, 0.25, 65, "Admission:AdaptiveRestCycles must be between 0 and 64 (got 65).")]
    public void Admission_AdaptiveNonsense_IsRefused(double step, int fitCycles, double minimumGain, int restCycles, string expected)
    {
        var result = new AdmissionOptionsValidator().Validate(null, new AdmissionOptions { AdaptiveStep = step, AdaptiveFitCycles = fitCycles, AdaptiveMinimumGain = minimumGain, AdaptiveRestCycles = restCycles });

        Assert.Equal(expected, Assert.Single(result.Failures!));
    }

    [Fact]
    public void Admission_UnknownProbe_IsRefused()
    {
        var result = new AdmissionOptionsValidator().Validate(null, new AdmissionOptions { AdaptiveProbe = (AdaptiveProbe)3 });

        Assert.Equal("Admission:AdaptiveProbe must be Around or Above (got 3).", Assert.Single(result.Failures!));
    }

    [Fact]
    public void Admission_UnknownMode_IsRefused()
    {
        var result = new AdmissionOptionsValidator().Validate(null, new AdmissionOptions { Mode = (AdmissionMode)7 });

        Assert.Equal("Admission:Mode must be Fixed or Adaptive (got 7).", Assert.Single(result.Failures!));
    }

    [Fact]
    public void Admission_FractionalRetryAfter_IsRefusedAsTheHeaderIsWholeSeconds()
    {
        var result = new AdmissionOptionsValidator().Validate(null, new AdmissionOptions { RetryAfter = TimeSpan.FromMilliseconds(1500) });

        Assert.Equal(
            "Admission:RetryAfter must be a whole number of seconds between 00:00:01 and 00:05:00 (got 00:00:01.5).",
            Assert.Single(result.Failures!));
    }

    [Fact]
    public void Admission_MaxRetryAfterBelowRetryAfter_IsRefusedNotRaised()
    {
        var result = new AdmissionOptionsValidator().Validate(null, new AdmissionOptions
        {
            RetryAfter = TimeSpan.FromSeconds(5),
            MaxRetryAfter = TimeSpan.FromSeconds(2),
        });

        Assert.Equal(
            "Admission:MaxRetryAfter must be a whole number of seconds between Admission:RetryAfter (00:00:05) and 00:05:00 (got 00:00:02).",
            Assert.Single(result.Failures!));
    }

    [Fact]
    public void Resilience_NoRetries_IsAccepted()
    {
        var result = new ResilienceOptionsValidator().Validate(null, new ResilienceOptions { MaxRetries = 0, RetryDelay = TimeSpan.Zero });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Resilience_SeveralBadValues_AreAllNamed()
    {
        var result = new ResilienceOptionsValidator().Validate(null, new ResilienceOptions { FailureRatio = 0, BreakDuration = TimeSpan.FromMilliseconds(100) });

        Assert.Equal(
            new[]
            {
                "Resilience:FailureRatio must be between 0.01 and 1 (got 0).",
                "Resilience:BreakDuration must be between 00:00:00.5 and 00:10:00 (got 00:00:00.1).",
            },
            result.Failures!);
    }

    [Fact]
    public void Submit_MaxWaitOfAMinute_IsRefused()
    {
        var result = new SubmitOptionsValidator().Validate(null, new SubmitOptions { MaxWait = TimeSpan.FromMinutes(1) });

        Assert.Equal("Submit:MaxWait must be between 00:00:00 and 00:00:01 (got 00:01:00).", Assert.Single(result.Failures!));
    }

    [Fact]
    public void Spool_EmptyDirectory_IsRefused()
    {
        var result = new SpoolOptionsValidator().Validate(null, new SpoolOptions { Directory = " " });

        Assert.Equal("Spool:Directory must name a folder (absolute, or relative to the content root) (got \" \").", Assert.Single(result.Failures!));
    }

    [Fact]
    public void ExamApi_ZeroCatalogRefresh_IsAcceptedAsTheTestsUseIt()
    {
        var result = new ExamApiOptionsValidator().Validate(null, new ExamApiOptions { CatalogRefresh = TimeSpan.Zero });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Console_HistoryWhoseSampleCountWrapsPastInt_IsRefused()
    {
        // 2^32 + 600 samples of 100 ms: cast to int it would read as 600, a valid-looking ring.
        var options = new ConsoleOptions
        {
            SampleInterval = TimeSpan.FromMilliseconds(100),
            History = TimeSpan.FromTicks(((1L << 32) + 600) * TimeSpan.FromMilliseconds(100).Ticks),
        };

        var result = new ConsoleOptionsValidator().Validate(null, options);

        Assert.StartsWith("Console:History must hold at least one and at most 100000 samples", Assert.Single(result.Failures!));
    }

    [Fact]
    public void Console_FractionalSloWindow_IsRefused()
    {
        var result = new ConsoleOptionsValidator().Validate(null, new ConsoleOptions { SloWindow = TimeSpan.FromMilliseconds(1500) });

        Assert.StartsWith("Console:SloWindow must be a whole number of seconds between 00:00:01 and 00:10:00", Assert.Single(result.Failures!));
    }

    [Fact]
    public void LocalPostgres_DatabaseNameOver63Bytes_IsRefusedRatherThanCut()
    {
        var result = new LocalPostgresOptionsValidator().Validate(null, new LocalPostgresOptions { Database = new string('x', 64) });

        Assert.StartsWith("LocalPostgres:Database must be between 1 and 63 bytes long (UTF-8)", Assert.Single(result.Failures!));
    }

    [Fact]
    public void LocalPostgres_SettingOnTwoLines_IsRefused()
    {
        var options = new LocalPostgresOptions();
        options.Settings["work_mem"] = "2MB\nfsync = off";

        var result = new LocalPostgresOptionsValidator().Validate(null, options);

        Assert.StartsWith("LocalPostgres:Settings:work_mem must be a setting name without spaces and a value on one line", Assert.Single(result.Failures!));
    }

    [Fact]
    public async Task LocalPostgres_StartWithPrivilegedPort_IsRefusedBeforeTheClusterIsMade()
    {
        var directory = Path.Combine(Path.GetTempPath(), "examconsole-refused-" + Guid.NewGuid().ToString("N"));
        try
        {
            var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
                LocalPostgres.StartAsync(new LocalPostgresOptions { DataDirectory = directory, Port = 80, Throwaway = true }));

            Assert.Contains("LocalPostgres:Port must be between 1024 and 65535, or 0 for a free port (got 80).", error.Message);
            Assert.False(Directory.Exists(directory));
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    [Fact]
    public void Seed_TeachersOverTheLimit_IsRefused()
    {
        var result = new SeedOptionsValidator().Validate(null, new SeedOptions { Teachers = 2_000_000, PasswordIterations = 0 });

        Assert.Equal(
            new[]
            {
                "Seed:Teachers must be between 1 and 1000000 (got 2000000).",
                "Seed:PasswordIterations must be between 1 and 1000000 (got 0).",
            },
            result.Failures!);
    }
}
