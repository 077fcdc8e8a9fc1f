using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace ExamConsole.ExamDay.Tests;

/// <summary>How teachers are spread over several nodes and moved off a dead one, against hand-written handlers (no network).</summary>
public sealed class FleetRoutingTests
{
    private static readonly Uri[] Urls = [new("http://127.0.0.1:5081"), new("http://127.0.0.1:5082"), new("http://127.0.0.1:5083")];

    [Fact]
    public void HomeOf_TeachersInArrivalOrder_AreDealtRoundRobin()
    {
        var nodes = new NodeSet(Urls, new FakeTimeProvider());

        var homes = Enumerable.Range(0, 7).Select(i => nodes.HomeOf(i).Index).ToList();

        Assert.Equal([0, 1, 2, 0, 1, 2, 0], homes);
    }

    [Fact]
    public void Route_HomeMarkedDown_GoesToTheNextLiveNodeUntilTheDownTimeIsOver()
    {
        var time = new FakeTimeProvider();
        var nodes = new NodeSet(Urls, time, TimeSpan.FromSeconds(2));
        var second = nodes.Nodes[1];

        var next = nodes.FailOver(second);

        Assert.Same(nodes.Nodes[2], next);
        Assert.Same(nodes.Nodes[2], nodes.Route(second));
        Assert.Same(nodes.Nodes[0], nodes.Route(nodes.Nodes[0]));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Same(second, nodes.Route(second));
        Assert.Equal(1, second.ConnectionFailures);
        Assert.Equal(1, second.FailoversFrom);
    }

    [Fact]
    public void Route_HomeDown_DealsItsTeachersOverTheLiveNodes()
    {
        var nodes = new NodeSet(Urls, new FakeTimeProvider());
        var first = nodes.Nodes[0];
        nodes.FailOver(first);

        var elsewhere = Enumerable.Range(0, 4).Select(teacher => nodes.Route(first, nodes.SpreadOf(teacher * 3)).Index).ToList();

        Assert.Equal([1, 2, 1, 2], elsewhere);
    }

    [Fact]
    public void FailOver_WhenEveryOtherNodeIsDown_HasNowhereToGo()
    {
        var nodes = new NodeSet(Urls[..2], new FakeTimeProvider());

        Assert.Same(nodes.Nodes[1], nodes.FailOver(nodes.Nodes[0]));
        Assert.Null(nodes.FailOver(nodes.Nodes[1]));
        Assert.Equal(0, nodes.Nodes[1].FailoversFrom);
    }

    [Fact]
    public async Task Send_HomeNodeRefusesTheConnection_RetriesOnTheNextNodeWithTheSameToken()
    {
        var stats = new RunStats();
        var nodes = new NodeSet(Urls, TimeProvider.System);
        var handlers = Urls.Select(_ => new NodeHandler()).ToArray();
        handlers[0].Refusing = true;
        using var route = new NodeRoute(nodes, nodes.Nodes[0], node => new HttpClient(handlers[node.Index]) { BaseAddress = node.Url }, ownsClients: true);
        var http = new TeacherHttp(route, stats, maxTries: 3, TimeProvider.System) { Token = "token-of-node-1" };

        var reply = await http.GetAsync(Endpoints.Exams, "/api/exams", TimeProvider.System.GetTimestamp(), CancellationToken.None);
        var again = await http.GetAsync(Endpoints.Status, "/api/attempts/1", TimeProvider.System.GetTimestamp(), CancellationToken.None);

        Assert.Equal(200, reply.Status);
        Assert.Equal(200, again.Status);
        Assert.Same(nodes.Nodes[1], http.LastNode);
        Assert.Equal(["Bearer token-of-node-1", "Bearer token-of-node-1"], handlers[1].Authorizations);
        // The second request goes straight to the live node: the dead one is left out for a while.
        Assert.Equal(1, handlers[0].Calls);
        Assert.Equal(1, nodes.Nodes[0].FailoversFrom);
        Assert.Equal(3, nodes.Nodes.Sum(n => n.Requests));
        // The teacher got its answer: the refused try is the balancer's, not an error of the endpoint.
        Assert.Equal(["200"], stats[Endpoints.Exams].Statuses.Keys);
    }

    [Fact]
    public async Task Send_EveryNodeRefuses_FailsAsAConnectionErrorAfterTryingEachOnce()
    {
        var stats = new RunStats();
        var nodes = new NodeSet(Urls, TimeProvider.System);
        var handlers = Urls.Select(_ => new NodeHandler { Refusing = true }).ToArray();
        using var route = new NodeRoute(nodes, nodes.Nodes[1], node => new HttpClient(handlers[node.Index]) { BaseAddress = node.Url }, ownsClients: true);
        var http = new TeacherHttp(route, stats, maxTries: 3, TimeProvider.System);

        var reply = await http.GetAsync(Endpoints.Paper, "/api/exams/1/paper", TimeProvider.System.GetTimestamp(), CancellationToken.None);

        Assert.Equal(0, reply.Status);
        Assert.Equal("paper connection", reply.Reason(Endpoints.Paper));
        Assert.All(handlers, h => Assert.Equal(1, h.Calls));
        Assert.Equal(1, stats[Endpoints.Paper].Statuses["connection"]);
    }

    [Fact]
    public void Parse_UrlGivenForEachNode_SpreadsOverAllOfThemInOrder()
    {
        var options = ExamDayOptions.Parse(["--url", "http://127.0.0.1:5081", "--url", "http://127.0.0.1:5082", "--quick"]);

        Assert.Equal(new Uri("http://127.0.0.1:5081"), options.BaseUrl);
        Assert.Equal([new Uri("http://127.0.0.1:5081"), new Uri("http://127.0.0.1:5082")], options.Nodes);
        Assert.Equal(2, new ExamDayRun(options).Nodes.Nodes.Count);
    }

    [Theory]
    [InlineData("--url", "http://127.0.0.1:5081")]
    [InlineData("--teachers", "10")]
    public void Parse_OptionRepeated_IsRefusedUnlessItIsANodeUrl(string name, string value)
    {
        var error = Assert.Throws<ArgumentException>(() => ExamDayOptions.Parse(["--url", "http://127.0.0.1:5081", "--teachers", "5", name, value]));

        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_OneNodeOfTheFleetNotOnLoopback_IsRefused()
    {
        var options = new ExamDayOptions { BaseUrl = Urls[0], Urls = [Urls[0], new Uri("http://192.0.2.10:5082")] };

        Assert.Throws<ArgumentException>(() => new ExamDayRun(options));
    }

    /// <summary>A node that answers 200 with the request's token noted, or refuses every connection as a killed process does.</summary>
    private sealed class NodeHandler : HttpMessageHandler
    {
        private int _calls;

        public bool Refusing { get; set; }

        public int Calls => _calls;

        public List<string> Authorizations { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            if (Refusing)
            {
                throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (127.0.0.1)");
            }
            lock (Authorizations)
            {
                Authorizations.Add(request.Headers.Authorization?.ToString() ?? "");
            }
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{}") });
        }
    }
}
