using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Droplets;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Indexes;
using CloudController.Grains.Bits;
using CloudController.Grains.Staging;
using CloudController.Grains.Hosting;
using CloudController.Grains.Indexes;
using CloudController.Grains.Storage;
using CloudController.Grains.Work;
using CloudController.GrainInterfaces.Work;
using Microsoft.Extensions.Logging;

namespace CloudController.Grains.Droplets;

/// <summary>
/// Stages one package: stored as STAGING before the work starts, STAGED or FAILED after, and the outcome is then
/// reported to the app. An activation that finds staging unfinished (or the app not yet told) carries on.
/// </summary>
[GrainType("droplet")]
public sealed partial class DropletGrain(
    [PersistentState(StorageNames.State, StorageNames.CloudController)] IPersistentState<DropletGrainState> state,
    IStager stager,
    IBitsService bits,
    IPendingWork pending,
    TimeProvider clock,
    ILogger<DropletGrain> logger) : Grain, IDropletGrain
{
    private readonly OneShotWork _work = new();

    private Guid Guid => this.GetPrimaryKey();

    public override Task OnActivateAsync(CancellationToken cancellationToken) => ResumeAsync();

    public Task<bool> ResumeAsync()
    {
        var inFlight = state.RecordExists && !state.State.AppNotified;
        if (inFlight)
        {
            Schedule();
        }

        return Task.FromResult(inFlight);
    }

    public async Task<DropletSnapshot> StageAsync(StagingRequest request)
    {
        if (!state.RecordExists)
        {
            var droplet = new DropletSnapshot(Guid, request.AppGuid, request.Package.PackageGuid, DropletState.Staging,
                null, null, null, null, null, clock.GetUtcNow(), null, request);
            var entry = new IndexEntry(Guid, Guid.ToString("D"), IndexNames.Scope(request.AppGuid), droplet.CreatedAt, null);
            await pending.AddAsync(WorkKind.Droplet, Guid);
            await IndexedWrite.ClaimThenStoreAsync(GrainFactory, IndexNames.Droplets, entry, () => CloudControllerException.Unprocessable("Droplet already exists."),
                () => state.SaveAsync(new DropletGrainState { Request = request, Droplet = droplet }));
            Schedule();
        }

        return state.State.Droplet!;
    }

    public async Task ExpireAsync()
    {
        if (state.RecordExists && state.State.Droplet is { State: DropletState.Staged } droplet)
        {
            await state.SaveAsync(state.State with { Droplet = droplet with { State = DropletState.Expired, UpdatedAt = clock.GetUtcNow() } });
            await bits.DeleteDropletAsync(Guid, CancellationToken.None);
        }
    }

    public async Task DeleteAsync()
    {
        if (!state.RecordExists)
        {
            throw CloudControllerException.DropletNotFound();
        }

        await IndexedWrite.ClearThenReleaseAsync(GrainFactory, IndexNames.Droplets, Guid, () => state.ClearStateAsync());
        await bits.DeleteDropletAsync(Guid, CancellationToken.None);
    }

    public Task<DropletSnapshot?> FindAsync() => Task.FromResult(state.RecordExists ? state.State.Droplet : null);

    private void Schedule() => _work.Start(this, static (self, ct) => self.RunAsync(ct));

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var droplet = state.State.Droplet!;
        if (droplet.State == DropletState.Staging)
        {
            droplet = await StageAsync(droplet, cancellationToken);
            if (!state.RecordExists)
            {
                // Deleted while staging (DeleteAsync interleaves): drop what staging stored, keep the deletion.
                await bits.DeleteDropletAsync(Guid, CancellationToken.None);
                await pending.RemoveAsync(WorkKind.Droplet, Guid);
                return;
            }

            await state.SaveAsync(state.State with { Droplet = droplet });
            LogStaged(Guid, droplet.AppGuid, droplet.State, droplet.Buildpack ?? droplet.FailureReason);
        }

        var kept = await GrainFactory.GetGrain<IAppGrain>(droplet.AppGuid).CompleteStagingAsync(droplet);
        await state.SaveAsync(state.State with { AppNotified = true });
        await pending.RemoveAsync(WorkKind.Droplet, Guid);
        if (!kept)
        {
            // A superseded v2 staging: no app runs this droplet.
            await ExpireAsync();
        }
    }

    private async Task<DropletSnapshot> StageAsync(DropletSnapshot droplet, CancellationToken cancellationToken)
    {
        try
        {
            var outcome = await stager.StageAsync(state.State.Request!, Guid, cancellationToken);
            return droplet with
            {
                State = DropletState.Staged,
                Buildpack = outcome.Buildpack,
                StartCommand = outcome.StartCommand,
                Blob = outcome.Droplet,
                UpdatedAt = clock.GetUtcNow(),
            };
        }
        catch (StagingFailedException ex)
        {
            return Failed(droplet, ex.Reason, ex.Message);
        }
        catch (Exception ex) when (!WorkInterruption.Is(ex))
        {
            LogStagingCrashed(ex, Guid);
            return Failed(droplet, "StagingError", "Staging error: staging failed");
        }
    }

    private DropletSnapshot Failed(DropletSnapshot droplet, string reason, string description) =>
        droplet with { State = DropletState.Failed, FailureReason = reason, Error = $"{reason} - {description}", UpdatedAt = clock.GetUtcNow() };

    [LoggerMessage(Level = LogLevel.Information, Message = "Droplet {DropletGuid} of app {AppGuid} {State}: {Detail}")]
    private partial void LogStaged(Guid dropletGuid, Guid appGuid, DropletState state, string? detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "Staging droplet {DropletGuid} failed unexpectedly")]
    private partial void LogStagingCrashed(Exception exception, Guid dropletGuid);
}
