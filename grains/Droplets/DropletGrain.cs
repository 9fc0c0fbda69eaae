using System.Collections.Immutable;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Droplets;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Indexes;
using CloudController.GrainInterfaces.Work;
using CloudController.Grains.Logs;
using CloudController.Grains.Bits;
using CloudController.Grains.Indexes;
using CloudController.Grains.Staging;
using CloudController.Grains.Storage;
using CloudController.Grains.Work;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CloudController.Grains.Droplets;

/// <summary>
/// Stages one package: stored as STAGING, staged outside the grain's turns, stored as STAGED or FAILED when the outcome
/// comes back, and the outcome is then handed to the app, also outside the droplet's turns (the app calls droplets
/// from its own turns, so a droplet never waits on its app). Unfinished work (staging, or the app not yet told)
/// resumes through <see cref="DurableWork"/>. A droplet deleted meanwhile stays deleted: a late outcome only removes
/// what the staging stored. Interleaving: only <see cref="FindAsync"/> (a read).
/// </summary>
[GrainType("droplet")]
public sealed partial class DropletGrain(
    [PersistentState(StorageNames.State, StorageNames.CloudController)] IPersistentState<DropletGrainState> state,
    IStager stager,
    IBitsService bits,
    WorkRunner runner,
    IOptions<WorkOptions> options,
    IOptions<Runtime.RuntimeOptions> runtime,
    Events.AuditTrail trail,
    TimeProvider clock,
    ILogger<DropletGrain> logger) : Grain, IDropletGrain, IRemindable
{
    private DurableWork? _work;
    private CommitPoint<DropletGrainState>? _commit;

    private CommitPoint<DropletGrainState> Commit => _commit ??= new(this, state, s => s.Outstanding, (s, o) => s with { Outstanding = o },
        (s, owed) => s.Droplet is { } d ? IndexedWrite.DeriveAsync(GrainFactory, IndexPlacement.Droplet(d.AppGuid), Entry(d), owed.Releases) : Task.CompletedTask,
        trail, logger);

    private Guid Guid => this.GetPrimaryKey();

    private DurableWork Work => _work ??= new DurableWork(this, runner, options.Value);

    private bool InFlight => state.RecordExists && !state.State.AppNotified;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await Commit.ResumeAsync();
        if (InFlight)
        {
            await BeginAsync(null, counts: true);
        }
    }

    public async Task<DropletSnapshot> StageAsync(StagingRequest request)
    {
        if (!state.RecordExists)
        {
            var droplet = DropletTransitions.Stage(Guid, request, clock.GetUtcNow());
            // Entered under its app before it is stored, so an app being deleted finds every droplet it has.
            await IndexedWrite.ClaimAsync(GrainFactory, IndexPlacement.Droplet(request.AppGuid).Index, Entry(droplet),
                () => CloudControllerException.Unprocessable("Droplet already exists."), g => GrainFactory.GetGrain<IDropletGrain>(g));
            await Commit.StoreAsync(new DropletGrainState { Request = request, Droplet = droplet }, Outstanding.Work());
            await BeginAsync(null, counts: true);
        }

        return state.State.Droplet!;
    }

    public async Task<DropletSnapshot> CopyAsync(DropletSnapshot source, Guid app)
    {
        if (state.RecordExists)
        {
            return state.State.Droplet!;
        }

        if (source is not { State: DropletState.Staged, Blob: { } blob })
        {
            throw CloudControllerException.Unprocessable("Droplet must be STAGED to be copied.");
        }

        var now = clock.GetUtcNow();
        var copy = source with
        {
            Guid = Guid,
            AppGuid = app,
            Blob = await bits.CopyDropletAsync(blob, source.Guid, Guid, CancellationToken.None),
            CreatedAt = now,
            UpdatedAt = now,
            Request = null,
        };
        await IndexedWrite.ClaimAsync(GrainFactory, IndexPlacement.Droplet(app).Index, Entry(copy),
            () => CloudControllerException.Unprocessable("Droplet already exists."), g => GrainFactory.GetGrain<IDropletGrain>(g));
        // Nothing to stage and no app to tell: a copy is STAGED from its first store (the app sets it current if it wants it).
        await Commit.StoreAsync(new DropletGrainState { Droplet = copy, AppNotified = true }, Outstanding.Work());
        return copy;
    }

    public async Task<DropletSnapshot> AwaitUploadAsync(Guid app, ImmutableDictionary<string, string> processTypes)
    {
        if (state.RecordExists)
        {
            return state.State.Droplet!;
        }

        var droplet = DropletTransitions.AwaitUpload(Guid, app, processTypes, clock.GetUtcNow());
        await IndexedWrite.ClaimAsync(GrainFactory, IndexPlacement.Droplet(app).Index, Entry(droplet),
            () => CloudControllerException.Unprocessable("Droplet already exists."), g => GrainFactory.GetGrain<IDropletGrain>(g));
        // Nothing stages it and no app waits for it: its bits come through ProcessUploadAsync.
        await Commit.StoreAsync(new DropletGrainState { Droplet = droplet, AppNotified = true }, Outstanding.Work());
        return droplet;
    }

    public async Task<DropletSnapshot> ProcessUploadAsync()
    {
        var droplet = state.RecordExists ? state.State.Droplet! : throw CloudControllerException.DropletNotFound();
        if (!droplet.AcceptsUpload)
        {
            throw CloudControllerException.Unprocessable("Droplet bits may only be uploaded to a droplet in state AWAITING_UPLOAD.");
        }

        var processing = DropletTransitions.ProcessUpload(droplet, clock.GetUtcNow());
        await SaveAsync(processing);
        return processing;
    }

    public async Task<DropletSnapshot> UploadProcessedAsync(UploadedDroplet outcome)
    {
        var droplet = state.RecordExists ? state.State.Droplet! : throw CloudControllerException.DropletNotFound();
        var next = DropletTransitions.Uploaded(droplet, outcome, clock.GetUtcNow());
        if (next != droplet)
        {
            await SaveAsync(next);
        }

        return next;
    }

    public Task ReindexAsync() => Commit.RepairAsync();

    public Task<bool> ConfirmEntryAsync(string index) => IndexedWrite.ConfirmAsync(GrainFactory, index, Guid,
        state.RecordExists && state.State.Droplet is { } droplet ? (IndexPlacement.Droplet(droplet.AppGuid), Entry(droplet)) : null);

    public Task<DropletSnapshot?> FindAsync() => Task.FromResult(state.RecordExists ? state.State.Droplet : null);

    public async Task ExpireAsync()
    {
        if (state.RecordExists && state.State.Droplet is { State: DropletState.Staged } droplet)
        {
            // The bits first: a failure leaves the droplet STAGED, so the caller's retry deletes again and then stores.
            await bits.DeleteDropletAsync(Guid, CancellationToken.None);
            await SaveAsync(DropletTransitions.Expire(droplet, clock.GetUtcNow()));
        }
    }

    public async Task DeleteAsync()
    {
        if (!state.RecordExists)
        {
            throw CloudControllerException.DropletNotFound();
        }

        var wasInFlight = InFlight;
        var app = state.State.Droplet!.AppGuid;
        await state.ClearStateAsync();
        await IndexedWrite.ReleaseAsync(GrainFactory, IndexPlacement.Droplet(app), Guid);
        await bits.DeleteDropletAsync(Guid, CancellationToken.None);
        if (wasInFlight)
        {
            // A run still out comes back to no state: its outcome then only removes what it stored.
            await Work.EndAsync();
        }
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => Work.OnReminderAsync(InFlight, BeginAsync);

    public async Task CompleteWorkAsync(WorkOutcome<StagingResult> outcome)
    {
        var awaited = Work.Accept(outcome.Run);
        if (!state.RecordExists)
        {
            // Deleted while staging: the deletion stands, and what the staging stored goes too.
            if (outcome.Result?.Droplet is not null)
            {
                await bits.DeleteDropletAsync(Guid, CancellationToken.None);
            }

            await Work.EndAsync();
            return;
        }

        if (!awaited || state.State.Droplet!.State != DropletState.Staging)
        {
            return;
        }

        if (await Work.RetriedAsync(outcome, BeginAsync))
        {
            return;
        }

        var result = outcome.Result ?? StagingResult.Failed(StagingFailureReasons.StagingError, outcome.Failure?.Description ?? "staging failed");
        // A run's result was logged by the run itself (ahead of this store); a run that never came back was not.
        await StoreOutcomeAsync(DropletTransitions.Complete(state.State.Droplet, result, clock.GetUtcNow()), logged: outcome.Result is not null);
    }

    public async Task AppNotifiedAsync(bool kept)
    {
        if (!InFlight)
        {
            return;
        }

        if (!kept)
        {
            // A superseded v2 staging: no app runs this droplet. Expired before the answer is recorded, so a failure
            // here leaves the work held and the next resume asks the app again.
            await ExpireAsync();
        }

        await state.SaveAsync(state.State with { AppNotified = true });
        await Work.EndAsync();
    }

    private async Task BeginAsync(string? lastReason, bool counts)
    {
        if (!InFlight)
        {
            return;
        }

        var droplet = state.State.Droplet!;
        if (droplet.State != DropletState.Staging)
        {
            await Work.HoldAsync();
            TellApp(droplet);
            return;
        }

        if (counts)
        {
            if (Work.Exhausted(state.State.Attempts))
            {
                var gaveUp = DurableWork.GaveUp(state.State.Attempts, lastReason);
                await StoreOutcomeAsync(DropletTransitions.Fail(droplet, StagingFailureReasons.StagingError, gaveUp.Description, clock.GetUtcNow()), logged: false);
                return;
            }

            await state.SaveAsync(state.State with { Attempts = state.State.Attempts + 1 });
        }

        var (request, grains, lead, time) = (state.State.Request!, GrainFactory, runtime.Value.StagingLogLead, clock);
        await StagingLog.BeginAsync(GrainFactory, droplet, state.State.Attempts, clock.GetUtcNow());
        await Work.RunAsync<IDropletGrain, StagingResult>(async ct =>
        {
            var result = await StageOutsideTurnAsync(stager, request, droplet.Guid, ct);
            // The outcome's lines go to the log first and the state follows them by the lead: the cf CLI shows only log
            // lines older than 2 s and stops reading the log once it sees STAGED, so lines written with the state would
            // be cut off whenever it looks just after a quick staging.
            var now = time.GetUtcNow();
            await StagingLog.OutcomeAsync(grains, DropletTransitions.Complete(droplet, result, now), now);
            if (lead > TimeSpan.Zero)
            {
                await Task.Delay(lead, time, ct);
            }

            return result;
        });
    }

    private static async Task<StagingResult> StageOutsideTurnAsync(IStager stager, StagingRequest request, Guid droplet, CancellationToken cancellationToken)
    {
        try
        {
            var outcome = await stager.StageAsync(request, droplet, cancellationToken);
            return StagingResult.Succeeded(outcome.Buildpack, outcome.StartCommand, outcome.Droplet, outcome.ProcessTypes);
        }
        catch (StagingFailedException ex)
        {
            return StagingResult.Failed(ex.Reason, ex.Message);
        }
    }

    private async Task StoreOutcomeAsync(DropletSnapshot droplet, bool logged)
    {
        await SaveAsync(droplet);
        if (!logged)
        {
            await StagingLog.OutcomeAsync(GrainFactory, droplet, clock.GetUtcNow());
        }

        LogStaged(Guid, droplet.AppGuid, droplet.State, state.State.Attempts, droplet.Buildpack ?? droplet.FailureReason);
        await Work.HoldAsync();
        TellApp(droplet);
    }

    /// <summary>Hands the outcome to the app outside this grain's turns; the app's answer comes back as <see cref="AppNotifiedAsync"/>.</summary>
    private void TellApp(DropletSnapshot droplet)
    {
        var (grains, guid) = (GrainFactory, Guid);
        runner.Detach(guid, async () =>
        {
            var kept = await grains.GetGrain<IAppGrain>(droplet.AppGuid).CompleteStagingAsync(droplet);
            await grains.GetGrain<IDropletGrain>(guid).AppNotifiedAsync(kept);
        });
    }

    /// <summary>Stores the droplet; its index entry (state, what lists filter by) follows from what is stored.</summary>
    private Task SaveAsync(DropletSnapshot next) => Commit.StoreAsync(state.State with { Droplet = next }, Outstanding.Work());

    private static IndexEntry Entry(DropletSnapshot droplet) =>
        new(droplet.Guid, droplet.Guid.ToString("D"), IndexKeys.Scope(droplet.AppGuid), droplet.CreatedAt,
            [IndexTags.State(droplet.State), IndexTags.Package(droplet.PackageGuid)]);

    [LoggerMessage(Level = LogLevel.Information, Message = "Droplet {DropletGuid} of app {AppGuid} {State} after {Attempts} attempt(s): {Detail}")]
    private partial void LogStaged(Guid dropletGuid, Guid appGuid, DropletState state, int attempts, string? detail);
}
