using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Bits;
using CloudController.GrainInterfaces.Droplets;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Hosting;
using CloudController.GrainInterfaces.Indexes;
using CloudController.GrainInterfaces.Packages;
using CloudController.Grains.Bits;
using CloudController.Grains.Indexes;
using CloudController.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace CloudController.Grains.Apps;

[GrainType("app")]
public sealed partial class AppGrain(
    [PersistentState(StorageNames.State, StorageNames.CloudController)] IPersistentState<AppGrainState> state,
    IBitsService bits,
    Microsoft.Extensions.Options.IOptions<AppLimits> limits,
    TimeProvider clock,
    ILogger<AppGrain> logger) : Grain, IAppGrain
{
    private Guid Guid => this.GetPrimaryKey();

    private AppSnapshot Current =>
        state.RecordExists && state.State.App is { } app ? app : throw CloudControllerException.AppNotFound(Guid);

    public async Task<AppSnapshot> CreateAsync(AppFields fields)
    {
        if (state.RecordExists)
        {
            throw NameTaken(fields.Name ?? "");
        }

        var app = AppRules.Create(Guid, fields, clock.GetUtcNow(), Guid.NewGuid(), limits.Value);
        await IndexedWrite.ClaimThenStoreAsync(GrainFactory, IndexPlacement.App(app.SpaceGuid), Entry(app), () => NameTaken(app.Name),
            () => state.SaveAsync(new AppGrainState { App = app }),
            HolderExistsAsync);
        LogCreated(Guid, app.Name, app.SpaceGuid);
        return app;
    }

    public Task<AppSnapshot> GetAsync() => Task.FromResult(Current);

    public Task ReindexAsync() => state.RecordExists && state.State.App is { } app
        ? IndexedWrite.ReindexAsync(GrainFactory, IndexPlacement.App(app.SpaceGuid), Entry(app))
        : Task.CompletedTask;

    public Task<AppSnapshot?> FindAsync() => Task.FromResult(state.RecordExists ? state.State.App : null);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A staging that was in flight when this app's silo went away: make sure its droplet carries on.
        if (state.RecordExists && state.State.App is { PackageState: AppPackageState.Pending, StagingTaskId: { } task })
        {
            await GrainFactory.GetGrain<IDropletGrain>(Guid.Parse(task)).FindAsync();
        }
    }

    public async Task<AppSnapshot> UpdateAsync(AppFields fields)
    {
        var current = Current;
        var next = AppRules.Update(current, fields, clock.GetUtcNow(), Guid.NewGuid(), limits.Value);
        var droplet = AppRules.NeedsStaging(current, next) ? Guid.NewGuid() : (Guid?)null;
        next = droplet is { } d ? AppRules.BeginStaging(next, d) : next;
        await IndexedWrite.UpdateThenStoreAsync(GrainFactory, IndexPlacement.App(current.SpaceGuid), Entry(current),
            IndexPlacement.App(next.SpaceGuid), Entry(next), () => NameTaken(next.Name),
            () => state.SaveAsync(state.State with { App = next }));
        if (next.State != current.State)
        {
            LogStateChanged(Guid, next.State);
        }

        if (droplet is { } staging)
        {
            await StartStagingAsync(next, staging);
        }

        return next;
    }

    public async Task<AppSnapshot> RestageAsync()
    {
        var current = Current;
        var inFlight = current is { PackageState: AppPackageState.Pending, StagingTaskId: { } task }
            && await GrainFactory.GetGrain<IDropletGrain>(Guid.Parse(task)).FindAsync() is { State: DropletState.Staging };
        var droplet = Guid.NewGuid();
        var next = AppRules.Restage(current, clock.GetUtcNow(), Guid.NewGuid(), droplet, inFlight);
        await state.SaveAsync(state.State with { App = next });
        await StartStagingAsync(next, droplet);
        return next;
    }

    public async Task<bool> CompleteStagingAsync(DropletSnapshot droplet)
    {
        if (!state.RecordExists || state.State.App is not { } current)
        {
            return false;
        }

        if (droplet.Request is { SetsCurrentDroplet: false })
        {
            // v3: the droplet is kept either way; it only frees the staging slot.
            if (state.State.V3StagingDroplet == droplet.Guid)
            {
                await state.SaveAsync(state.State with { V3StagingDroplet = null });
            }

            return true;
        }

        var next = AppRules.CompleteStaging(current, droplet, clock.GetUtcNow());
        if (next == current)
        {
            return droplet.Guid == current.CurrentDropletGuid;
        }

        await state.SaveAsync(state.State with { App = next });
        LogStagingCompleted(Guid, next.PackageState, next.DetectedBuildpack ?? next.StagingFailedReason);
        if (current.CurrentDropletGuid is { } replaced && replaced != next.CurrentDropletGuid)
        {
            // v2 keeps only the droplet an app runs.
            await GrainFactory.GetGrain<IDropletGrain>(replaced).ExpireAsync();
        }

        return true;
    }

    public async Task ReserveStagingAsync(Guid dropletGuid)
    {
        var current = Current;
        var v2Task = current is { PackageState: AppPackageState.Pending, StagingTaskId: { } task } ? Guid.Parse(task) : (Guid?)null;
        foreach (var holder in new[] { v2Task, state.State.V3StagingDroplet }.OfType<Guid>())
        {
            if (await GrainFactory.GetGrain<IDropletGrain>(holder).FindAsync() is { State: DropletState.Staging })
            {
                throw new CloudControllerException(CfErrorCode.StagingInProgress, "Only one package can be staged at a time per application.");
            }
        }

        await state.SaveAsync(state.State with { V3StagingDroplet = dropletGuid });
    }

    public async Task<AppSnapshot> SetCurrentDropletAsync(DropletSnapshot droplet)
    {
        var next = AppRules.SetCurrentDroplet(Current, droplet, clock.GetUtcNow());
        await state.SaveAsync(state.State with { App = next });
        return next;
    }

    private Task<DropletSnapshot> StartStagingAsync(AppSnapshot app, Guid droplet) =>
        NewGrain.CallAsync(GrainFactory.GetGrain<IDropletGrain>(droplet),
            grain => grain.StageAsync(new StagingRequest(Guid, app.Package!, app.Buildpack, app.StackGuid)));

    public async Task<AppSnapshot> SetPackageAsync(PackageInfo package)
    {
        var current = Current;
        if (current.Package?.PackageGuid == package.PackageGuid)
        {
            return current;
        }

        var next = AppRules.SetPackage(current, package, clock.GetUtcNow());
        await state.SaveAsync(state.State with { App = next });
        LogPackageSet(Guid, package.PackageGuid, package.Sha1);
        if (current.Package is { } previous)
        {
            await bits.DeletePackageAsync(previous.PackageGuid, CancellationToken.None);
        }

        return next;
    }

    public async Task DeleteAsync()
    {
        var current = Current;
        await IndexedWrite.DeleteChildrenAsync(GrainFactory, IndexPlacement.Package(Guid), recursive: true, "package", "app",
            package => GrainFactory.GetGrain<IPackageGrain>(package).DeleteAsync(), CfErrorCode.ResourceNotFound);
        await IndexedWrite.DeleteChildrenAsync(GrainFactory, IndexPlacement.Droplet(Guid), recursive: true, "droplet", "app",
            droplet => GrainFactory.GetGrain<IDropletGrain>(droplet).DeleteAsync(), CfErrorCode.ResourceNotFound);
        await IndexedWrite.ClearThenReleaseAsync(GrainFactory, IndexPlacement.App(current.SpaceGuid), Guid, () => state.ClearStateAsync());
        if (current.Package is { } package)
        {
            await bits.DeletePackageAsync(package.PackageGuid, CancellationToken.None);
        }

        LogDeleted(Guid);
    }

    private static IndexEntry Entry(AppSnapshot app) =>
        new(app.Guid, app.Name, IndexKeys.Scope(app.SpaceGuid), app.CreatedAt, []);

    private static CloudControllerException NameTaken(string name) =>
        new(CfErrorCode.AppNameTaken, $"The app name is taken: {name}");

    private async Task<bool> HolderExistsAsync(Guid holder) =>
        await GrainFactory.GetGrain<IAppGrain>(holder).FindAsync() is not null;

    [LoggerMessage(Level = LogLevel.Information, Message = "App {AppGuid} created as {Name} in space {SpaceGuid}")]
    private partial void LogCreated(Guid appGuid, string name, Guid spaceGuid);

    [LoggerMessage(Level = LogLevel.Information, Message = "App {AppGuid} is now {State}")]
    private partial void LogStateChanged(Guid appGuid, AppState state);

    [LoggerMessage(Level = LogLevel.Information, Message = "App {AppGuid} has package {PackageGuid} (sha1 {Sha1})")]
    private partial void LogPackageSet(Guid appGuid, Guid packageGuid, string sha1);

    [LoggerMessage(Level = LogLevel.Information, Message = "App {AppGuid} staging ended {PackageState}: {Detail}")]
    private partial void LogStagingCompleted(Guid appGuid, AppPackageState packageState, string? detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "App {AppGuid} deleted")]
    private partial void LogDeleted(Guid appGuid);
}
