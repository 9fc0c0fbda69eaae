using System.Diagnostics;
using System.Diagnostics.Metrics;
using Azure.Core;
using Azure.Core.Pipeline;

namespace CloudController.Storage;

/// <summary>
/// Counts every request a storage client sends (meter <see cref="MeterName"/>): <c>cc.storage.requests</c> and
/// <c>cc.storage.request.duration</c>, tagged with the service (<c>blob</c>, <c>table</c>), the operation (the HTTP
/// method, with the <c>comp</c> of blob requests and <c>batch</c> for table transactions), the container or table,
/// and the status class. Each retry is a request of its own (the policy sits per retry), so the counts are what the
/// account is asked to do. Blob and entity names are left out: they would make a series per object.
/// </summary>
public static class StorageMetrics
{
    public const string MeterName = "CloudController.Storage";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Requests = Meter.CreateCounter<long>("cc.storage.requests", "{request}", "Storage requests sent, by service, operation and container or table.");

    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("cc.storage.request.duration", "s", "Time from sending a storage request to its response.",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });

    /// <summary>A policy for a client of <paramref name="service"/> (<c>blob</c> or <c>table</c>); add it per retry.</summary>
    public static HttpPipelinePolicy Policy(string service) => new MetricsPolicy(service);

    /// <summary>What a request is, in the metrics' terms: its operation and its container or table.</summary>
    public static (string Operation, string Resource) Describe(string service, RequestMethod method, Uri uri)
    {
        // Path-style (Azurite, /account/container/blob) or host-style (account.blob.core.windows.net/container/blob).
        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var pathStyle = uri.IsLoopback || System.Net.IPAddress.TryParse(uri.Host, out _);
        var first = segments.Length > (pathStyle ? 1 : 0) ? segments[pathStyle ? 1 : 0] : "";
        if (service == "table")
        {
            var table = first.Split('(')[0];
            return table == "$batch" ? ("batch", "$batch") : (method.Method, table.Length == 0 ? "-" : table);
        }

        var comp = QueryValue(uri.Query, "comp");
        return (comp is null ? method.Method : $"{method.Method} {comp}", first.Length == 0 ? "-" : first);
    }

    private static string? QueryValue(string query, string name)
    {
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var at = pair.IndexOf('=', StringComparison.Ordinal);
            if (at > 0 && pair.AsSpan(0, at).Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return pair[(at + 1)..];
            }
        }

        return null;
    }

    private sealed class MetricsPolicy(string service) : HttpPipelinePolicy
    {
        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await ProcessNextAsync(message, pipeline);
            }
            finally
            {
                Record(message, started);
            }
        }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                ProcessNext(message, pipeline);
            }
            finally
            {
                Record(message, started);
            }
        }

        private void Record(HttpMessage message, long started)
        {
            var (operation, resource) = Describe(service, message.Request.Method, message.Request.Uri.ToUri());
            var status = message.HasResponse ? $"{message.Response.Status / 100}xx" : "none";
            var tags = new TagList
            {
                { "service", service },
                { "operation", operation },
                { "resource", resource },
                { "status", status },
            };
            Requests.Add(1, tags);
            Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
        }
    }
}
