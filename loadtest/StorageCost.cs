using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace CloudController.LoadTest;

/// <summary>
/// What a run cost in storage requests: the <c>cc_storage_requests_total</c> counters of the API's <c>/metrics</c>
/// (read with the run's token) and of each silo's (<c>--metrics</c>), scraped before and after the units run; the
/// difference, per completed unit, by service and operation. Sources that do not answer are left out and named.
/// </summary>
internal sealed partial class StorageCost(HttpClient api, IReadOnlyList<Uri> silos)
{
    private const string Counter = "cc_storage_requests_total";

    public async Task<Scrape> ScrapeAsync()
    {
        var totals = new Dictionary<string, double>(StringComparer.Ordinal);
        var answered = new List<string>();
        var missing = new List<string>();
        foreach (var (name, read) in Sources())
        {
            try
            {
                Parse(await read(), totals);
                answered.Add(name);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                missing.Add(name);
            }
        }

        return new Scrape(totals, answered, missing);
    }

    private IEnumerable<(string Name, Func<Task<string>> Read)> Sources()
    {
        yield return ("api", async () =>
        {
            using var response = await api.GetAsync("/metrics");
            response.EnsureSuccessStatusCode();
            return await response.Content.ReadAsStringAsync();
        });
        foreach (var silo in silos)
        {
            yield return (silo.ToString(), async () =>
            {
                using var plain = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
                return await plain.GetStringAsync(silo);
            });
        }
    }

    /// <summary>Adds each <c>cc_storage_requests_total</c> series of a Prometheus text page to <paramref name="totals"/>, keyed "service operation".</summary>
    public static void Parse(string page, Dictionary<string, double> totals, Func<string, bool>? resource = null)
    {
        foreach (var line in page.Split('\n'))
        {
            if (!line.StartsWith(Counter + "{", StringComparison.Ordinal))
            {
                continue;
            }

            var close = line.LastIndexOf('}');
            var labels = Labels().Matches(line[..close]).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
            var value = line[(close + 1)..].Trim().Split(' ')[0];
            if ((resource is null || resource(labels.GetValueOrDefault("resource", ""))) &&
                double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var count))
            {
                var key = $"{labels.GetValueOrDefault("service", "?")} {labels.GetValueOrDefault("operation", "?")}";
                totals[key] = totals.GetValueOrDefault(key) + count;
            }
        }
    }

    [GeneratedRegex("([a-z_]+)=\"([^\"]*)\"")]
    private static partial Regex Labels();

    internal sealed record Scrape(Dictionary<string, double> Totals, IReadOnlyList<string> Answered, IReadOnlyList<string> Missing);

    /// <summary>The requests between two scrapes, per completed unit (null when no source answered both times).</summary>
    public static Summary? Between(Scrape before, Scrape after, int units)
    {
        if (after.Answered.Count == 0)
        {
            return null;
        }

        var byOperation = after.Totals
            .Select(t => (Operation: t.Key, Count: Math.Max(0, t.Value - before.Totals.GetValueOrDefault(t.Key))))
            .Where(t => t.Count > 0)
            .OrderByDescending(t => t.Count)
            .ToList();
        var total = byOperation.Sum(t => t.Count);
        var per = Math.Max(units, 1);
        return new Summary(total, total / per, [.. byOperation.Select(t => new OperationCost(t.Operation, t.Count, t.Count / per))], after.Answered, after.Missing);
    }

    internal sealed record OperationCost(string Operation, double Total, double PerUnit);

    internal sealed record Summary(double Total, double PerUnit, IReadOnlyList<OperationCost> ByOperation, IReadOnlyList<string> Sources, IReadOnlyList<string> Missing)
    {
        public string Table()
        {
            var text = new StringBuilder();
            text.AppendLine(CultureInfo.InvariantCulture, $"storage requests: {PerUnit:0.00} per unit ({Total:0} in all; from {string.Join(", ", Sources)})");
            foreach (var o in ByOperation)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {o.Operation,-24} {o.PerUnit,8:0.00} per unit {o.Total,10:0}");
            }

            if (Missing.Count > 0)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  (not counted: {string.Join(", ", Missing)} did not answer)");
            }

            return text.ToString();
        }
    }
}
