using System.Collections.Immutable;
using System.Threading.Channels;
using CloudController.GrainInterfaces.Logs;
using Microsoft.Extensions.Logging;

namespace CloudController.Grains.Runtime.Local;

/// <summary>
/// Carries what instances and staging print to their apps' logs, a batch per app every few hundred milliseconds. Like
/// Loggregator it is lossy under pressure: beyond <see cref="Capacity"/> waiting lines, new ones are dropped (and
/// counted) rather than slowing the instances or the silo.
/// </summary>
public sealed partial class AppLogWriter : IAsyncDisposable, IDisposable
{
    public const int Capacity = 20_000;

    private readonly Channel<(Guid App, LogLine Line)> _lines =
        Channel.CreateBounded<(Guid, LogLine)>(new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly IGrainFactory _grains;
    private readonly TimeProvider _clock;
    private readonly ILogger<AppLogWriter> _logger;
    private readonly Task _pump;
    private readonly Lock _gate = new();
    private DateTimeOffset _last;
    private long _dropped;

    public AppLogWriter(IGrainFactory grains, TimeProvider clock, ILogger<AppLogWriter> logger)
    {
        (_grains, _clock, _logger) = (grains, clock, logger);
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>Queues one line; lines get strictly increasing timestamps, so their order survives the log's sort.</summary>
    public void Write(Guid app, string source, string instance, string message, bool error)
    {
        DateTimeOffset at;
        lock (_gate)
        {
            var now = _clock.GetUtcNow();
            _last = at = now > _last ? now : _last.AddTicks(1);
        }

        if (!_lines.Writer.TryWrite((app, new LogLine(at, source, instance, message, error))))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    private async Task PumpAsync()
    {
        var batch = new Dictionary<Guid, ImmutableArray<LogLine>.Builder>();
        while (await _lines.Reader.WaitToReadAsync())
        {
            while (_lines.Reader.TryRead(out var item))
            {
                if (!batch.TryGetValue(item.App, out var lines))
                {
                    batch[item.App] = lines = ImmutableArray.CreateBuilder<LogLine>();
                }

                lines.Add(item.Line);
            }

            await Task.WhenAll(batch.Select(async b =>
            {
                try
                {
                    await _grains.GetGrain<IAppLogGrain>(b.Key).AppendAsync(b.Value.ToImmutable());
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    LogAppendFailed(ex, b.Key, b.Value.Count);
                }
            }));
            batch.Clear();
            if (Interlocked.Exchange(ref _dropped, 0) is var dropped and > 0)
            {
                LogDropped(dropped);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), _clock);
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        _lines.Writer.TryComplete();
        await _pump.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} log lines of app {App} were lost: its log did not answer")]
    private partial void LogAppendFailed(Exception exception, Guid app, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} instance log lines were dropped: instances printed faster than the logs took them")]
    private partial void LogDropped(long count);
}
