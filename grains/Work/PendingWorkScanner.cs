using CloudController.GrainInterfaces.Droplets;
using CloudController.GrainInterfaces.Jobs;
using CloudController.GrainInterfaces.Packages;
using CloudController.GrainInterfaces.Work;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CloudController.Grains.Work;

/// <summary>
/// Resumes work whose silo went away. Every silo, once it has joined, and then every
/// <c>CloudController:Work:ScanInterval</c> (15 s), asks each grain in the pending-work registry to resume: an idle
/// grain activates on a live silo and carries on from its stored state; a grain that is already working answers at
/// once. An entry whose grain has nothing in flight (its request failed before the state was stored) is removed once
/// it is older than a minute.
/// </summary>
public sealed partial class PendingWorkScanner(
    IPendingWork registry,
    IGrainFactory grains,
    IConfiguration configuration,
    TimeProvider clock,
    ILogger<PendingWorkScanner> logger) : BackgroundService
{
    private static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = configuration.GetValue("CloudController:Work:ScanInterval", TimeSpan.FromSeconds(15));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ScanOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogScanFailed(ex);
            }

            try
            {
                await Task.Delay(interval, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>One pass over the registry; returns how many grains had work in flight.</summary>
    public async Task<int> ScanOnceAsync(CancellationToken cancellationToken)
    {
        var resumed = 0;
        await Parallel.ForEachAsync(registry.ListAsync(cancellationToken), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
            async (item, ct) =>
            {
                try
                {
                    if (await Grain(item).ResumeAsync().WaitAsync(CallTimeout, ct))
                    {
                        Interlocked.Increment(ref resumed);
                    }
                    else if (clock.GetUtcNow() - item.Since > StaleAfter)
                    {
                        await registry.RemoveAsync(item.Kind, item.Guid);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A silo just died, or the grain is busy: the next pass tries again.
                    LogResumeFailed(item.Kind, item.Guid, ex.Message);
                }
            });
        return resumed;
    }

    private IResumableGrain Grain(PendingWorkItem item) => item.Kind switch
    {
        WorkKind.Job => grains.GetGrain<IJobGrain>(item.Guid),
        WorkKind.Droplet => grains.GetGrain<IDropletGrain>(item.Guid),
        _ => grains.GetGrain<IPackageGrain>(item.Guid),
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scanning the pending-work registry failed")]
    private partial void LogScanFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Could not resume {Kind} {Guid} yet: {Reason}")]
    private partial void LogResumeFailed(WorkKind kind, Guid guid, string reason);
}
