namespace ExamConsole.ExamDay;

/// <summary>One node of the fleet under test, with what the rehearsal sent it.</summary>
public sealed class FleetNode(int index, Uri url)
{
    private long _requests;
    private long _connectionFailures;
    private long _failoversFrom;
    private long _homeTeachers;
    private long _downUntil;

    public int Index { get; } = index;

    public Uri Url { get; } = url;

    /// <summary>Requests sent to this node (answered or not).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Requests that got no answer at the connection level (refused, reset).</summary>
    public long ConnectionFailures => Interlocked.Read(ref _connectionFailures);

    /// <summary>Of those, the ones retried on another node with the same token.</summary>
    public long FailoversFrom => Interlocked.Read(ref _failoversFrom);

    public long HomeTeachers => Interlocked.Read(ref _homeTeachers);

    internal long DownUntil => Interlocked.Read(ref _downUntil);

    internal void CountRequest() => Interlocked.Increment(ref _requests);

    internal void CountConnectionFailure() => Interlocked.Increment(ref _connectionFailures);

    internal void CountFailover() => Interlocked.Increment(ref _failoversFrom);

    internal void CountHomeTeacher() => Interlocked.Increment(ref _homeTeachers);

    internal void MarkDownUntil(long timestamp) => Interlocked.Exchange(ref _downUntil, timestamp);

    public NodeReport Report() => new(Url.ToString(), HomeTeachers, Requests, ConnectionFailures, FailoversFrom);
}

/// <summary>
/// The nodes a rehearsal spreads its teachers over, as a load balancer in front of them would: each
/// teacher has a home node (round-robin by arrival); a node that fails at the connection level is
/// taken out for <see cref="DownFor"/> (a balancer's health check), and requests go to the next live
/// node meanwhile. Nodes share the signing key, so a teacher's token is good on every one.
/// </summary>
public sealed class NodeSet
{
    /// <summary>How long a node that refused or reset a connection is left out, as a balancer's failed health check would.</summary>
    public static readonly TimeSpan DefaultDownFor = TimeSpan.FromSeconds(2);

    private readonly FleetNode[] _nodes;
    private readonly TimeProvider _time;

    public NodeSet(IReadOnlyList<Uri> urls, TimeProvider time, TimeSpan? downFor = null)
    {
        if (urls.Count == 0)
        {
            throw new ArgumentException("At least one node URL is needed.", nameof(urls));
        }
        _nodes = urls.Select((url, i) => new FleetNode(i, url)).ToArray();
        _time = time;
        DownFor = downFor ?? DefaultDownFor;
    }

    public IReadOnlyList<FleetNode> Nodes => _nodes;

    public TimeSpan DownFor { get; }

    /// <summary>The home node of the teacher who arrived <paramref name="arrival"/>-th (0-based).</summary>
    public FleetNode HomeOf(int arrival) => _nodes[arrival % _nodes.Length];

    /// <summary>Which of the other nodes that teacher goes to while its home is down (round-robin among them too).</summary>
    public int SpreadOf(int arrival) => arrival / _nodes.Length;

    /// <summary>
    /// Where a request of a teacher homed on <paramref name="home"/> goes: home when it is up, else
    /// another live node, the teachers of a down node dealt over the live ones by <paramref name="spread"/>
    /// (as a balancer spreads them); home again when no node is up.
    /// </summary>
    public FleetNode Route(FleetNode home, int spread = 0)
    {
        var now = _time.GetTimestamp();
        if (home.DownUntil <= now || _nodes.Length == 1)
        {
            return home;
        }
        var others = _nodes.Length - 1;
        var first = spread % others;
        for (var step = 0; step < others; step++)
        {
            var node = _nodes[(home.Index + 1 + ((first + step) % others)) % _nodes.Length];
            if (node.DownUntil <= now)
            {
                return node;
            }
        }
        return home;
    }

    /// <summary>
    /// <paramref name="failed"/> refused or reset a connection: it is left out for <see cref="DownFor"/>.
    /// Returns the live node to retry on, or null when no other node is up.
    /// </summary>
    public FleetNode? FailOver(FleetNode failed, int spread = 0)
    {
        failed.CountConnectionFailure();
        failed.MarkDownUntil(_time.GetTimestamp() + (long)(DownFor.TotalSeconds * _time.TimestampFrequency));
        var next = Route(failed, spread);
        if (next == failed)
        {
            return null;
        }
        failed.CountFailover();
        return next;
    }

    public IReadOnlyList<NodeReport> Report() => _nodes.Select(n => n.Report()).ToList();

    public override string ToString() => string.Join(", ", _nodes.Select(n => n.Url.ToString().TrimEnd('/')));
}

/// <summary>What one node was sent in a rehearsal.</summary>
public sealed record NodeReport(string Url, long HomeTeachers, long Requests, long ConnectionFailures, long Failovers);

/// <summary>
/// One teacher's way to the fleet: its home node, and a client per node it has talked to (a phone
/// behind a balancer holds one connection at a time; here one per node, opened when first used).
/// </summary>
public sealed class NodeRoute : IDisposable
{
    private readonly NodeSet _nodes;
    private readonly Func<FleetNode, HttpClient> _clientFor;
    private readonly bool _ownsClients;
    private readonly int _spread;
    private readonly Dictionary<FleetNode, HttpClient> _clients = [];

    public NodeRoute(NodeSet nodes, FleetNode home, Func<FleetNode, HttpClient> clientFor, bool ownsClients, int spread = 0)
    {
        _nodes = nodes;
        Home = home;
        _spread = spread;
        _clientFor = clientFor;
        _ownsClients = ownsClients;
    }

    /// <summary>One node, one client, not disposed here: a single --url, or a test's scripted handler.</summary>
    public static NodeRoute Single(HttpClient client)
    {
        var nodes = new NodeSet([client.BaseAddress ?? new Uri("http://127.0.0.1/")], TimeProvider.System);
        return new NodeRoute(nodes, nodes.Nodes[0], _ => client, ownsClients: false);
    }

    public FleetNode Home { get; }

    public NodeSet Nodes => _nodes;

    public FleetNode Route() => _nodes.Route(Home, _spread);

    /// <summary><paramref name="failed"/> refused or reset: the node to try next, or null.</summary>
    public FleetNode? FailOver(FleetNode failed) => _nodes.FailOver(failed, _spread);

    public HttpClient ClientFor(FleetNode node)
    {
        lock (_clients)
        {
            if (!_clients.TryGetValue(node, out var client))
            {
                client = _clientFor(node);
                _clients[node] = client;
            }
            return client;
        }
    }

    public void Dispose()
    {
        if (_ownsClients)
        {
            foreach (var client in _clients.Values)
            {
                client.Dispose();
            }
        }
    }
}
