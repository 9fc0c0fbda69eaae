using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Indexes;
using CloudController.GrainInterfaces.Packages;
using CloudController.Grains.Bits;
using CloudController.Grains.Hosting;
using CloudController.Grains.Indexes;
using CloudController.Grains.Storage;
using CloudController.Grains.Work;
using CloudController.GrainInterfaces.Work;
using Microsoft.Extensions.Logging;

namespace CloudController.Grains.Packages;

/// <summary>
/// A v3 package. Uploads and copies are processed off the request path and every state is stored first, so an
/// activation that finds PROCESSING_UPLOAD or COPYING (its silo went away) processes again; the package blob is
/// named after the package, so a re-run overwrites. Once READY, the app's older READY packages beyond five expire.
/// </summary>
[GrainType("package")]
public sealed partial class PackageGrain(
    [PersistentState(StorageNames.State, StorageNames.CloudController)] IPersistentState<PackageGrainState> state,
    IBitsService bits,
    IPendingWork pending,
    TimeProvider clock,
    ILogger<PackageGrain> logger) : Grain, IPackageGrain
{
    private readonly OneShotWork _work = new();

    private Guid Guid => this.GetPrimaryKey();

    private PackageSnapshot Current =>
        state.RecordExists && state.State.Package is { } package ? package : throw CloudControllerException.PackageNotFound();

    public override Task OnActivateAsync(CancellationToken cancellationToken) => ResumeAsync();

    public Task<bool> ResumeAsync()
    {
        var inFlight = state.RecordExists && state.State.Package?.State is PackageState.ProcessingUpload or PackageState.Copying;
        if (inFlight)
        {
            Schedule();
        }

        return Task.FromResult(inFlight);
    }

    public Task<PackageSnapshot> CreateAsync(Guid appGuid, PackageType type, string? url) =>
        StoreNewAsync(PackageTransitions.Create(Guid, appGuid, type, url, clock.GetUtcNow()), null);

    public Task<PackageSnapshot> CopyAsync(Guid appGuid, PackageSnapshot source) =>
        StoreNewAsync(PackageTransitions.Copy(Guid, appGuid, source, clock.GetUtcNow()), source);

    public async Task<PackageSnapshot> BeginUploadAsync(Guid uploadId)
    {
        var next = PackageTransitions.BeginUpload(Current, clock.GetUtcNow());
        await pending.AddAsync(WorkKind.Package, Guid);
        await state.SaveAsync(state.State with { Package = next, UploadId = uploadId });
        Schedule();
        return next;
    }

    public Task<PackageSnapshot?> FindAsync() => Task.FromResult(state.RecordExists ? state.State.Package : null);

    public async Task ExpireAsync()
    {
        var current = Current;
        var next = PackageTransitions.Expire(current, clock.GetUtcNow());
        if (next != current)
        {
            await state.SaveAsync(state.State with { Package = next });
            await bits.DeletePackageAsync(Guid, CancellationToken.None);
            LogExpired(Guid, current.AppGuid);
        }
    }

    public async Task DeleteAsync()
    {
        _ = Current;
        await IndexedWrite.ClearThenReleaseAsync(GrainFactory, IndexNames.Packages, Guid, () => state.ClearStateAsync());
        await bits.DeletePackageAsync(Guid, CancellationToken.None);
    }

    private async Task<PackageSnapshot> StoreNewAsync(PackageSnapshot package, PackageSnapshot? copySource)
    {
        if (state.RecordExists)
        {
            throw CloudControllerException.Unprocessable("Package already exists.");
        }

        var entry = new IndexEntry(Guid, Guid.ToString("D"), IndexNames.Scope(package.AppGuid), package.CreatedAt, null);
        if (package.State == PackageState.Copying)
        {
            await pending.AddAsync(WorkKind.Package, Guid);
        }

        await IndexedWrite.ClaimThenStoreAsync(GrainFactory, IndexNames.Packages, entry, () => CloudControllerException.Unprocessable("Package already exists."),
            () => state.SaveAsync(new PackageGrainState { Package = package, CopySource = copySource }));
        if (package.State == PackageState.Copying)
        {
            Schedule();
        }

        return package;
    }

    private void Schedule() => _work.Start(this, static (self, ct) => self.ProcessAsync(ct));

    private async Task ProcessAsync(CancellationToken cancellationToken)
    {
        var current = Current;
        PackageSnapshot next;
        try
        {
            var stored = current.State == PackageState.ProcessingUpload
                ? await bits.BuildPackageAsync(state.State.UploadId!.Value, hasApplication: true, Guid, cancellationToken)
                : await bits.CopyPackageAsync(state.State.CopySource?.Bits
                    ?? throw CloudControllerException.Unprocessable("failed to copy - the source package has no bits"), Guid, cancellationToken);
            next = PackageTransitions.Complete(current, stored, clock.GetUtcNow());
        }
        catch (CloudControllerException ex)
        {
            next = PackageTransitions.Fail(current, ex.Message, clock.GetUtcNow());
        }
        catch (Exception ex) when (!WorkInterruption.Is(ex))
        {
            LogProcessingCrashed(ex, Guid);
            next = PackageTransitions.Fail(current, "An unknown error occurred.", clock.GetUtcNow());
        }

        await state.SaveAsync(state.State with { Package = next });
        LogProcessed(Guid, next.AppGuid, next.State);
        if (state.State.UploadId is { } upload)
        {
            await bits.DeleteUploadAsync(upload, CancellationToken.None);
        }

        if (next.State == PackageState.Ready)
        {
            await ExpireOlderAsync(next.AppGuid);
        }

        await pending.RemoveAsync(WorkKind.Package, Guid);
    }

    private async Task ExpireOlderAsync(Guid appGuid)
    {
        var siblings = await GrainFactory.GetGrain<IResourceIndexGrain>(IndexNames.Packages)
            .QueryAsync(new IndexQuery([], [], [IndexNames.Scope(appGuid)], IndexOrder.Id, false, 1, int.MaxValue));
        var packages = await Task.WhenAll(siblings.Entries.Where(e => e.Guid != Guid).Select(e => GrainFactory.GetGrain<IPackageGrain>(e.Guid).FindAsync()));
        foreach (var old in PackageTransitions.ToExpire([.. packages.OfType<PackageSnapshot>(), Current]))
        {
            await GrainFactory.GetGrain<IPackageGrain>(old).ExpireAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Package {PackageGuid} of app {AppGuid} is {State}")]
    private partial void LogProcessed(Guid packageGuid, Guid appGuid, PackageState state);

    [LoggerMessage(Level = LogLevel.Information, Message = "Package {PackageGuid} of app {AppGuid} expired")]
    private partial void LogExpired(Guid packageGuid, Guid appGuid);

    [LoggerMessage(Level = LogLevel.Error, Message = "Processing package {PackageGuid} failed unexpectedly")]
    private partial void LogProcessingCrashed(Exception exception, Guid packageGuid);
}
