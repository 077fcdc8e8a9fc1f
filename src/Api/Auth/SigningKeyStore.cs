using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace ExamConsole.Api.Auth;

/// <summary>Where the key that signs the tokens came from.</summary>
public enum SigningKeySource
{
    /// <summary><c>Auth:SigningKey</c>: always wins.</summary>
    Configured,

    /// <summary><c>Auth:SigningKeyFile</c> did not exist: this process made the key and kept it there.</summary>
    FileCreated,

    /// <summary><c>Auth:SigningKeyFile</c> existed (an earlier start, or another node on this machine).</summary>
    FileRead,

    /// <summary>Neither is set: a random key that dies with the process.</summary>
    Ephemeral,
}

/// <summary>The token signing key and where it came from (<see cref="Path"/> for the file sources).</summary>
public sealed record SigningKeyMaterial(byte[] Key, SigningKeySource Source, string? Path);

/// <summary>
/// Finds the token signing key: <c>Auth:SigningKey</c> when set; otherwise a key kept in
/// <c>Auth:SigningKeyFile</c>, made once and read on every later start, so that a restart signs
/// nobody out (as ASP.NET Core Data Protection keeps its key ring with the app's data); otherwise
/// a random key of this process.
/// </summary>
/// <remarks>
/// The file holds 64 random bytes in base64, owner-only (0600); a file that group or others may
/// open is refused, since whoever reads the key can sign an operator's token. Creation is atomic
/// and safe against nodes starting together: creators take turns under a lock file beside the key,
/// the first writes a temporary file, flushes it to disk and renames it into place, and the others
/// then find it and read it. A plain rename alone would not do: the second creator's rename would
/// replace the first one's key after the first had started signing with it.
/// </remarks>
public static partial class SigningKeyStore
{
    public const int GeneratedKeyBytes = 64;

    /// <summary>How long a starting node waits for another one that is creating the file.</summary>
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(10);

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>The key <paramref name="options"/> call for, logging which source is in force.</summary>
    public static SigningKeyMaterial Load(AuthOptions options, ILogger logger)
    {
        if (!string.IsNullOrEmpty(options.SigningKey))
        {
            // Its length is checked at start (AuthOptionsValidator).
            var configured = Encoding.UTF8.GetBytes(options.SigningKey);
            LogConfigured(logger);
            if (!string.IsNullOrEmpty(options.SigningKeyFile))
            {
                LogFileIgnored(logger, options.SigningKeyFile);
            }
            return new SigningKeyMaterial(configured, SigningKeySource.Configured, null);
        }
        if (!string.IsNullOrEmpty(options.SigningKeyFile))
        {
            var path = System.IO.Path.GetFullPath(options.SigningKeyFile);
            var (key, created) = ReadOrCreate(path);
            if (created)
            {
                LogFileCreated(logger, path);
            }
            else
            {
                LogFileRead(logger, path);
            }
            return new SigningKeyMaterial(key, created ? SigningKeySource.FileCreated : SigningKeySource.FileRead, path);
        }
        LogEphemeral(logger);
        return new SigningKeyMaterial(RandomNumberGenerator.GetBytes(GeneratedKeyBytes), SigningKeySource.Ephemeral, null);
    }

    private static (byte[] Key, bool Created) ReadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            return (Read(path), false);
        }
        var directory = System.IO.Path.GetDirectoryName(path)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            // Only a folder this creates gets owner-only rights; an existing one is left as it is.
            Directory.CreateDirectory(directory, OwnerOnly | UnixFileMode.UserExecute);
        }
        using (TakeLock(path + ".lock"))
        {
            // Another node may have made it while this one waited for the lock.
            if (File.Exists(path))
            {
                return (Read(path), false);
            }
            var key = RandomNumberGenerator.GetBytes(GeneratedKeyBytes);
            var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
            try
            {
                using (var file = new FileStream(temporary, Options(FileMode.CreateNew, FileAccess.Write)))
                {
                    file.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(key) + "\n"));
                    file.Flush(flushToDisk: true);
                }
                File.Move(temporary, path, overwrite: false);
            }
            finally
            {
                File.Delete(temporary);
            }
            return (key, true);
        }
    }

    private static byte[] Read(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & GroupOrOthers) != 0)
            {
                throw new InvalidOperationException(
                    $"The token signing key file {path} (Auth:SigningKeyFile) may be opened by other users (mode {Octal(mode)}); " +
                    $"whoever reads it can sign an operator's token. Make it owner-only: chmod 600 {path}");
            }
        }
        byte[]? key = null;
        try
        {
            key = Convert.FromBase64String(File.ReadAllText(path).Trim());
        }
        catch (FormatException)
        {
            // Reported below with the fix.
        }
        if (key is null || key.Length < AuthOptions.MinSigningKeyBytes)
        {
            throw new InvalidOperationException(
                $"The token signing key file {path} (Auth:SigningKeyFile) does not hold a base64 key of at least {AuthOptions.MinSigningKeyBytes} bytes. " +
                "Put the deployment's key in it, or delete it to have a new one made at the next start (every token issued before is then refused).");
        }
        return key;
    }

    /// <summary>
    /// An exclusive lock between processes (and threads) on this machine: on Unix, FileShare.None is an
    /// flock, released when the file is closed, also when the process dies.
    /// </summary>
    private static FileStream TakeLock(string lockPath)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(lockPath, Options(FileMode.OpenOrCreate, FileAccess.ReadWrite));
            }
            catch (IOException) when (waited.Elapsed < LockWait)
            {
                // Another creator holds it for the few milliseconds a write takes.
                Thread.Sleep(TimeSpan.FromMilliseconds(10));
            }
            catch (IOException exception)
            {
                throw new InvalidOperationException(
                    $"Could not take {lockPath} within {LockWait.TotalSeconds:F0} s to create the token signing key file: " +
                    "another process holds it. Stop that process, or set Auth:SigningKey.",
                    exception);
            }
        }
    }

    private static FileStreamOptions Options(FileMode mode, FileAccess access)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }
        return options;
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode & 0x1FF, 8).PadLeft(3, '0');

    [LoggerMessage(Level = LogLevel.Information, Message = "Tokens are signed with the configured Auth:SigningKey.")]
    private static partial void LogConfigured(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Auth:SigningKey is set, so the key file {Path} (Auth:SigningKeyFile) is not used.")]
    private static partial void LogFileIgnored(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Tokens are signed with a new key created in {Path} (Auth:SigningKeyFile, owner-only); keep the file to keep everyone signed in across restarts.")]
    private static partial void LogFileCreated(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Tokens are signed with the key read from {Path} (Auth:SigningKeyFile).")]
    private static partial void LogFileRead(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Neither Auth:SigningKey nor Auth:SigningKeyFile is set: tokens are signed with a random key of this process and will not be accepted by other nodes or after a restart.")]
    private static partial void LogEphemeral(ILogger logger);
}
