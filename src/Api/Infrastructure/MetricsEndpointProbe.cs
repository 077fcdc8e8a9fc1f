using System.Globalization;
using ExamConsole.Data.Telemetry.Readiness;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ExamConsole.Api.Infrastructure;

/// <summary>
/// Checks that the Prometheus endpoint answers, by asking it over HTTP as a scraper would: at
/// <see cref="ReadinessOptions.MetricsUrl"/>, or at this server's first address + /metrics. It lives
/// with the API that serves /metrics, since it needs the web server's addresses.
/// </summary>
public sealed class MetricsEndpointProbe(IHttpClientFactory clients, IServiceProvider services, IOptions<ReadinessOptions> options) : IMetricsEndpointProbe
{
    public const string HttpClientName = "readiness-metrics";

    public async Task<ReadinessCheck> CheckAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var seconds = o.MetricsTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        var url = o.MetricsUrl ?? DefaultUrl(ServerAddresses());
        var expected = $"HTTP 2xx from {url ?? "<this server's first address>/metrics"} within {seconds} s";
        if (url is null)
        {
            return ReadinessChecks.Unreadable(
                ReadinessCheckNames.Metrics,
                expected,
                "this server has no listening address to probe",
                "Set Readiness:MetricsUrl to the address where Prometheus scrapes this node (for example http://127.0.0.1:5080/metrics).");
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(o.MetricsTimeout);
        try
        {
            using var client = clients.CreateClient(HttpClientName);
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            return new ReadinessCheck(
                ReadinessCheckNames.Metrics,
                response.IsSuccessStatusCode,
                $"HTTP {status} from {url}",
                expected,
                response.IsSuccessStatusCode ? null
                    : $"{url} answers {status}: map the Prometheus scraping endpoint at /metrics, or set Readiness:MetricsUrl to where it is served.");
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var reason = e is OperationCanceledException ? $"no answer within {seconds} s" : "no answer (the connection failed)";
            return new ReadinessCheck(
                ReadinessCheckNames.Metrics,
                false,
                $"{reason} from {url}",
                expected,
                $"Nothing answered at {url}: check that the node serves Prometheus metrics at /metrics and that the address is reachable, or set Readiness:MetricsUrl.");
        }
    }

    /// <summary>The /metrics URL on the first TCP address of a server; wildcard hosts become loopback.</summary>
    public static string? DefaultUrl(IEnumerable<string>? addresses)
    {
        foreach (var address in addresses ?? [])
        {
            BindingAddress binding;
            try
            {
                binding = BindingAddress.Parse(address);
            }
            catch (FormatException)
            {
                continue;
            }
            if (binding.IsNamedPipe || binding.IsUnixPipe)
            {
                continue;
            }
            var host = binding.Host switch
            {
                "+" or "*" or "0.0.0.0" => "127.0.0.1",
                "[::]" or "::" => "[::1]",
                var h => h,
            };
            return string.Create(CultureInfo.InvariantCulture, $"{binding.Scheme}://{host}:{binding.Port}{binding.PathBase.TrimEnd('/')}/metrics");
        }
        return null;
    }

    // Resolved at check time: the addresses are known only once the server listens (port 0 gets its real port then).
    private ICollection<string>? ServerAddresses() =>
        services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses;
}
