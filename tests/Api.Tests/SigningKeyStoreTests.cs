using System.Runtime.Versioning;
using ExamConsole.Api.Auth;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace ExamConsole.Api.Tests;

/// <summary>The token signing key kept with the local data: made once, owner-only, read back on every start.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class SigningKeyStoreTests : IDisposable
{
    private const string ConfiguredKey = "a-configured-signing-key-of-32-bytes!!!!";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "examconsole-key-" + Guid.NewGuid().ToString("N"));
    private readonly FakeLogger _logger = new();

    private string KeyFile => Path.Combine(_directory, "data", "signing-key");

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void KeyFile_OnFirstStart_IsCreatedOwnerOnlyWith64RandomBytes()
    {
        var key = SigningKeyStore.Load(new AuthOptions { SigningKeyFile = KeyFile }, _logger);

        Assert.Equal(SigningKeySource.FileCreated, key.Source);
        Assert.Equal(KeyFile, key.Path);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyFile));
        Assert.Equal(64, key.Key.Length);
        Assert.Equal(key.Key, Convert.FromBase64String(File.ReadAllText(KeyFile).Trim()));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(KeyFile)!, "*.tmp"));
        var log = Assert.Single(_logger.Collector.GetSnapshot());
        Assert.Equal(LogLevel.Information, log.Level);
        Assert.Contains("new key created in " + KeyFile, log.Message);
    }

    [Fact]
    public async Task KeyFile_OnSecondStart_IsReadBackAndAcceptsTheFirstStartsTokens()
    {
        var first = Tokens(new AuthOptions { SigningKeyFile = KeyFile });
        var (token, _) = first.IssueTeacherToken(7, "T0000007", [1]);

        var second = Tokens(new AuthOptions { SigningKeyFile = KeyFile });

        Assert.Equal(SigningKeySource.FileCreated, first.KeySource);
        Assert.Equal(SigningKeySource.FileRead, second.KeySource);
        Assert.Equal(first.SigningKey.Key, second.SigningKey.Key);
        Assert.True((await new JsonWebTokenHandler().ValidateTokenAsync(token, second.ValidationParameters)).IsValid);
        Assert.Contains(_logger.Collector.GetSnapshot(), l => l.Message.Contains("key read from " + KeyFile));
    }

    [Fact]
    public void ConfiguredKey_WithAKeyFileSet_WinsAndNoFileIsMade()
    {
        var key = SigningKeyStore.Load(new AuthOptions { SigningKey = ConfiguredKey, SigningKeyFile = KeyFile }, _logger);

        Assert.Equal(SigningKeySource.Configured, key.Source);
        Assert.Equal(System.Text.Encoding.UTF8.GetBytes(ConfiguredKey), key.Key);
        Assert.False(File.Exists(KeyFile));
    }

    [Fact]
    public void ConfiguredKey_WithAnExistingKeyFile_StillWins()
    {
        var fromFile = SigningKeyStore.Load(new AuthOptions { SigningKeyFile = KeyFile }, NullLogger.Instance);

        var key = SigningKeyStore.Load(new AuthOptions { SigningKey = ConfiguredKey, SigningKeyFile = KeyFile }, _logger);

        Assert.Equal(SigningKeySource.Configured, key.Source);
        Assert.NotEqual(fromFile.Key, key.Key);
        Assert.Contains(_logger.Collector.GetSnapshot(), l => l.Message.Contains($"key file {KeyFile} (Auth:SigningKeyFile) is not used"));
    }

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, "640")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead, "604")]
    public void KeyFile_OpenToGroupOrOthers_IsRefusedNamingThePathAndTheFix(UnixFileMode mode, string shown)
    {
        SigningKeyStore.Load(new AuthOptions { SigningKeyFile = KeyFile }, NullLogger.Instance);
        File.SetUnixFileMode(KeyFile, mode);

        var error = Assert.Throws<InvalidOperationException>(() => SigningKeyStore.Load(new AuthOptions { SigningKeyFile = KeyFile }, _logger));

        Assert.Contains(KeyFile, error.Message);
        Assert.Contains($"mode {shown}", error.Message);
        Assert.Contains($"chmod 600 {KeyFile}", error.Message);
    }

    [Fact]
    public void KeyFile_NotHoldingABase64Key_IsRefusedNamingThePath()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(KeyFile)!);
        File.WriteAllText(KeyFile, "short");
        File.SetUnixFileMode(KeyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var error = Assert.Throws<InvalidOperationException>(() => SigningKeyStore.Load(new AuthOptions { SigningKeyFile = KeyFile }, _logger));

        Assert.Contains(KeyFile, error.Message);
        Assert.Contains("at least 32 bytes", error.Message);
    }

    [Fact]
    public async Task KeyFile_ManyCreatorsAtOnce_AllEndWithTheOneKeyInTheFile()
    {
        const int creators = 8;
        using var start = new Barrier(creators);

        var keys = await Task.WhenAll(Enumerable.Range(0, creators).Select(_ => Task.Factory.StartNew(
            () =>
            {
                start.SignalAndWait(TimeSpan.FromSeconds(10));
                return SigningKeyStore.Load(new AuthOptions { SigningKeyFile = KeyFile }, NullLogger.Instance);
            },
            TaskCreationOptions.LongRunning)));

        var inFile = Convert.FromBase64String(File.ReadAllText(KeyFile).Trim());
        Assert.All(keys, k => Assert.Equal(inFile, k.Key));
        Assert.Single(keys, k => k.Source == SigningKeySource.FileCreated);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(KeyFile)!, "*.tmp"));
    }

    [Fact]
    public void NoKeyAndNoFile_GivesADifferentRandomKeyPerProcess_WithAWarning()
    {
        var first = SigningKeyStore.Load(new AuthOptions(), _logger);
        var second = SigningKeyStore.Load(new AuthOptions(), NullLogger.Instance);

        Assert.Equal(SigningKeySource.Ephemeral, first.Source);
        Assert.NotEqual(first.Key, second.Key);
        var log = Assert.Single(_logger.Collector.GetSnapshot());
        Assert.Equal(LogLevel.Warning, log.Level);
        Assert.Contains("Auth:SigningKeyFile", log.Message);
    }

    private TokenService Tokens(AuthOptions options) =>
        new(Options.Create(options), TimeProvider.System, new FakeLogger<TokenService>(_logger.Collector));
}
