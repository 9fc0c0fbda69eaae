using System.Collections.Concurrent;

namespace CloudController.LoadTest;

/// <summary>Latencies, errors and bytes of one kind of operation; safe to record from many tasks.</summary>
internal sealed class OperationStats(string name)
{
    private readonly List<double> _latenciesMs = [];
    private readonly ConcurrentDictionary<string, int> _errors = new(StringComparer.Ordinal);
    private long _bytesSent;

    public string Name => name;

    public IReadOnlyDictionary<string, int> Errors => _errors;

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    public int Count
    {
        get
        {
            lock (_latenciesMs)
            {
                return _latenciesMs.Count;
            }
        }
    }

    public int ErrorCount => _errors.Values.Sum();

    public void Success(double latencyMs, long bytesSent)
    {
        lock (_latenciesMs)
        {
            _latenciesMs.Add(latencyMs);
        }

        Interlocked.Add(ref _bytesSent, bytesSent);
    }

    /// <summary>An error by kind: <c>"503 CF-ServiceUnavailable"</c>, <c>"bad-shape"</c>, <c>"connection"</c>, ...</summary>
    public void Error(string kind) => _errors.AddOrUpdate(kind, 1, static (_, n) => n + 1);

    public OperationSummary Summarize(TimeSpan elapsed)
    {
        double[] sorted;
        lock (_latenciesMs)
        {
            sorted = [.. _latenciesMs];
        }

        Array.Sort(sorted);
        return new OperationSummary(
            name,
            sorted.Length,
            new SortedDictionary<string, int>(_errors, StringComparer.Ordinal),
            elapsed.TotalSeconds > 0 ? sorted.Length / elapsed.TotalSeconds : 0,
            Percentile(sorted, 50),
            Percentile(sorted, 95),
            Percentile(sorted, 99),
            sorted.Length == 0 ? 0 : sorted[^1],
            BytesSent);
    }

    /// <summary>Nearest-rank percentile of an ascending array (0 when empty).</summary>
    public static double Percentile(double[] sorted, double percent)
    {
        if (sorted.Length == 0)
        {
            return 0;
        }

        var rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}

internal sealed record OperationSummary(
    string Name,
    int Count,
    IReadOnlyDictionary<string, int> Errors,
    double PerSecond,
    double P50Ms,
    double P95Ms,
    double P99Ms,
    double MaxMs,
    long BytesSent);

/// <summary>Every operation's stats, in the order they were first seen, plus the count of completed units of work.</summary>
internal sealed class RunStatistics
{
    private readonly ConcurrentDictionary<string, OperationStats> _operations = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private int _completed;
    private int _failedUnits;

    public int Completed => Volatile.Read(ref _completed);

    public int FailedUnits => Volatile.Read(ref _failedUnits);

    public int Requests => _operations.Values.Sum(o => o.Count + o.ErrorCount);

    public int Errors => _operations.Values.Sum(o => o.ErrorCount);

    public OperationStats For(string operation)
    {
        if (_operations.TryGetValue(operation, out var stats))
        {
            return stats;
        }

        // GetOrAdd may run its factory twice under a race; the order list must see each name once.
        lock (_order)
        {
            if (!_operations.TryGetValue(operation, out stats))
            {
                stats = new OperationStats(operation);
                _operations[operation] = stats;
                _order.Add(operation);
            }

            return stats;
        }
    }

    public void UnitDone(bool succeeded)
    {
        Interlocked.Increment(ref _completed);
        if (!succeeded)
        {
            Interlocked.Increment(ref _failedUnits);
        }
    }

    public IReadOnlyList<OperationSummary> Summarize(TimeSpan elapsed)
    {
        lock (_order)
        {
            return [.. _order.Select(name => _operations[name].Summarize(elapsed))];
        }
    }
}
