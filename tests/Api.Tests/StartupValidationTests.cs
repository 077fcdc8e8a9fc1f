using System.Runtime.Versioning;
using ExamConsole.Testing;
using Microsoft.Extensions.Options;

namespace ExamConsole.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class StartupValidationTests(ApiFixture fixture)
{
    [Theory]
    [InlineData("Pool:MinSize", "50", "Pool:MinSize must be between 0 and Pool:MaxSize")]
    [InlineData("Pool:MaxSize", "0", "Pool:MaxSize must be between 1 and 100000")]
    [InlineData("Pool:AcquireTimeout", "00:00:00.050", "Pool:AcquireTimeout must be between 100 ms and 60 s")]
    [InlineData("Pool:IdleTimeout", "00:00:00.500", "Pool:IdleTimeout must be a whole number of seconds")]
    [InlineData("Pool:Bands:YellowFromPercent", "80", "Pool:Bands must satisfy")]
    public void Host_WithNonsensePoolSetting_RefusesToStartNamingTheKey(string key, string value, string message)
    {
        using var host = new ExamHostFactory(fixture.ConnectionString);
        host.Settings["Pool:MaxSize"] = "10";
        host.Settings[key] = value;

        var error = Assert.ThrowsAny<Exception>(() => host.Server);

        var validation = Assert.IsType<OptionsValidationException>(error is OptionsValidationException ? error : error.InnerException ?? error);
        Assert.Contains(message, validation.Message);
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public void Host_WithAKeyFileOthersMayRead_RefusesToStartNamingTheFix()
    {
        var directory = Directory.CreateTempSubdirectory("examconsole-key-");
        var keyFile = Path.Combine(directory.FullName, "signing-key");
        File.WriteAllText(keyFile, Convert.ToBase64String(new byte[64]));
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        using var host = new ExamHostFactory(fixture.ConnectionString);
        host.Settings["Pool:MaxSize"] = "10";
        host.Settings["Auth:SigningKey"] = "";
        host.Settings["Auth:SigningKeyFile"] = keyFile;

        var error = Assert.ThrowsAny<Exception>(() => host.Server);

        directory.Delete(recursive: true);
        var refused = Assert.IsType<InvalidOperationException>(error is InvalidOperationException ? error : error.InnerException ?? error);
        Assert.Contains($"chmod 600 {keyFile}", refused.Message);
    }
}
