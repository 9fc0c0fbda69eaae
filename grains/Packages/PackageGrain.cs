using CloudController.GrainInterfaces.Bits;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Indexes;
using CloudController.GrainInterfaces.Packages;
using CloudController.GrainInterfaces.Work;
using CloudController.Grains.Bits;
using CloudController.Grains.Indexes;
using CloudController.Grains.Storage;
using CloudController.Grains.Work;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CloudController.Grains.Packages;

/// <summary>
/// A v3 package. Uploads and copies are stored as PROCESSING_UPLOAD / COPYING first, built outside the grain's turns,
/// and applied in a short turn that checks the package still wants the outcome (a deleted package's late blob is
/// removed). The package blob is named after the package, so a re-run overwrites. Once READY, the app's older READY
/// packages beyond five expire. Interleaving: only <see cref="FindAsync"/> (a read); no turn waits on another package.
/// </summary>
[GrainType("package")]
public sealed partial class PackageGrain(
    [PersistentState(StorageNames.State, StorageNames.CloudController)] IPersistentState<PackageGrainState> state,
    IBitsService bits,
    WorkRunner runner,
    IOptions<WorkOptions> options,
    Events.AuditTrail trail,
    TimeProvider clock,
    ILogger<PackageGrain> logger) : Grain, IPackageGrain, IRemindable
{
    private DurableWork? _work;
    private CommitPoint<PackageGrainState>? _commit;

    private CommitPoint<PackageGrainState> Commit => _commit ??= new(this, state, s => s.Outstanding, (s, o) => s with { Outstanding = o },
        (s, owed) => s.Package is { } p ? IndexedWrite.DeriveAsync(GrainFactory, IndexPlacement.Package(p.AppGuid), Entry(p), owed.Releases) : Task.CompletedTask,
        trail, logger);

    private Guid Guid => this.GetPrimaryKey();

    private DurableWork Work => _work ??= new DurableWork(this, runner, options.Value);

    private PackageSnapshot Current =>
        state.RecordExists && state.State.Package is { } package ? package : throw CloudControllerException.PackageNotFound();

    private bool InFlight => state.RecordExists && state.State.Package?.State is PackageState.ProcessingUpload or PackageState.Copying;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await Commit.ResumeAsync();
        if (InFlight)
        {
            await BeginAsync(null, counts: true);
        }
    }

    public Task<PackageSnapshot> CreateAsync(Guid appGuid, PackageType type, string? url) =>
        StoreNewAsync(PackageTransitions.Create(Guid, appGuid, type, url, clock.GetUtcNow()), null);

    public Task<PackageSnapshot> CopyAsync(Guid appGuid, PackageSnapshot source) =>
        StoreNewAsync(PackageTransitions.Copy(Guid, appGuid, source, clock.GetUtcNow()), source);

    public Task<PackageSnapshot> AdoptAsync(Guid appGuid, PackageInfo bits) =>
        state.RecordExists && state.State.Package is { } existing && existing.Bits == bits
            ? Task.FromResult(existing)
            : StoreNewAsync(PackageTransitions.Adopted(Guid, appGuid, bits, clock.GetUtcNow()), null);

    public async Task<PackageSnapshot> BeginUploadAsync(Guid uploadId, bool hasApplication)
    {
        var next = PackageTransitions.BeginUpload(Current, clock.GetUtcNow());
        await SaveAsync(state.State with { Package = next, UploadId = uploadId, Attempts = 0, ResourcesOnly = !hasApplication });
        await BeginAsync(null, counts: true);
        return Current;
    }

    public Task ReindexAsync() => Commit.RepairAsync();

    public Task<bool> ConfirmEntryAsync(string index) => IndexedWrite.ConfirmAsync(GrainFactory, index, Guid,
        state.RecordExists && state.State.Package is { } package ? (IndexPlacement.Package(package.AppGuid), Entry(package)) : null);

    public Task<PackageSnapshot?> FindAsync() => Task.FromResult(state.RecordExists ? state.State.Package : null);

    public async Task ExpireAsync()
    {
        var current = Current;
        var next = PackageTransitions.Expire(current, clock.GetUtcNow());
        if (next != current)
        {
            await SaveAsync(state.State with { Package = next });
            await bits.DeletePackageAsync(Guid, CancellationToken.None);
            LogExpired(Guid, current.AppGuid);
        }
    }

    public async Task DeleteAsync()
    {
        var wasInFlight = InFlight;
        var current = Current;
        await state.ClearStateAsync();
        await IndexedWrite.ReleaseAsync(GrainFactory, IndexPlacement.Package(current.AppGuid), Guid);
        await bits.DeletePackageAsync(Guid, CancellationToken.None);
        if (wasInFlight)
        {
            // A run still out comes back to no state: its outcome then only removes what it stored.
            await Work.EndAsync();
        }
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => Work.OnReminderAsync(InFlight, BeginAsync);

    public async Task CompleteWorkAsync(WorkOutcome<PackageInfo> outcome)
    {
        var awaited = Work.Accept(outcome.Run);
        if (!state.RecordExists)
        {
            // Deleted while the work ran: the deletion stands, and what the work stored goes too.
            if (outcome.Result is not null)
            {
                await bits.DeletePackageAsync(Guid, CancellationToken.None);
            }

            await Work.EndAsync();
            return;
        }

        if (!awaited || !InFlight)
        {
            return;
        }

        if (await Work.RetriedAsync(outcome, BeginAsync))
        {
            return;
        }

        var now = clock.GetUtcNow();
        await EndAsync(outcome.Failure is { } failure
            ? PackageTransitions.Fail(Current, failure.Description, now)
            : PackageTransitions.Complete(Current, outcome.Result!, now));
    }

    private async Task<PackageSnapshot> StoreNewAsync(PackageSnapshot package, PackageSnapshot? copySource)
    {
        if (state.RecordExists)
        {
            throw CloudControllerException.Unprocessable("Package already exists.");
        }

        // Entered under its app before it is stored, so an app being deleted finds every package it has.
        await IndexedWrite.ClaimAsync(GrainFactory, IndexPlacement.Package(package.AppGuid).Index, Entry(package),
            () => CloudControllerException.Unprocessable("Package already exists."), g => GrainFactory.GetGrain<IPackageGrain>(g));
        await Commit.StoreAsync(new PackageGrainState { Package = package, CopySource = copySource }, Outstanding.Work());
        if (InFlight)
        {
            await BeginAsync(null, counts: true);
        }

        return Current;
    }

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
                await EndAsync(PackageTransitions.Fail(Current, DurableWork.GaveUp(state.State.Attempts, lastReason).Description, clock.GetUtcNow()));
                return;
            }

            await SaveAsync(state.State with { Attempts = state.State.Attempts + 1 });
        }

        var (package, app, upload, source, zip) = (Guid, Current.AppGuid, state.State.UploadId, state.State.CopySource?.Bits, !state.State.ResourcesOnly);
        var building = Current.State == PackageState.ProcessingUpload;
        await Work.RunAsync<IPackageGrain, PackageInfo>(ct => building
            ? bits.BuildPackageAsync(app, upload!.Value, hasApplication: zip, package, ct)
            : bits.CopyPackageAsync(source ?? throw CloudControllerException.Unprocessable("failed to copy - the source package has no bits"), package, ct));
    }

    private async Task EndAsync(PackageSnapshot next)
    {
        await SaveAsync(state.State with { Package = next });
        LogProcessed(Guid, next.AppGuid, next.State, state.State.Attempts);
        if (state.State.UploadId is { } upload)
        {
            await bits.DeleteUploadAsync(upload, CancellationToken.None);
        }

        await Work.EndAsync();
        if (next.State == PackageState.Ready)
        {
            // Outside this turn: expiring siblings means calls to other packages (and possibly to this one).
            var grains = GrainFactory;
            runner.Detach(Guid, () => ExpireOlderAsync(grains, next.AppGuid));
        }
    }

    /// <summary>Expires the app's READY packages beyond the newest five. Runs outside every package's turn.</summary>
    private static async Task ExpireOlderAsync(IGrainFactory grains, Guid appGuid)
    {
        var ready = new IndexQuery([], [], [[IndexTags.State(PackageState.Ready)]], IndexOrder.Id, false, 1, int.MaxValue);
        var siblings = await grains.GetGrain<IResourceIndexGrain>(IndexKeys.PackagesOfApp(appGuid)).QueryAsync(ready);
        var packages = await Task.WhenAll(siblings.Entries.Select(e => grains.GetGrain<IPackageGrain>(e.Guid).FindAsync()));
        foreach (var old in PackageTransitions.ToExpire(packages.OfType<PackageSnapshot>()))
        {
            try
            {
                await grains.GetGrain<IPackageGrain>(old).ExpireAsync();
            }
            catch (CloudControllerException)
            {
                // Deleted meanwhile: nothing left to expire.
            }
        }
    }

    /// <summary>Stores the package; its index entry (state and type, what lists filter by) follows from what is stored.</summary>
    private Task SaveAsync(PackageGrainState next) => Commit.StoreAsync(next, Outstanding.Work());

    private static IndexEntry Entry(PackageSnapshot package) =>
        new(package.Guid, package.Guid.ToString("D"), IndexKeys.Scope(package.AppGuid), package.CreatedAt,
            [IndexTags.State(package.State), IndexTags.Type(package.Type)]);

    [LoggerMessage(Level = LogLevel.Information, Message = "Package {PackageGuid} of app {AppGuid} is {State} after {Attempts} attempt(s)")]
    private partial void LogProcessed(Guid packageGuid, Guid appGuid, PackageState state, int attempts);

    [LoggerMessage(Level = LogLevel.Information, Message = "Package {PackageGuid} of app {AppGuid} expired")]
    private partial void LogExpired(Guid packageGuid, Guid appGuid);
}
