using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace ExamConsole.Data.Bouncer;

/// <summary>
/// A connection to PgBouncer's admin console (the <c>pgbouncer</c> database) for SHOW and RECONNECT.
/// The console speaks only the simple query protocol and Npgsql sends every command in the extended
/// one ("unsupported pkt type: 80", npgsql/npgsql#3316), so this is the few messages it needs: startup,
/// authentication (trust, password, md5, SCRAM-SHA-256), Query and its rows as text. Not a driver:
/// one command at a time, no TLS, no COPY.
/// </summary>
public sealed class BouncerConsole : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;

    private BouncerConsole(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    /// <summary>Whether <paramref name="e"/> is PgBouncer refusing or not answering (rather than a bug here): what callers catch and report.</summary>
    public static bool IsUnavailable(Exception e) =>
        e is InvalidOperationException or IOException or SocketException or OperationCanceledException;

    /// <summary>Connects and authenticates with the host, port, user, password and database of <paramref name="connectionString"/>.</summary>
    public static async Task<BouncerConsole> ConnectAsync(string connectionString, CancellationToken cancellationToken)
    {
        var csb = new NpgsqlConnectionStringBuilder(connectionString);
        var client = new TcpClient { NoDelay = true };
        try
        {
            await client.ConnectAsync(csb.Host ?? "127.0.0.1", csb.Port, cancellationToken);
            var console = new BouncerConsole(client);
            await console.StartupAsync(csb.Username ?? Environment.UserName, csb.Password, csb.Database ?? "pgbouncer", cancellationToken);
            return console;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Runs one command; its rows as column name to text (null for SQL NULL).</summary>
    public async Task<IReadOnlyList<IReadOnlyDictionary<string, string?>>> QueryAsync(string command, CancellationToken cancellationToken)
    {
        await SendAsync((byte)'Q', Encoding.UTF8.GetBytes(command + "\0"), cancellationToken);
        var rows = new List<IReadOnlyDictionary<string, string?>>();
        string[] columns = [];
        string? error = null;
        while (true)
        {
            var (type, body) = await ReceiveAsync(cancellationToken);
            switch ((char)type)
            {
                case 'T':
                    columns = ReadColumnNames(body);
                    break;
                case 'D':
                    rows.Add(ReadRow(body, columns));
                    break;
                case 'E':
                    error = ReadError(body);
                    break;
                case 'Z':
                    return error is null ? rows : throw new InvalidOperationException($"PgBouncer refused \"{command}\": {error}");
            }
        }
    }

    private async Task StartupAsync(string user, string? password, string database, CancellationToken cancellationToken)
    {
        var parameters = Encoding.UTF8.GetBytes($"user\0{user}\0database\0{database}\0\0");
        var startup = new byte[8 + parameters.Length];
        BinaryPrimitives.WriteInt32BigEndian(startup, startup.Length);
        BinaryPrimitives.WriteInt32BigEndian(startup.AsSpan(4), 196608); // protocol 3.0
        parameters.CopyTo(startup, 8);
        await _stream.WriteAsync(startup, cancellationToken);
        Scram? scram = null;
        while (true)
        {
            var (type, body) = await ReceiveAsync(cancellationToken);
            if (type == 'E')
            {
                throw new InvalidOperationException($"PgBouncer's admin console refused {user}: {ReadError(body)}");
            }
            if (type == 'Z')
            {
                return;
            }
            if (type != 'R')
            {
                continue; // ParameterStatus, BackendKeyData, notices
            }
            var code = BinaryPrimitives.ReadInt32BigEndian(body);
            switch (code)
            {
                case 0:
                    break;
                case 3:
                    await SendAsync((byte)'p', Encoding.UTF8.GetBytes(Require(password) + "\0"), cancellationToken);
                    break;
                case 5:
                    await SendAsync((byte)'p', Encoding.UTF8.GetBytes(Md5(user, Require(password), body.AsSpan(4, 4)) + "\0"), cancellationToken);
                    break;
                case 10:
                    scram = new Scram(Require(password));
                    await SendAsync((byte)'p', scram.InitialResponse(), cancellationToken);
                    break;
                case 11:
                    await SendAsync((byte)'p', (scram ?? throw Unexpected(code)).FinalResponse(Encoding.UTF8.GetString(body, 4, body.Length - 4)), cancellationToken);
                    break;
                case 12:
                    (scram ?? throw Unexpected(code)).Verify(Encoding.UTF8.GetString(body, 4, body.Length - 4));
                    break;
                default:
                    throw Unexpected(code);
            }
        }

        string Require(string? p) => p ?? throw new InvalidOperationException($"PgBouncer's admin console asks {user} for a password and the connection string has none.");
        static InvalidOperationException Unexpected(int code) => new($"PgBouncer's admin console asked for authentication method {code}, which this client does not speak.");
    }

    private static string Md5(string user, string password, ReadOnlySpan<byte> salt)
    {
        var inner = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(password + user)));
        var outer = MD5.HashData([.. Encoding.ASCII.GetBytes(inner), .. salt]);
        return "md5" + Convert.ToHexStringLower(outer);
    }

    private async Task SendAsync(byte type, byte[] body, CancellationToken cancellationToken)
    {
        var message = new byte[5 + body.Length];
        message[0] = type;
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(1), body.Length + 4);
        body.CopyTo(message, 5);
        await _stream.WriteAsync(message, cancellationToken);
    }

    private async Task<(byte Type, byte[] Body)> ReceiveAsync(CancellationToken cancellationToken)
    {
        var header = new byte[5];
        await _stream.ReadExactlyAsync(header, cancellationToken);
        var length = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1));
        if (length is < 4 or > 16 * 1024 * 1024)
        {
            throw new InvalidOperationException($"PgBouncer's admin console sent a message of {length} bytes.");
        }
        var body = new byte[length - 4];
        await _stream.ReadExactlyAsync(body, cancellationToken);
        return (header[0], body);
    }

    private static string[] ReadColumnNames(byte[] body)
    {
        var count = BinaryPrimitives.ReadInt16BigEndian(body);
        var names = new string[count];
        var at = 2;
        for (var i = 0; i < count; i++)
        {
            var end = Array.IndexOf(body, (byte)0, at);
            names[i] = Encoding.UTF8.GetString(body, at, end - at);
            at = end + 1 + 18; // table oid, column, type oid, size, modifier, format
        }
        return names;
    }

    private static Dictionary<string, string?> ReadRow(byte[] body, string[] columns)
    {
        var count = BinaryPrimitives.ReadInt16BigEndian(body);
        var row = new Dictionary<string, string?>(count, StringComparer.Ordinal);
        var at = 2;
        for (var i = 0; i < count; i++)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(at));
            at += 4;
            row[i < columns.Length ? columns[i] : $"column{i}"] = length < 0 ? null : Encoding.UTF8.GetString(body, at, length);
            at += Math.Max(0, length);
        }
        return row;
    }

    private static string ReadError(byte[] body)
    {
        // Fields: a type byte and a string each; M is the message.
        for (var at = 0; at < body.Length && body[at] != 0;)
        {
            var field = body[at++];
            var end = Array.IndexOf(body, (byte)0, at);
            var text = Encoding.UTF8.GetString(body, at, end - at);
            if (field == 'M')
            {
                return text;
            }
            at = end + 1;
        }
        return "(no message)";
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await SendAsync((byte)'X', [], CancellationToken.None);
        }
        catch (IOException)
        {
            // Gone already.
        }
        _client.Dispose();
    }

    /// <summary>SCRAM-SHA-256 as RFC 5802/7677 and PostgreSQL's SASL exchange have it (no channel binding).</summary>
    private sealed class Scram(string password)
    {
        private readonly string _clientNonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
        private string _clientFirstBare = "";
        private byte[] _serverSignature = [];

        public byte[] InitialResponse()
        {
            _clientFirstBare = $"n=,r={_clientNonce}";
            var data = Encoding.UTF8.GetBytes("n,," + _clientFirstBare);
            var mechanism = Encoding.ASCII.GetBytes("SCRAM-SHA-256\0");
            var body = new byte[mechanism.Length + 4 + data.Length];
            mechanism.CopyTo(body, 0);
            BinaryPrimitives.WriteInt32BigEndian(body.AsSpan(mechanism.Length), data.Length);
            data.CopyTo(body, mechanism.Length + 4);
            return body;
        }

        public byte[] FinalResponse(string serverFirst)
        {
            var fields = serverFirst.Split(',').Where(f => f.Length > 2).ToDictionary(f => f[0], f => f[2..]);
            var nonce = fields['r'];
            if (!nonce.StartsWith(_clientNonce, StringComparison.Ordinal))
            {
                throw new InvalidOperationException("PgBouncer's SCRAM nonce does not extend ours.");
            }
            var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), Convert.FromBase64String(fields['s']), int.Parse(fields['i'], System.Globalization.CultureInfo.InvariantCulture), HashAlgorithmName.SHA256, 32);
            var clientKey = HMACSHA256.HashData(salted, "Client Key"u8);
            var finalWithoutProof = $"c=biws,r={nonce}";
            var authMessage = Encoding.UTF8.GetBytes($"{_clientFirstBare},{serverFirst},{finalWithoutProof}");
            var signature = HMACSHA256.HashData(SHA256.HashData(clientKey), authMessage);
            var proof = new byte[clientKey.Length];
            for (var i = 0; i < proof.Length; i++)
            {
                proof[i] = (byte)(clientKey[i] ^ signature[i]);
            }
            _serverSignature = HMACSHA256.HashData(HMACSHA256.HashData(salted, "Server Key"u8), authMessage);
            return Encoding.UTF8.GetBytes($"{finalWithoutProof},p={Convert.ToBase64String(proof)}");
        }

        public void Verify(string serverFinal)
        {
            if (!serverFinal.StartsWith("v=", StringComparison.Ordinal) ||
                !CryptographicOperations.FixedTimeEquals(Convert.FromBase64String(serverFinal[2..]), _serverSignature))
            {
                throw new InvalidOperationException("PgBouncer's SCRAM signature does not match: not the server we meant to reach.");
            }
        }
    }
}
