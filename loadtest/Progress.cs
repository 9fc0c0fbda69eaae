using System.Diagnostics;
using System.Globalization;

namespace CloudController.LoadTest;

/// <summary>Live progress: a redrawn bar on a terminal, a plain line every 5 s otherwise (CI logs, pipes).</summary>
internal sealed class Progress(RunStatistics stats, int total, bool forDuration, TimeSpan? duration, TextWriter output, bool terminal)
{
    private readonly long _started = Stopwatch.GetTimestamp();

    public async Task RunAsync(CancellationToken stop)
    {
        var every = terminal ? TimeSpan.FromSeconds(0.5) : TimeSpan.FromSeconds(5);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(every, stop);
                Write();
            }
        }
        catch (OperationCanceledException)
        {
            // Done.
        }

        Write();
        if (terminal)
        {
            output.WriteLine();
        }
    }

    public string Line()
    {
        var elapsed = Stopwatch.GetElapsedTime(_started);
        var done = stats.Completed;
        var fraction = forDuration && duration is { } d ? Math.Min(1, elapsed / d) : total == 0 ? 1 : Math.Min(1.0, (double)done / total);
        var bar = new string('#', (int)(fraction * 30)).PadRight(30);
        var rate = stats.Requests / Math.Max(elapsed.TotalSeconds, 1e-9);
        return string.Create(CultureInfo.InvariantCulture,
            $"[{bar}] {done}{(forDuration ? "" : $"/{total}")} done  {rate:0.0} req/s  {stats.Errors} errors  {elapsed.TotalSeconds:0}s");
    }

    private void Write()
    {
        if (terminal)
        {
            output.Write("\r" + Line());
        }
        else
        {
            output.WriteLine(Line());
        }
    }
}
