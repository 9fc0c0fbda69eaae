using System.Diagnostics;

namespace CloudController.LoadTest;

/// <summary>The entry point: parse, set up, run the units C at a time until N (or the duration), report.</summary>
internal static class LoadTestProgram
{
    public static async Task<int> Main(string[] args)
    {
        LoadTestOptions options;
        try
        {
            options = LoadTestOptions.Parse(args);
        }
        catch (UsageException ex)
        {
            Console.Error.WriteLine($"loadtest: {ex.Message}");
            Console.Error.WriteLine(LoadTestOptions.Usage);
            return 2;
        }

        var work = Directory.CreateTempSubdirectory("cc-loadtest-");
        using var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), MaxConnectionsPerServer = options.Concurrency };
        using var http = new HttpClient(handler) { BaseAddress = options.Url, Timeout = TimeSpan.FromMinutes(15) };
        var stats = new RunStatistics();
        var cf = new CfClient(http, stats);
        var scenarios = new Scenarios(options, cf, stats, work.FullName,
            () => new CfClient(new HttpClient(handler, disposeHandler: false) { BaseAddress = options.Url, Timeout = http.Timeout }, stats));
        try
        {
            await scenarios.SetUpAsync();
        }
        catch (Exception ex) when (ex is OperationFailedException or HttpRequestException)
        {
            Console.Error.WriteLine($"loadtest: set-up against {options.Url} failed: {ex.Message}");
            return 1;
        }

        Console.WriteLine($"loadtest: {options.Scenario} against {options.Url}: {options.Apps} apps, concurrency {options.Concurrency}" +
                          (options.Duration is { } limit ? $", at most {limit.TotalSeconds:0} s" : ""));
        var duration = options.Duration ?? (options.Scenario == "abuse" ? TimeSpan.FromSeconds(90) : scenarios.ReadsForDuration ? TimeSpan.FromSeconds(30) : null);
        using var stop = new CancellationTokenSource();
        if (duration is { } d)
        {
            stop.CancelAfter(d);
        }

        var cost = new StorageCost(http, options.Metrics);
        var costBefore = await cost.ScrapeAsync();
        using var progressStop = new CancellationTokenSource();
        var progress = new Progress(stats, options.Apps, scenarios.ReadsForDuration, duration, Console.Out, !Console.IsOutputRedirected);
        var progressTask = progress.RunAsync(progressStop.Token);
        var units = scenarios.ReadsForDuration ? Enumerable.Range(0, int.MaxValue) : Enumerable.Range(0, options.Apps);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await Parallel.ForEachAsync(units, new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = stop.Token }, async (i, _) =>
            {
                try
                {
                    await scenarios.RunUnitAsync(i);
                    stats.UnitDone(succeeded: true);
                }
                catch (OperationFailedException)
                {
                    stats.UnitDone(succeeded: false);
                }
            });
        }
        catch (OperationCanceledException)
        {
            // --duration reached.
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        await progressStop.CancelAsync();
        await progressTask;
        scenarios.TearDown();
        work.Delete(recursive: true);

        var storage = StorageCost.Between(costBefore, await cost.ScrapeAsync(), stats.Completed);
        var summary = stats.Summarize(elapsed);
        Console.WriteLine();
        Console.WriteLine(Report.Table(summary));
        Console.WriteLine($"{stats.Completed} units in {elapsed.TotalSeconds:0.0} s: {stats.Completed / elapsed.TotalSeconds:0.00} units/s, {stats.FailedUnits} failed, {stats.Errors} errors");
        if (storage is not null)
        {
            Console.WriteLine(storage.Table());
        }

        foreach (var note in scenarios.Notes())
        {
            Console.WriteLine(note);
        }
        if (options.JsonPath is { } path)
        {
            await File.WriteAllTextAsync(path, Report.Json(options, elapsed, stats.Completed, stats.FailedUnits, summary, storage));
        }

        return stats.Errors == 0 && stats.FailedUnits == 0 ? 0 : 1;
    }
}
