using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Jobs;
using CloudController.GrainInterfaces.Work;
using CloudController.Grains.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.Registry;

namespace CloudController.Grains.Work;

/// <summary>
/// Runs grains' long work on the thread pool, outside every grain's turn, so a grain keeps answering while its build
/// runs. Each attempt is bounded by <see cref="WorkOptions.Timeout"/> and cancelled when the silo stops; its outcome
/// is delivered back to the grain as an ordinary grain call. A delivery that cannot reach the grain is dropped: the
/// grain's reminder runs the work again.
/// </summary>
public sealed partial class WorkRunner(
    IGrainFactory grains,
    IOptions<WorkOptions> options,
    IHostApplicationLifetime lifetime,
    ResiliencePipelineProvider<string> retries,
    ILogger<WorkRunner> logger)
{
    /// <summary>Starts run <paramref name="run"/> of <typeparamref name="TGrain"/> <paramref name="key"/>'s work; returns at once.</summary>
    public void Start<TGrain, TResult>(Guid key, Guid run, Func<CancellationToken, Task<TResult>> work)
        where TGrain : IWorkerGrain<TResult> =>
        _ = Task.Run(async () =>
        {
            // The work must not carry the request context of the turn that started it (a new-grain hint in it would
            // make a later activation of that very grain skip its read).
            RequestContext.Clear();
            var outcome = await AttemptAsync(typeof(TGrain).Name, key, run, work);
            if (outcome.Retry is not null && lifetime.ApplicationStopping.IsCancellationRequested)
            {
                // Cut short by this silo stopping: another attempt now would be cut short too. The grain's reminder
                // resumes the work wherever the grain lives next.
                return;
            }

            await DeliverAsync(key, () => grains.GetGrain<TGrain>(key).CompleteWorkAsync(outcome));
        });

    /// <summary>Runs a short follow-up (telling another grain) outside the caller's turn; failures are logged.</summary>
    public void Detach(Guid key, Func<Task> action) =>
        _ = Task.Run(() =>
        {
            RequestContext.Clear();
            return DeliverAsync(key, action);
        });

    private async Task<WorkOutcome<TResult>> AttemptAsync<TResult>(string kind, Guid key, Guid run, Func<CancellationToken, Task<TResult>> work)
    {
        var timeout = options.Value.Timeout;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
        limit.CancelAfter(timeout);
        try
        {
            return WorkOutcome.Done(run, await work(limit.Token));
        }
        catch (CloudControllerException ex)
        {
            return WorkOutcome.Failed<TResult>(run, new JobError(ex.Code, ex.Message));
        }
        catch (Exception ex) when (limit.IsCancellationRequested && !lifetime.ApplicationStopping.IsCancellationRequested)
        {
            LogTimedOut(kind, key, timeout, ex.Message);
            return WorkOutcome.Again<TResult>(run, $"timed out after {timeout}", interrupted: false);
        }
        catch (Exception ex) when (WorkInterruption.Is(ex))
        {
            LogInterrupted(kind, key, ex.Message);
            return WorkOutcome.Again<TResult>(run, "interrupted", interrupted: true);
        }
        catch (Exception ex)
        {
            LogCrashed(ex, kind, key);
            return WorkOutcome.Again<TResult>(run, "an unknown error occurred", interrupted: false);
        }
    }

    private async Task DeliverAsync(Guid key, Func<Task> delivery)
    {
        try
        {
            // Retried while the grain is only interrupted (moving, or its silo stopping), never once this silo stops.
            await retries.GetPipeline(Retries.WorkDelivery).ExecuteAsync(async _ => await delivery(), lifetime.ApplicationStopping);
        }
        catch (Exception ex)
        {
            LogDeliveryFailed(key, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Kind} {Key}: the work timed out after {Timeout} ({Reason})")]
    private partial void LogTimedOut(string kind, Guid key, TimeSpan timeout, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Kind} {Key}: the work was interrupted: {Reason}")]
    private partial void LogInterrupted(string kind, Guid key, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Kind} {Key}: the work failed unexpectedly")]
    private partial void LogCrashed(Exception exception, string kind, Guid key);

    [LoggerMessage(Level = LogLevel.Information, Message = "Could not deliver the outcome of {Key}'s work ({Reason}); its reminder resumes it")]
    private partial void LogDeliveryFailed(Guid key, string reason);
}
