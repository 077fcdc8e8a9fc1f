using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ExamConsole.ExamDay;

/// <summary>
/// Spreads outgoing connections over several loopback source addresses (127.0.0.2, 127.0.0.3, ...)
/// when one address would run out of ephemeral ports: every connection to one host and port from
/// one source address needs a port of its own, and Linux hands out about 28,000 of them here
/// (ip_local_port_range 32768-60999). Every 127/8 address is on the loopback interface already.
/// </summary>
public sealed class SourceAddresses
{
    // IP_BIND_ADDRESS_NO_PORT (linux/in.h): bind the address now, choose the port at connect() by the
    // whole 4-tuple, instead of reserving a port for the address alone at bind().
    private const int IpBindAddressNoPort = 24;
    private const int IpProtocolIp = 0;

    // A margin under the range: other programs on the machine use ports too.
    private const double UsableShare = 0.8;

    private readonly IPAddress[] _addresses;
    private int _next = -1;

    private SourceAddresses(IPAddress[] addresses) => _addresses = addresses;

    public IReadOnlyList<IPAddress> Addresses => _addresses;

    /// <summary>
    /// The addresses to use for <paramref name="target"/>, or none: only for an IPv4 loopback target,
    /// and (unless <paramref name="requested"/> says how many) only when <paramref name="peakConnections"/>
    /// would not fit in one address's ephemeral ports.
    /// </summary>
    public static SourceAddresses? For(Uri target, int peakConnections, int? requested)
    {
        if (!IsIpv4Loopback(target.Host) || requested == 0)
        {
            return null;
        }
        var count = requested ?? (int)Math.Ceiling(peakConnections / (EphemeralPorts() * UsableShare));
        if (count <= 1 && requested is null)
        {
            return null;
        }
        return new SourceAddresses(Enumerable.Range(2, Math.Clamp(count, 1, 250)).Select(i => new IPAddress([127, 0, 0, (byte)i])).ToArray());
    }

    public static bool IsLoopback(Uri target) =>
        target.IsLoopback || (IPAddress.TryParse(target.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    private static bool IsIpv4Loopback(string host) =>
        host == "localhost" || (IPAddress.TryParse(host, out var address) && address.AddressFamily == AddressFamily.InterNetwork && IPAddress.IsLoopback(address));

    /// <summary>The size of Linux's ephemeral port range (28,232 by default).</summary>
    public static int EphemeralPorts()
    {
        const string path = "/proc/sys/net/ipv4/ip_local_port_range";
        try
        {
            var parts = File.ReadAllText(path).Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(parts[1], CultureInfo.InvariantCulture) - int.Parse(parts[0], CultureInfo.InvariantCulture) + 1;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 28_232;
        }
    }

    /// <summary>SocketsHttpHandler.ConnectCallback: bind the next source address, then connect.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var source = _addresses[(int)((uint)Interlocked.Increment(ref _next) % (uint)_addresses.Length)];
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (OperatingSystem.IsLinux())
            {
                socket.SetRawSocketOption(IpProtocolIp, IpBindAddressNoPort, BitConverter.GetBytes(1));
            }
            socket.Bind(new IPEndPoint(source, 0));
            var host = context.DnsEndPoint.Host == "localhost" ? IPAddress.Loopback.ToString() : context.DnsEndPoint.Host;
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(host), context.DnsEndPoint.Port), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
