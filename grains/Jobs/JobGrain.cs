using System.Collections.Immutable;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Bits;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Events;
using CloudController.GrainInterfaces.Jobs;
using CloudController.GrainInterfaces.Work;
using CloudController.Grains.Bits;
using CloudController.Grains.Storage;
using CloudController.Grains.Work;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CloudController.Grains.Jobs;

/// <summary>
/// Runs one job: a package built (or copied) outside the grain's turns, which the job gives to its app in a short turn
/// when the outcome comes back, or a resource deleted with everything in it (<see cref="Deletions"/>). Unfinished jobs
/// resume through <see cref="DurableWork"/> (activation or reminder); the work is idempotent (the package is named
/// after the job; a deletion skips what is gone), and attempts are bounded. Interleaving: only <see cref="FindAsync"/>
/// (a read); every write runs in its own turn.
/// </summary>
[GrainType("job")]
public sealed partial class JobGrain(
    [PersistentState(StorageNames.State, StorageNames.CloudController)] IPersistentState<JobGrainState> state,
    IBitsService bits,
    CloudController.Storage.BitsContainers containers,
    IOptions<CloudController.Storage.BitsOptions> bitsOptions,
    WorkRunner runner,
    IOptions<WorkOptions> options,
    Events.AuditTrail trail,
    TimeProvider clock,
    ILogger<JobGrain> logger) : Grain, IJobGrain, IRemindable
{
    private DurableWork? _work;
    private CommitPoint<JobGrainState>? _commit;

    private CommitPoint<JobGrainState> Commit => _commit ??= new(this, state, s => s.Outstanding, (s, o) => s with { Outstanding = o },
        (_, _) => Task.CompletedTask, trail, logger);

    private Guid Guid => this.GetPrimaryKey();

    private DurableWork Work => _work ??= new DurableWork(this, runner, options.Value);

    private bool InFlight => state.RecordExists && !state.State.IsTerminal;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await Commit.ResumeAsync();
        if (InFlight)
        {
            await BeginAsync(null, counts: true);
        }
    }

    public async Task<JobSnapshot> EnqueueAsync(JobWork work, ImmutableArray<AuditEvent> events)
    {
        if (state.RecordExists)
        {
            return Snapshot()!;
        }

        await Commit.StoreAsync(JobTransitions.Enqueue(work, clock.GetUtcNow()), Outstanding.Work(events: events));
        var queued = Snapshot()!;
        await BeginAsync(null, counts: true);
        return queued;
    }

    public Task<JobSnapshot?> FindAsync() => Task.FromResult(Snapshot());

    public Task ReceiveReminder(string reminderName, TickStatus status) => Work.OnReminderAsync(InFlight, BeginAsync);

    public async Task CompleteWorkAsync(WorkOutcome<JobResult> outcome)
    {
        if (!Work.Accept(outcome.Run) || !InFlight)
        {
            return;
        }

        if (await Work.RetriedAsync(outcome, BeginAsync))
        {
            return;
        }

        JobGrainState next;
        try
        {
            next = outcome.Failure is { } failure
                ? JobTransitions.Fail(state.State, failure, clock.GetUtcNow())
                : outcome.Result?.Package is { } package
                    ? await GiveToAppAsync(package)
                    : JobTransitions.Finish(state.State, clock.GetUtcNow());
        }
        catch (Exception ex) when (WorkInterruption.Is(ex))
        {
            // The app did not answer (its silo is going away): the runner delivers this outcome again.
            Work.Reopen(outcome.Run);
            throw;
        }

        await EndAsync(next);
    }

    private JobSnapshot? Snapshot() => state.RecordExists
        ? new JobSnapshot(Guid, state.State.Status, state.State.Error, state.State.CreatedAt, state.State.Work?.Owner, state.State.Work?.Operation,
            state.State.Work?.Target, state.State.UpdatedAt)
        : null;

    private async Task BeginAsync(string? lastReason, bool counts)
    {
        if (!InFlight)
        {
            return;
        }

        if (counts)
        {
            if (Work.Exhausted(state.State.Attempts))
            {
                await EndAsync(JobTransitions.Fail(state.State, DurableWork.GaveUp(state.State.Attempts, lastReason), clock.GetUtcNow()));
                return;
            }

            await state.SaveAsync(JobTransitions.Start(state.State, clock.GetUtcNow()));
        }

        var (work, job, grains) = (state.State.Work!, Guid, GrainFactory);
        await Work.RunAsync<IJobGrain, JobResult>(async ct => work.Kind switch
        {
            JobKind.UploadBits or JobKind.CopyBits => new JobResult(await PackageAsync(bits, grains, job, work, ct)),
            JobKind.ApplyManifest => await ApplyManifestAsync(grains, work, ct),
            JobKind.UploadBuildpack => await Buildpacks.BuildpackBits.StoreAsync(containers, grains, work.Target!.Value, work.UploadId!.Value, ct),
            JobKind.UploadDroplet => await Droplets.DropletBits.StoreAsync(containers, bits, grains, work.Target!.Value, work.UploadId!.Value, bitsOptions.Value.WorkDirectory, ct),
            _ => await DeleteAsync(grains, work, ct),
        });
    }

    private static async Task<JobResult> ApplyManifestAsync(IGrainFactory grains, JobWork work, CancellationToken cancellationToken)
    {
        await ManifestApplication.RunAsync(grains, work, cancellationToken);
        return new JobResult(null);
    }

    private static async Task<JobResult> DeleteAsync(IGrainFactory grains, JobWork work, CancellationToken cancellationToken)
    {
        await Deletions.RunAsync(grains, work, cancellationToken);
        return new JobResult(null);
    }

    /// <summary>The job's work, outside its turns: it touches no grain state.</summary>
    private static async Task<PackageInfo> PackageAsync(IBitsService bits, IGrainFactory grains, Guid job, JobWork work, CancellationToken cancellationToken)
    {
        await grains.GetGrain<IAppGrain>(work.AppGuid).GetAsync();
        if (work.Kind == JobKind.UploadBits)
        {
            return await bits.BuildPackageAsync(work.AppGuid, work.UploadId!.Value, work.HasApplication, job, cancellationToken);
        }

        var source = await grains.GetGrain<IAppGrain>(work.SourceAppGuid!.Value).GetAsync();
        var package = source.Package ?? throw new CloudControllerException(CfErrorCode.AppPackageNotFound,
            $"The app package could not be found: {source.Guid}");
        return await bits.CopyPackageAsync(package, job, cancellationToken);
    }

    private async Task<JobGrainState> GiveToAppAsync(PackageInfo package)
    {
        var app = state.State.Work!.AppGuid;
        try
        {
            // One model of bits: the upload is the app's v3 package too (recorded first, so the app never holds bits
            // its v3 views lack), then the app's package.
            await GrainFactory.GetGrain<GrainInterfaces.Packages.IPackageGrain>(package.PackageGuid).AdoptAsync(app, package);
            await GrainFactory.GetGrain<IAppGrain>(app).SetPackageAsync(package);
            return JobTransitions.Finish(state.State, clock.GetUtcNow());
        }
        catch (CloudControllerException ex)
        {
            // The app went away (or refused the package) after the package was stored: nobody holds it now.
            await DropAdoptedAsync(package.PackageGuid);
            await bits.DeletePackageAsync(package.PackageGuid, CancellationToken.None);
            return JobTransitions.Fail(state.State, new JobError(ex.Code, ex.Message), clock.GetUtcNow());
        }
    }

    private async Task DropAdoptedAsync(Guid package)
    {
        try
        {
            await GrainFactory.GetGrain<GrainInterfaces.Packages.IPackageGrain>(package).DeleteAsync();
        }
        catch (CloudControllerException)
        {
            // Never recorded.
        }
    }

    private async Task EndAsync(JobGrainState outcome)
    {
        await state.SaveAsync(outcome);
        LogJobEnded(Guid, outcome.Work!.Kind, outcome.Status, outcome.Attempts, outcome.Error?.Code);
        if (outcome.Work.UploadId is { } upload)
        {
            await bits.DeleteUploadAsync(upload, CancellationToken.None);
        }

        await Work.EndAsync();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobGuid} ({Kind}) ended {Status} after {Attempts} attempt(s) {ErrorCode}")]
    private partial void LogJobEnded(Guid jobGuid, JobKind kind, JobStatus status, int attempts, CfErrorCode? errorCode);
}
