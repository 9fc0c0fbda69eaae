using CloudController.Grains.Indexes;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Indexes;
using CloudController.GrainInterfaces.Runtime;
using CloudController.Grains.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace CloudController.Grains.Runtime;

/// <summary>Persisted form of the convergence pass. Ids are permanent: add new ones, never renumber.</summary>
[GenerateSerializer, Alias("CloudController.Grains.Runtime.RuntimeConvergenceState")]
public sealed record RuntimeConvergenceState
{
    /// <summary>Whether the untagged app entries (stored before entries carried <c>state:STARTED</c>) were visited once.</summary>
    [Id(0)] public bool UntaggedVisited { get; init; }
}

[Reentrant]
[GrainType("runtime-convergence")]
public sealed partial class RuntimeConvergenceGrain(
    [PersistentState(StorageNames.State, StorageNames.CloudController)] IPersistentState<RuntimeConvergenceState> state,
    IOptions<RuntimeOptions> options,
    ILogger<RuntimeConvergenceGrain> logger)
    : Grain, IRuntimeConvergenceGrain, IRemindable
{
    private const string ReminderName = "converge";
    private const int Page = 1000;
    private Task<int>? _running;
    private bool _scheduled;

    public Task ReceiveReminder(string reminderName, TickStatus status) => ConvergeAsync();

    public async Task<int> ConvergeAsync()
    {
        if (!_scheduled)
        {
            var period = options.Value.ConvergencePeriod;
            await this.RegisterOrUpdateReminder(ReminderName, period, period);
            _scheduled = true;
        }

        if (_running is null || _running.IsCompleted)
        {
            _running = WalkAsync();
        }

        return await _running;
    }

    /// <summary>Every catalog partition's STARTED apps, a page at a time, 64 activations in flight.</summary>
    private async Task<int> WalkAsync()
    {
        var reached = 0;
        var started = System.Diagnostics.Stopwatch.StartNew();
        foreach (var partition in IndexKeys.Catalogs(IndexKeys.Apps))
        {
            var index = GrainFactory.GetGrain<IResourceIndexGrain>(partition);
            for (var page = 1; ; page++)
            {
                var entries = await index.QueryAsync(new IndexQuery([], [], [[IndexEntry.Tag("state", "STARTED")]], IndexOrder.Id, false, page, Page));
                // In chunks on the grain's own scheduler (Parallel.ForEachAsync would leave the activation's context).
                foreach (var chunk in entries.Entries.Chunk(64))
                {
                    await Task.WhenAll(chunk.Select(entry => GrainFactory.GetGrain<IAppGrain>(entry.Guid).ConvergeAsync()));
                }

                reached += entries.Entries.Length;
                if (entries.Entries.Length < Page)
                {
                    break;
                }
            }
        }

        LogConverged(reached, started.ElapsedMilliseconds);
        if (!state.State.UntaggedVisited)
        {
            await VisitUntaggedAsync();
        }

        // The same pass sweeps the records derived after a store (the catalogs this pass itself reads).
        var repaired = await Indexes.CatalogSweep.RunAsync(GrainFactory);
        if (repaired > 0)
        {
            LogSwept(repaired);
        }

        return reached;
    }

    /// <summary>
    /// Once per store: apps whose catalog entry has no tags were stored stopped, or before entries were tagged. Each is
    /// read (a started one runs again on activation) and a started one writes its entry again, now tagged, so later
    /// passes find it.
    /// </summary>
    private async Task VisitUntaggedAsync()
    {
        var retagged = 0;
        foreach (var partition in IndexKeys.Catalogs(IndexKeys.Apps))
        {
            var index = GrainFactory.GetGrain<IResourceIndexGrain>(partition);
            for (var page = 1; ; page++)
            {
                var entries = await index.QueryAsync(IndexQuery.All(page, Page));
                foreach (var chunk in entries.Entries.Where(e => e.TagsOrEmpty.IsEmpty).Chunk(64))
                {
                    var counts = await Task.WhenAll(chunk.Select(async entry =>
                    {
                        var app = GrainFactory.GetGrain<IAppGrain>(entry.Guid);
                        if (await app.FindAsync() is not { State: AppState.Started })
                        {
                            return 0;
                        }

                        await app.ReindexAsync();
                        return 1;
                    }));
                    retagged += counts.Sum();
                }

                if (entries.Entries.Length < Page)
                {
                    break;
                }
            }
        }

        await state.SaveAsync(state.State with { UntaggedVisited = true });
        LogRetagged(retagged);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Runtime convergence reached {Apps} started apps in {Milliseconds} ms")]
    private partial void LogConverged(int apps, long milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Convergence repaired {Entries} catalog entries that did not match their resources")]
    private partial void LogSwept(int entries);

    [LoggerMessage(Level = LogLevel.Information, Message = "Runtime convergence visited the untagged app entries once: {Apps} started apps tagged")]
    private partial void LogRetagged(int apps);
}

/// <summary>Starts a convergence pass when a silo becomes active (in the background: the silo serves meanwhile).</summary>
public sealed partial class RuntimeConvergenceStartup(
    IGrainFactory grains, Polly.Registry.ResiliencePipelineProvider<string> retries, ILogger<RuntimeConvergenceStartup> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(RuntimeConvergenceStartup), ServiceLifecycleStage.Active, started =>
        {
            _ = Task.Run(RunAsync, CancellationToken.None);
            return Task.CompletedTask;
        });

    private async Task RunAsync()
    {
        // A silo that has just become active may not yet see its peers' grain types: try a few times, then leave it
        // to the reminder.
        try
        {
            await retries.GetPipeline(Hosting.Retries.Report).ExecuteAsync(async _ => await grains.GetGrain<IRuntimeConvergenceGrain>(0).ConvergeAsync());
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogUnfinished(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Runtime convergence at silo start did not finish")]
    private partial void LogUnfinished(Exception exception);
}
