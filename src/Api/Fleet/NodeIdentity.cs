using System.Reflection;
using ExamConsole.Data.Fleet;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace ExamConsole.Api.Fleet;

/// <summary>
/// This node's name and URL in the fleet: Fleet:NodeName and Fleet:Url when set, otherwise the
/// machine's name and the port of the first URL the node is configured to serve. A node whose port
/// is not known before it starts (port 0) gets a name of its own for this run.
/// </summary>
public sealed class NodeIdentity
{
    private static int _unnamed;
    private readonly IServer? _server;
    private string _url;

    public NodeIdentity(IOptions<FleetOptions> options, IConfiguration configuration, IServer? server = null)
    {
        _server = server;
        var configured = (configuration["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        var port = configured is not null && Uri.TryCreate(configured.Replace("*", "localhost", StringComparison.Ordinal).Replace("+", "localhost", StringComparison.Ordinal), UriKind.Absolute, out var uri) ? uri.Port : 0;
        Name = options.Value.NodeName is { Length: > 0 } name ? name
            : port > 0 ? $"{Environment.MachineName}:{port}"
            : $"{Environment.MachineName}:pid{Environment.ProcessId}-{Interlocked.Increment(ref _unnamed)}";
        _url = options.Value.Url is { Length: > 0 } url ? url : port > 0 ? configured! : "";
    }

    public string Name { get; }

    /// <summary>Where operators reach the node; once the server runs, its first address when none was configured.</summary>
    public string Url
    {
        get
        {
            if (_url.Length == 0 && _server?.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() is { } address)
            {
                _url = address;
            }
            return _url;
        }
    }

    /// <summary>The product's version as built (informational version, without the source hash).</summary>
    public static string Version { get; } =
        (typeof(NodeIdentity).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0")
            .Split('+')[0] is { Length: <= FleetNodeRow.MaxVersionLength } v ? v : "unknown";
}
