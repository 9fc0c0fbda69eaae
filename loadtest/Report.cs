using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CloudController.LoadTest;

/// <summary>The end-of-run table and its JSON twin.</summary>
internal static class Report
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Table(IReadOnlyList<OperationSummary> operations)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{"operation",-22} {"count",8} {"errors",7} {"req/s",9} {"p50 ms",9} {"p95 ms",9} {"p99 ms",9} {"max ms",9} {"MB sent",9}");
        foreach (var o in operations)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{o.Name,-22} {o.Count,8} {o.Errors.Values.Sum(),7} {o.PerSecond,9:0.0} {o.P50Ms,9:0.0} {o.P95Ms,9:0.0} {o.P99Ms,9:0.0} {o.MaxMs,9:0.0} {o.BytesSent / 1048576.0,9:0.00}");
            foreach (var (kind, count) in o.Errors)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"    {count,6} × {kind}");
            }
        }

        return text.ToString();
    }

    public static string Json(LoadTestOptions options, TimeSpan elapsed, int completed, int failedUnits, IReadOnlyList<OperationSummary> operations, StorageCost.Summary? storage = null) =>
        JsonSerializer.Serialize(new
        {
            scenario = options.Scenario,
            url = options.Url.ToString(),
            apps = options.Apps,
            concurrency = options.Concurrency,
            elapsed_seconds = Math.Round(elapsed.TotalSeconds, 3),
            units_completed = completed,
            units_failed = failedUnits,
            units_per_second = Math.Round(completed / Math.Max(elapsed.TotalSeconds, 1e-9), 2),
            operations = operations.Select(o => new
            {
                name = o.Name,
                count = o.Count,
                errors = o.Errors,
                per_second = Math.Round(o.PerSecond, 2),
                p50_ms = Math.Round(o.P50Ms, 2),
                p95_ms = Math.Round(o.P95Ms, 2),
                p99_ms = Math.Round(o.P99Ms, 2),
                max_ms = Math.Round(o.MaxMs, 2),
                bytes_sent = o.BytesSent,
            }),
            storage_requests = storage is null ? null : new
            {
                per_unit = Math.Round(storage.PerUnit, 3),
                total = storage.Total,
                sources = storage.Sources,
                missing = storage.Missing,
                by_operation = storage.ByOperation.ToDictionary(o => o.Operation, o => new { total = o.Total, per_unit = Math.Round(o.PerUnit, 3) }),
            },
        }, Indented);
}
