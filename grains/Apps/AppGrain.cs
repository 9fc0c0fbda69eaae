using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Bits;
using CloudController.GrainInterfaces.Droplets;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Hosting;
using CloudController.GrainInterfaces.Indexes;
using CloudController.GrainInterfaces.Logs;
using CloudController.GrainInterfaces.Runtime;
using CloudController.GrainInterfaces.Packages;
using CloudController.GrainInterfaces.Processes;
using CloudController.GrainInterfaces.Quotas;
using CloudController.GrainInterfaces.Routes;
using CloudController.GrainInterfaces.Spaces;
using CloudController.Grains.Bits;
using CloudController.Grains.Indexes;
using CloudController.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace CloudController.Grains.Apps;

[GrainType("app")]
public sealed partial class AppGrain(
    [PersistentState(StorageNames.State, StorageNames.CloudController)] IPersistentState<AppGrainState> state,
    IBitsService bits,
    Runtime.IAppRuntime runtime,
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
        var org = await OrganizationOfAsync(app.SpaceGuid);
        await ReserveAsync(org, null, app);
        try
        {
            await IndexedWrite.ClaimThenStoreAsync(GrainFactory, IndexPlacement.App(app.SpaceGuid), Entry(app), () => NameTaken(app.Name),
                () => state.SaveAsync(new AppGrainState { App = app, OrganizationGuid = org }),
                HolderExistsAsync);
        }
        catch
        {
            await ReleaseAsync(org, app);
            throw;
        }

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
        // The runtime may have lost this app (its silo restarted, or it ran elsewhere): desire it again.
        if (state.RecordExists && state.State.App is { State: AppState.Started } started)
        {
            await ConvergeRuntimeAsync(started, announce: true);
        }

        // A staging that was in flight when this app's silo went away: make sure its droplet carries on.
        if (state.RecordExists && state.State.App is { PackageState: AppPackageState.Pending, StagingTaskId: { } task })
        {
            await GrainFactory.GetGrain<IDropletGrain>(Guid.Parse(task)).FindAsync();
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (state.RecordExists && state.State.App is { State: AppState.Started } app)
        {
            await Task.WhenAll(app.Processes().Select(p => runtime.DetachAsync(Guid, p.Type, cancellationToken)));
        }
    }

    public async Task<AppSnapshot> UpdateAsync(AppFields fields)
    {
        var current = Current;
        var next = AppRules.Update(current, fields, clock.GetUtcNow(), Guid.NewGuid(), limits.Value);
        var droplet = AppRules.NeedsStaging(current, next) ? Guid.NewGuid() : (Guid?)null;
        next = droplet is { } d ? AppRules.BeginStaging(next, d) : next;
        await StoreChangeAsync(current, next);
        if (next.State != current.State)
        {
            LogStateChanged(Guid, next.State);
        }

        if (droplet is { } staging)
        {
            await StartStagingAsync(next, staging);
        }

        await ConvergeRuntimeAsync(next, announce: RuntimeChanged(current, next));
        return next;
    }

    public async Task<AppSnapshot> RestageAsync()
    {
        var current = Current;
        var inFlight = current is { PackageState: AppPackageState.Pending, StagingTaskId: { } task }
            && await GrainFactory.GetGrain<IDropletGrain>(Guid.Parse(task)).FindAsync() is { State: DropletState.Staging };
        var droplet = Guid.NewGuid();
        var next = AppRules.Restage(current, clock.GetUtcNow(), Guid.NewGuid(), droplet, inFlight);
        await StoreChangeAsync(current, next);

        await StartStagingAsync(next, droplet);
        await ConvergeRuntimeAsync(next, announce: true);
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

        await StoreProcessesAsync(current, next);
        LogStagingCompleted(Guid, next.PackageState, next.DetectedBuildpack ?? next.StagingFailedReason);
        await ConvergeRuntimeAsync(next, announce: RuntimeChanged(current, next), Gone(current, next));
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
        var current = Current;
        var next = AppRules.SetCurrentDroplet(current, droplet, clock.GetUtcNow());
        await StoreProcessesAsync(current, next);
        return next;
    }

    public async Task<AppSnapshot> UpdateProcessAsync(string type, ProcessFields fields)
    {
        if (type == AppProcess.Web)
        {
            return await UpdateAsync(new AppFields
            {
                Instances = fields.Instances,
                Memory = fields.Memory,
                DiskQuota = fields.DiskQuota,
                Command = fields.Command,
                HealthCheckType = fields.HealthCheckType,
                HealthCheckTimeout = fields.HealthCheckTimeout,
                HealthCheckHttpEndpoint = fields.HealthCheckHttpEndpoint,
                Cleared = fields.ClearCommand ? [AppSetting.Command] : [],
            });
        }

        var current = Current;
        var next = AppRules.UpdateProcess(current, type, fields, clock.GetUtcNow(), limits.Value);
        await StoreChangeAsync(current, next);
        await ConvergeRuntimeAsync(next, announce: RuntimeChanged(current, next));
        return next;
    }

    /// <summary>
    /// Stores a change to the app's processes: a new process's pointer is written before the app that lists it, and a
    /// removed one's is cleared after, so every listed process can be found by its guid.
    /// </summary>
    private async Task StoreProcessesAsync(AppSnapshot current, AppSnapshot next)
    {
        var added = next.Others().Where(p => current.Others().All(c => c.Guid != p.Guid));
        await Task.WhenAll(added.Select(p => GrainFactory.GetGrain<IProcessGrain>(p.Guid).PointAsync(new ProcessPointer(Guid, p.Type))));
        await StoreChangeAsync(current, next);
        await ClearPointersAsync(current.Others().Where(p => next.Others().All(n => n.Guid != p.Guid)));
    }

    private Task ClearPointersAsync(IEnumerable<AppProcess> removed) =>
        Task.WhenAll(removed.Select(p => GrainFactory.GetGrain<IProcessGrain>(p.Guid).ClearAsync()));

    /// <summary>The process types <paramref name="before"/> had and <paramref name="after"/> no longer has.</summary>
    private static IEnumerable<string> Gone(AppSnapshot before, AppSnapshot after) =>
        before.Others().Select(p => p.Type).Except(after.Others().Select(p => p.Type));

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

    public Task<ProcessReport> InstancesAsync(string type) =>
        state.RecordExists && state.State.App is { State: AppState.Started }
            ? runtime.ReportAsync(Guid, type, CancellationToken.None)
            : Task.FromResult(ProcessReport.None);

    public async Task StopInstanceAsync(string type, int index)
    {
        var current = Current;
        if (current.State == AppState.Started)
        {
            await runtime.StopInstanceAsync(Guid, type, index, CancellationToken.None);
            await AppLog([new(clock.GetUtcNow(), "CELL", index.ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"Stopping instance {index}; the runtime starts it again", false)]);
        }
    }

    public Task ConvergeAsync() => Task.CompletedTask;

    public async Task InstanceCrashedAsync(string type, int index, DateTimeOffset at, int count, string description)
    {
        if (!state.RecordExists || state.State.App is not { State: AppState.Started } app || app.Process(type) is not { } process)
        {
            return;
        }

        var instance = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await AppLog(
        [
            new LogLine(at, process.LogSource, instance, description, true),
            new LogLine(at.AddTicks(1), "CELL", instance, $"Instance {index} crashed ({count} so far); the runtime restarts it after a backoff", false),
        ]);
        var metadata = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["instance"] = $"{process.Guid:N}-{index}",
            ["index"] = index,
            ["process_type"] = type,
            ["cell_id"] = "simulated",
            ["exit_description"] = description,
            ["crash_count"] = count,
            ["reason"] = "CRASHED",
        });
        var org = state.State.OrganizationGuid ?? await OrganizationOfAsync(app.SpaceGuid);
        await GrainFactory.GetGrain<GrainInterfaces.Events.IAuditGrain>(0).RecordAsync(new GrainInterfaces.Events.AuditEvent(
            Guid.NewGuid(), "app.crash", Guid.ToString("D"), "app", app.Name, Guid.ToString("D"), "app", app.Name, at, metadata, app.SpaceGuid, org));
    }

    public async Task DeleteAsync()
    {
        var current = Current;
        await Task.WhenAll(current.Processes().Select(p => runtime.StopAsync(Guid, p.Type, CancellationToken.None)));
        await IndexedWrite.DeleteChildrenAsync(GrainFactory, IndexPlacement.Package(Guid), recursive: true, "package", "app",
            package => GrainFactory.GetGrain<IPackageGrain>(package).DeleteAsync(), CfErrorCode.ResourceNotFound);
        await IndexedWrite.DeleteChildrenAsync(GrainFactory, IndexPlacement.Droplet(Guid), recursive: true, "droplet", "app",
            droplet => GrainFactory.GetGrain<IDropletGrain>(droplet).DeleteAsync(), CfErrorCode.ResourceNotFound);
        await UnmapRoutesAsync();
        var org = state.State.OrganizationGuid ?? await OrganizationOfAsync(current.SpaceGuid);
        await IndexedWrite.ClearThenReleaseAsync(GrainFactory, IndexPlacement.App(current.SpaceGuid), Guid, () => state.ClearStateAsync());
        await ReleaseAsync(org, current);
        await ClearPointersAsync(current.Others());
        if (current.Package is { } package)
        {
            await bits.DeletePackageAsync(package.PackageGuid, CancellationToken.None);
        }

        LogDeleted(Guid);
    }

    /// <summary>
    /// Stores a changed app: its quota reservation first (in the new organization when it moves), then its index entry
    /// and state; a failed store gives the reservation back, and a move frees the old organization's.
    /// </summary>
    private async Task StoreChangeAsync(AppSnapshot current, AppSnapshot next)
    {
        var (org, nextOrg) = await ReserveChangeAsync(current, next);
        try
        {
            await IndexedWrite.UpdateThenStoreAsync(GrainFactory, IndexPlacement.App(current.SpaceGuid), Entry(current),
                IndexPlacement.App(next.SpaceGuid), Entry(next), () => NameTaken(next.Name),
                () => state.SaveAsync(state.State with { App = next, OrganizationGuid = nextOrg ?? state.State.OrganizationGuid }));
        }
        catch
        {
            await UndoReservationAsync(org, nextOrg, current, next);
            throw;
        }

        if (org is { } from && nextOrg is { } to && from != to)
        {
            await ReleaseAsync(from, current);
        }
    }

    /// <summary>Whether a change alters what should run: state, droplet, version, or any process's instances, limits or command.</summary>
    private static bool RuntimeChanged(AppSnapshot before, AppSnapshot after) =>
        before.State != after.State || before.CurrentDropletGuid != after.CurrentDropletGuid || before.Version != after.Version
        || before.Instances != after.Instances || before.Memory != after.Memory || before.DiskQuota != after.DiskQuota
        || before.PackageState != after.PackageState || !before.Others().SequenceEqual(after.Others());

    /// <summary>
    /// Tells the runtime what should run: a STARTED app with a staged droplet runs each process that has instances,
    /// with its count, limits and command; anything else runs nothing, and <paramref name="gone"/> process types stop.
    /// Idempotent, so it is safe after every change and activation. With <paramref name="announce"/>, the app's log
    /// says what was asked of the runtime.
    /// </summary>
    private async Task ConvergeRuntimeAsync(AppSnapshot app, bool announce, IEnumerable<string>? gone = null)
    {
        var now = clock.GetUtcNow();
        foreach (var type in gone ?? [])
        {
            await runtime.StopAsync(app.Guid, type, CancellationToken.None);
        }

        if (app is { State: AppState.Started, PackageState: AppPackageState.Staged, CurrentDropletGuid: { } droplet })
        {
            var environment = Runtime.RuntimeEnvironment.Of(app.EnvironmentJson);
            var lines = System.Collections.Immutable.ImmutableArray.CreateBuilder<LogLine>();
            foreach (var process in app.Processes())
            {
                if (process.Instances == 0)
                {
                    await runtime.StopAsync(app.Guid, process.Type, CancellationToken.None);
                    continue;
                }

                await runtime.DesireAsync(new Runtime.DesiredProcess(app.Guid, process.Type, droplet, app.Version, process.Instances, process.Memory,
                    process.DiskQuota, process.EffectiveCommand, environment), CancellationToken.None);
                if (announce)
                {
                    var offset = lines.Count;
                    lines.AddRange(Enumerable.Range(0, process.Instances).Select(i => new LogLine(now.AddTicks(offset + i), "CELL",
                        i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        $"Creating container for instance {i} of {app.Name}{(process.Type == AppProcess.Web ? "" : $" process {process.Type}")} "
                        + $"({process.Memory}M memory, {process.DiskQuota}M disk; {runtime.Description})", false)));
                }
            }

            if (announce)
            {
                await AppLog(lines.ToImmutable());
            }
        }
        else
        {
            await Task.WhenAll(app.Processes().Select(p => runtime.StopAsync(app.Guid, p.Type, CancellationToken.None)));
            if (announce && app.State == AppState.Stopped)
            {
                await AppLog([new LogLine(now, "CELL", "0", $"Stopping the instances of {app.Name}", false)]);
            }
        }
    }

    private Task AppLog(System.Collections.Immutable.ImmutableArray<LogLine> lines) =>
        lines.IsEmpty ? Task.CompletedTask : GrainFactory.GetGrain<IAppLogGrain>(Guid).AppendAsync(lines);

    private static AppDemand Demand(AppSnapshot app) => new(app.Memory, app.Instances, app.State == AppState.Started,
        app.Others().Sum(p => (long)p.Memory * p.Instances), app.Others().Sum(p => p.Instances),
        app.Others().Where(p => p.Instances > 0).Select(p => p.Memory).DefaultIfEmpty(0).Max());

    private async Task<Guid?> OrganizationOfAsync(Guid space) =>
        await GrainFactory.GetGrain<ISpaceGrain>(space).OrganizationAsync();

    /// <summary>Reserves what an app will use in its organization's quota before it is stored (nothing for a stopped app).</summary>
    private Task ReserveAsync(Guid? org, AppSnapshot? before, AppSnapshot after) =>
        org is { } o && (after.State == AppState.Started || before?.State == AppState.Started)
            ? GrainFactory.GetGrain<IOrganizationUsageGrain>(o).ReserveAppAsync(Guid, Demand(after))
            : Task.CompletedTask;

    private Task ReleaseAsync(Guid? org, AppSnapshot app) =>
        org is { } o && app.State == AppState.Started
            ? GrainFactory.GetGrain<IOrganizationUsageGrain>(o).ReleaseAppAsync(Guid)
            : Task.CompletedTask;

    /// <summary>
    /// Reserves an update's use of the quota: in the same organization when what the app uses changes, in the new one
    /// when the app moves across organizations. Answers the organizations before and after (null when not needed).
    /// </summary>
    private async Task<(Guid? From, Guid? To)> ReserveChangeAsync(AppSnapshot current, AppSnapshot next)
    {
        var demandChanges = Demand(current) != Demand(next) && (current.State == AppState.Started || next.State == AppState.Started);
        if (!demandChanges && next.SpaceGuid == current.SpaceGuid)
        {
            return (null, null);
        }

        var from = state.State.OrganizationGuid ?? await OrganizationOfAsync(current.SpaceGuid);
        var to = next.SpaceGuid == current.SpaceGuid ? from : await OrganizationOfAsync(next.SpaceGuid);
        await ReserveAsync(to, to == from ? current : null, next);
        return (from, to);
    }

    private async Task UndoReservationAsync(Guid? from, Guid? to, AppSnapshot current, AppSnapshot next)
    {
        try
        {
            await (to is null ? Task.CompletedTask : to == from ? ReserveAsync(to, next, current) : ReleaseAsync(to, next));
        }
        catch (CloudControllerException)
        {
            // A quota lowered meanwhile refuses the old figure back; the reservation stays conservative (higher) then.
        }
    }

    /// <summary>Takes the app off every route mapped to it (the routes own the mappings).</summary>
    private async Task UnmapRoutesAsync()
    {
        var index = GrainFactory.GetGrain<IResourceIndexGrain>(IndexKeys.RoutesOfApp(Guid));
        var page = await index.QueryAsync(IndexQuery.All(1, int.MaxValue));
        await Task.WhenAll(page.Entries.Select(route => GrainFactory.GetGrain<IRouteGrain>(route.Guid).UnmapAsync(Guid)));
    }

    /// <summary>The app's index entry; started apps carry <c>state:STARTED</c>, which the runtime convergence pass lists.</summary>
    private static IndexEntry Entry(AppSnapshot app) =>
        new(app.Guid, app.Name, IndexKeys.Scope(app.SpaceGuid), app.CreatedAt, app.State == AppState.Started ? [IndexEntry.Tag("state", "STARTED")] : []);

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
