using System.Collections.Immutable;
using CloudController.GrainInterfaces.Logs;

namespace CloudController.Grains.Logs;

/// <summary>An app's newest log lines in memory, at most <see cref="Capacity"/>, oldest dropped first.</summary>
[GrainType("app-log")]
public sealed class AppLogGrain : Grain, IAppLogGrain
{
    public const int Capacity = 1000;

    private readonly LinkedList<LogLine> _lines = new();

    public Task AppendAsync(ImmutableArray<LogLine> lines)
    {
        foreach (var line in lines.OrderBy(l => l.Timestamp))
        {
            // Lines arrive in time order from one writer at a time; a late one is put in its place.
            var after = _lines.Last;
            while (after is not null && after.Value.Timestamp > line.Timestamp)
            {
                after = after.Previous;
            }

            if (after is null)
            {
                _lines.AddFirst(line);
            }
            else
            {
                _lines.AddAfter(after, line);
            }

            if (_lines.Count > Capacity)
            {
                _lines.RemoveFirst();
            }
        }

        return Task.CompletedTask;
    }

    public Task<ImmutableArray<LogLine>> ReadAsync(DateTimeOffset earliest, DateTimeOffset latest, int limit, bool descending)
    {
        var matching = _lines.Where(l => l.Timestamp >= earliest && l.Timestamp <= latest);
        var ordered = descending ? matching.Reverse() : matching;
        return Task.FromResult(ordered.Take(Math.Max(limit, 0)).ToImmutableArray());
    }
}
