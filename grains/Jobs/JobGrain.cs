using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Jobs;
using CloudController.Grains.Bits;
using CloudController.Grains.Hosting;
using CloudController.Grains.Storage;
using CloudController.Grains.Work;
using CloudController.GrainInterfaces.Work;
using Microsoft.Extensions.Logging;

namespace CloudController.Grains.Jobs;

/// <summary>
/// Runs one job off the request path: a timer starts the work right after the job is stored as queued, and every
/// status change is stored. An activation that finds its job unfinished (its silo died, or the system restarted)
/// runs it again; the work is idempotent (packages are named after the job), and a job interrupted
/// <see cref="JobTransitions.MaxAttempts"/> times fails.
/// </summary>
[GrainType("job")]
public sealed partial class JobGrain(
    [PersistentState(StorageNames.State, StorageNames.CloudController)] IPersistentState<JobGrainState> state,
    IBitsService bits,
    IPendingWork pending,
    TimeProvider clock,
    ILogger<JobGrain> logger) : Grain, IJobGrain
{
    private readonly OneShotWork _work = new();
    private bool _attemptCounted;

    private Guid Guid => this.GetPrimaryKey();

    public override Task OnActivateAsync(CancellationToken cancellationToken) => ResumeAsync();

    public async Task<JobSnapshot> EnqueueAsync(JobWork work)
    {
        if (!state.RecordExists)
        {
            await pending.AddAsync(WorkKind.Job, Guid);
            await state.SaveAsync(JobTransitions.Enqueue(work, clock.GetUtcNow()));
            Schedule();
        }

        return Snapshot()!;
    }

    public Task<bool> ResumeAsync()
    {
        var inFlight = state.RecordExists && !state.State.IsTerminal;
        if (inFlight)
        {
            Schedule();
        }

        return Task.FromResult(inFlight);
    }

    public Task<JobSnapshot?> FindAsync() => Task.FromResult(Snapshot());

    private JobSnapshot? Snapshot() =>
        state.RecordExists ? new JobSnapshot(Guid, state.State.Status, state.State.Error, state.State.CreatedAt) : null;

    private void Schedule() => _work.Start(this, static (self, ct) => self.RunAsync(ct));

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        // An attempt is an activation that starts the job (a silo that died while running it counts); running again
        // in the same activation after a peer silo dropped a call does not, or a failover would use up the attempts.
        if (!_attemptCounted || state.State.Status != JobStatus.Running)
        {
            await state.SaveAsync(JobTransitions.Start(state.State, clock.GetUtcNow()));
            _attemptCounted = true;
        }

        if (state.State.Status == JobStatus.Running)
        {
            JobGrainState outcome;
            try
            {
                await DoAsync(state.State.Work!, cancellationToken);
                outcome = JobTransitions.Finish(state.State, clock.GetUtcNow());
            }
            catch (CloudControllerException ex)
            {
                outcome = JobTransitions.Fail(state.State, new JobError(ex.Code, ex.Message), clock.GetUtcNow());
            }
            catch (Exception ex) when (!WorkInterruption.Is(ex))
            {
                LogJobCrashed(ex, Guid);
                outcome = JobTransitions.Fail(state.State, new JobError(CfErrorCode.UnknownError, "An unknown error occurred."), clock.GetUtcNow());
            }

            await state.SaveAsync(outcome);
        }

        LogJobEnded(Guid, state.State.Work!.Kind, state.State.Status, state.State.Error?.Code);
        await CleanUpAsync(state.State.Work!);
        await pending.RemoveAsync(WorkKind.Job, Guid);
    }

    private async Task DoAsync(JobWork work, CancellationToken cancellationToken)
    {
        var app = GrainFactory.GetGrain<IAppGrain>(work.AppGuid);
        switch (work.Kind)
        {
            case JobKind.UploadBits:
                await app.GetAsync();
                await app.SetPackageAsync(await bits.BuildPackageAsync(work.UploadId!.Value, work.HasApplication, Guid, cancellationToken));
                break;
            case JobKind.CopyBits:
                await app.GetAsync();
                var source = await GrainFactory.GetGrain<IAppGrain>(work.SourceAppGuid!.Value).GetAsync();
                var package = source.Package ?? throw new CloudControllerException(CfErrorCode.AppPackageNotFound,
                    $"The app package could not be found: {source.Guid}");
                await app.SetPackageAsync(await bits.CopyPackageAsync(package, Guid, cancellationToken));
                break;
        }
    }

    private async Task CleanUpAsync(JobWork work)
    {
        if (work.UploadId is { } upload && state.State.IsTerminal)
        {
            await bits.DeleteUploadAsync(upload, CancellationToken.None);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobGuid} ({Kind}) ended {Status} {ErrorCode}")]
    private partial void LogJobEnded(Guid jobGuid, JobKind kind, JobStatus status, CfErrorCode? errorCode);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobGuid} failed unexpectedly")]
    private partial void LogJobCrashed(Exception exception, Guid jobGuid);
}
