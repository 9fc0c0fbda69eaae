using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Bits;
using CloudController.GrainInterfaces.Droplets;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Events;
using CloudController.GrainInterfaces.Hosting;
using CloudController.GrainInterfaces.Indexes;
using CloudController.GrainInterfaces.Logs;
using CloudController.GrainInterfaces.Packages;
using CloudController.GrainInterfaces.Processes;
using CloudController.GrainInterfaces.Quotas;
using CloudController.GrainInterfaces.Routes;
using CloudController.GrainInterfaces.Runtime;
using CloudController.GrainInterfaces.Spaces;
using CloudController.Grains.Bits;
using CloudController.Grains.Events;
using CloudController.Grains.Indexes;
using CloudController.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace CloudController.Grains.Apps;

/// <summary>
/// An app. Its transitions are <see cref="AppTransitions"/>'s; its state write is the commit point
/// (<see cref="CommitPoint{TState}"/>): before it, only what can refuse the change is claimed (the name in its space,
/// more quota); after it, everything derived from the stored app follows idempotently (index and catalog entries,
/// the usage ledger, process pointers, audit events), and the runtime is told what should run.
/// </summary>
[GrainType("app")]
public sealed partial class AppGrain(
    [PersistentState(StorageNames.State, StorageNames.CloudController)] IPersistentState<AppGrainState> state,
    IBitsService bits,
    Runtime.IAppRuntime runtime,
    Microsoft.Extensions.Options.IOptions<AppLimits> limits,
    AuditTrail trail,
    TimeProvider clock,
    ILogger<AppGrain> logger) : Grain, IAppGrain
{
    private CommitPoint<AppGrainState>? _commit;

    /// <summary>The snapshot of the stored app last projected, so reads do not project it again until it changes.</summary>
    private (StoredApp Source, AppSnapshot View)? _snapshot;

    private Guid Guid => this.GetPrimaryKey();

    private CommitPoint<AppGrainState> Commit => _commit ??= new(this, state, s => s.Outstanding, (s, o) => s with { Outstanding = o },
        DeriveAsync, trail, logger);

    /// <summary>The stored app (schema 2, migrated on read), or null.</summary>
    private StoredApp? Stored => state.RecordExists ? state.State.Current : null;

    private StoredApp Current => Stored ?? throw CloudControllerException.AppNotFound(Guid);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A schema-1 blob is migrated once, in memory; the next change stores schema 2.
        if (state.RecordExists && state.State is { Stored: null, App: { } legacy })
        {
            state.State = state.State.With(legacy.Migrate());
        }

        await Commit.ResumeAsync();

        // The runtime may have lost this app (its silo restarted, or it ran elsewhere): desire it again.
        if (Stored is { State: AppState.Started } started)
        {
            await ConvergeRuntimeAsync(started, announce: true);
        }

        // A staging that was in flight when this app's silo went away: make sure its droplet carries on.
        if (Stored is { Staging: { } staging })
        {
            await GrainFactory.GetGrain<IDropletGrain>(staging.DropletGuid).FindAsync();
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (Stored is { State: AppState.Started } app)
        {
            await Task.WhenAll(app.Processes.Select(p => runtime.DetachAsync(Guid, p.Type, cancellationToken)));
        }
    }

    public async Task<AppSnapshot> CreateAsync(AppFields fields)
    {
        if (state.RecordExists)
        {
            throw NameTaken(fields.Name ?? "");
        }

        var app = AppTransitions.Create(Guid, fields, clock.GetUtcNow(), Guid.NewGuid(), limits.Value);
        var org = await OrganizationOfAsync(app.SpaceGuid);
        await IndexedWrite.ClaimAsync(GrainFactory, Placement(app).Index, Entry(app), () => NameTaken(app.Name), Holder);
        await Commit.StoreAsync(new AppGrainState { OrganizationGuid = org }.With(app), Outstanding.Work(events: [Event("audit.app.create", app, org)]));
        LogCreated(Guid, app.Name, app.SpaceGuid);
        return app.ToSnapshot(Guid);
    }

    public Task<AppSnapshot> GetAsync() => Task.FromResult(Snapshot(Current));

    public Task<AppSnapshot?> FindAsync() => Task.FromResult(Stored is { } app ? Snapshot(app) : null);

    private AppSnapshot Snapshot(StoredApp app)
    {
        if (_snapshot is not { } cached || !ReferenceEquals(cached.Source, app))
        {
            _snapshot = cached = (app, app.ToSnapshot(Guid));
        }

        return cached.View;
    }

    public Task ReindexAsync() => Commit.RepairAsync();

    public Task<bool> ConfirmEntryAsync(string index) =>
        IndexedWrite.ConfirmAsync(GrainFactory, index, Guid, Stored is { } app ? (Placement(app), Entry(app)) : null);

    public async Task<bool> ConfirmUsageAsync(Guid organization)
    {
        var usage = GrainFactory.GetGrain<IOrganizationUsageGrain>(organization);
        if (Stored is { } app && state.State.OrganizationGuid == organization)
        {
            await usage.ConfirmAppAsync(Guid, AppTransitions.Demand(app));
            return true;
        }

        await usage.ReleaseAppAsync(Guid);
        return false;
    }

    public Task<AppSnapshot> SetStateAsync(AppState desired) =>
        UpdateAsync(new AppFields { State = desired }, (current, next, org) => next.State == current.State
            ? []
            : [Event(next.State == AppState.Started ? "audit.app.start" : "audit.app.stop", next, org, withRequest: false)]);

    public Task<AppSnapshot> UpdateAsync(AppFields fields) =>
        UpdateAsync(fields, (current, next, org) => next.State == current.State
            ? [Event("audit.app.update", next, org)]
            : [Event("audit.app.update", next, org), Event(next.State == AppState.Started ? "audit.app.start" : "audit.app.stop", next, org, withRequest: false)]);

    private async Task<AppSnapshot> UpdateAsync(AppFields fields, Func<StoredApp, StoredApp, Guid?, IEnumerable<AuditEvent>> events)
    {
        var current = Current;
        var (next, stage) = AppTransitions.Update(current, fields, clock.GetUtcNow(), Guid.NewGuid(), limits.Value);
        var droplet = stage ? Guid.NewGuid() : (Guid?)null;
        next = droplet is { } d ? AppTransitions.BeginStaging(next, d) : next;
        await StoreChangeAsync(current, next, events: org => events(current, next, org));
        if (next.State != current.State)
        {
            LogStateChanged(Guid, next.State);
        }

        if (droplet is { } staging)
        {
            await StartStagingAsync(next, staging);
        }

        await ConvergeRuntimeAsync(next, announce: RuntimeChanged(current, next));
        return next.ToSnapshot(Guid);
    }

    public async Task<AppSnapshot> RestageAsync()
    {
        var current = Current;
        var inFlight = current.Staging is { } staging
            && await GrainFactory.GetGrain<IDropletGrain>(staging.DropletGuid).FindAsync() is { State: DropletState.Staging };
        var droplet = Guid.NewGuid();
        var next = AppTransitions.Restage(current, clock.GetUtcNow(), Guid.NewGuid(), droplet, inFlight);
        await StoreChangeAsync(current, next, events: org => [Event("audit.app.restage", next, org, withRequest: false)]);
        await StartStagingAsync(next, droplet);
        await ConvergeRuntimeAsync(next, announce: true);
        return next.ToSnapshot(Guid);
    }

    public async Task<bool> CompleteStagingAsync(DropletSnapshot droplet)
    {
        if (Stored is not { } current)
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

        var next = AppTransitions.CompleteStaging(current, droplet, clock.GetUtcNow());
        if (next == current)
        {
            // Stale (new bits or a newer staging came meanwhile), or told before: only the current droplet is kept.
            return droplet.Guid == current.CurrentDropletGuid;
        }

        // v2 keeps only the droplet an app runs: the one replaced expires, owed by this store (so a retry of the
        // notification, which finds the change made, still leaves it expired).
        var replaced = current.CurrentDropletGuid is { } previous && previous != next.CurrentDropletGuid ? [previous] : ImmutableArray<Guid>.Empty;
        await StoreChangeAsync(current, next, events: _ => [], expire: replaced);
        LogStagingCompleted(Guid, next.PackageState, next.DetectedBuildpack ?? next.StagingFailedReason);
        await ConvergeRuntimeAsync(next, announce: RuntimeChanged(current, next), Gone(current, next));
        return true;
    }

    public async Task ReserveStagingAsync(Guid dropletGuid)
    {
        var current = Current;
        foreach (var holder in new[] { current.Staging?.DropletGuid, state.State.V3StagingDroplet }.OfType<Guid>())
        {
            if (await GrainFactory.GetGrain<IDropletGrain>(holder).FindAsync() is { State: DropletState.Staging })
            {
                throw new CloudControllerException(CfErrorCode.StagingInProgress, "Only one package can be staged at a time per application.");
            }
        }

        await state.SaveAsync(state.State with { V3StagingDroplet = dropletGuid });
    }

    public async Task<AppSnapshot> SetCurrentDropletAsync(DropletSnapshot droplet, bool whileStarted)
    {
        var current = Current;
        if (current.CurrentDropletGuid == droplet.Guid && whileStarted)
        {
            return current.ToSnapshot(Guid);
        }

        var next = AppTransitions.SetCurrentDroplet(current, Guid, droplet, clock.GetUtcNow(), whileStarted: whileStarted);
        await StoreChangeAsync(current, next, events: org => [Event("audit.app.droplet.mapped", next, org)]);
        return next.ToSnapshot(Guid);
    }

    public async Task<AppSnapshot> UpdateProcessAsync(string type, ProcessFields fields, string auditType)
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
            }, (_, next, org) => [Event(auditType, next, org)]);
        }

        var current = Current;
        var next = AppTransitions.UpdateProcess(current, type, fields, clock.GetUtcNow(), limits.Value);
        await StoreChangeAsync(current, next, events: org => [Event(auditType, next, org)]);
        await ConvergeRuntimeAsync(next, announce: RuntimeChanged(current, next));
        return next.ToSnapshot(Guid);
    }

    public async Task<AppSnapshot> SetPackageAsync(PackageInfo package)
    {
        var current = Current;
        if (current.Package?.PackageGuid == package.PackageGuid)
        {
            return current.ToSnapshot(Guid);
        }

        var (next, stage) = AppTransitions.SetPackage(current, package, clock.GetUtcNow());
        var droplet = stage ? Guid.NewGuid() : (Guid?)null;
        next = droplet is { } d ? AppTransitions.BeginStaging(next, d) : next;
        await StoreChangeAsync(current, next, events: _ => []);
        LogPackageSet(Guid, package.PackageGuid, package.Sha1);
        if (droplet is { } staging)
        {
            // Started with other bits staging or staged: the new bits stage now, and the old outcome is stale.
            await StartStagingAsync(next, staging);
        }

        if (current.Package is { } previous)
        {
            await RetirePackageAsync(previous.PackageGuid);
        }

        return next.ToSnapshot(Guid);
    }

    /// <summary>The replaced bits go: their v3 package expires (its blob with it), or, stored before packages were recorded, the blob alone.</summary>
    private async Task RetirePackageAsync(Guid package)
    {
        try
        {
            await GrainFactory.GetGrain<IPackageGrain>(package).ExpireAsync();
        }
        catch (CloudControllerException e) when (e.Code is CfErrorCode.ResourceNotFound or CfErrorCode.AppPackageNotFound)
        {
            await bits.DeletePackageAsync(package, CancellationToken.None);
        }
    }

    public Task<ProcessReport> InstancesAsync(string type) =>
        Stored is { State: AppState.Started }
            ? runtime.ReportAsync(Guid, type, CancellationToken.None)
            : Task.FromResult(ProcessReport.None);

    public async Task StopInstanceAsync(string type, int index)
    {
        var current = Current;
        if (current.State == AppState.Started)
        {
            await runtime.StopInstanceAsync(Guid, type, index, CancellationToken.None);
            await AppLog([new(clock.GetUtcNow(), "CELL", index.ToString(CultureInfo.InvariantCulture),
                $"Stopping instance {index}; the runtime starts it again", false)]);
        }
    }

    public Task ConvergeAsync() => Task.CompletedTask;

    public async Task InstanceCrashedAsync(string type, int index, DateTimeOffset at, int count, string description)
    {
        if (Stored is not { State: AppState.Started } app || app.Process(type) is not { } process)
        {
            return;
        }

        var instance = index.ToString(CultureInfo.InvariantCulture);
        await AppLog(
        [
            new LogLine(at, process.ToProcess(app).LogSource, instance, description, true),
            new LogLine(at.AddTicks(1), "CELL", instance, $"Instance {index} crashed ({count} so far); the runtime restarts it after a backoff", false),
        ]);
        var metadata = new JsonObject
        {
            ["instance"] = $"{process.Guid:N}-{index}",
            ["index"] = index,
            ["process_type"] = type,
            ["cell_id"] = runtime.CellId,
            ["exit_description"] = description,
            ["crash_count"] = count,
            ["reason"] = "CRASHED",
        };
        var org = state.State.OrganizationGuid ?? await OrganizationOfAsync(app.SpaceGuid);
        var crash = new AuditEvent(Guid.NewGuid(), "app.crash", Guid.ToString("D"), "app", app.Name, Guid.ToString("D"), "app", app.Name, at,
            metadata.ToJsonString(), app.SpaceGuid, org);
        await trail.AppendAsync([crash]);
    }

    public async Task DeleteAsync()
    {
        var current = Current;
        await Task.WhenAll(current.Processes.Select(p => runtime.StopAsync(Guid, p.Type, CancellationToken.None)));
        // An app's packages and droplets are few (older ones expire): they go in its turn.
        await IndexedWrite.DeleteChildrenAsync(GrainFactory, IndexKeys.PackagesOfApp(Guid), "package", "app",
            package => GrainFactory.GetGrain<IPackageGrain>(package).DeleteAsync(), g => GrainFactory.GetGrain<IPackageGrain>(g), CancellationToken.None);
        await IndexedWrite.DeleteChildrenAsync(GrainFactory, IndexKeys.DropletsOfApp(Guid), "droplet", "app",
            droplet => GrainFactory.GetGrain<IDropletGrain>(droplet).DeleteAsync(), g => GrainFactory.GetGrain<IDropletGrain>(g), CancellationToken.None);
        await UnmapRoutesAsync();
        var org = state.State.OrganizationGuid ?? await OrganizationOfAsync(current.SpaceGuid);

        // The request is recorded before the deletion it asks for (CF's delete-request), then the state goes, and
        // everything derived from it after.
        await trail.AppendAsync([Event("audit.app.delete-request", current, org)]);
        await state.ClearStateAsync();
        await IndexedWrite.ReleaseAsync(GrainFactory, Placement(current), Guid);
        if (org is { } o)
        {
            await GrainFactory.GetGrain<IOrganizationUsageGrain>(o).ReleaseAppAsync(Guid);
        }

        await Task.WhenAll(current.Processes.Where(p => p.Type != AppProcess.Web).Select(p => GrainFactory.GetGrain<IProcessGrain>(p.Guid).ClearAsync()));
        if (current.Package is { } package)
        {
            await bits.DeletePackageAsync(package.PackageGuid, CancellationToken.None);
        }

        LogDeleted(Guid);
    }

    /// <summary>
    /// Stores a change: what can refuse it is claimed first (more quota in the organization it will be in, its name
    /// in the space it will be in); then the state is stored with what the change owes elsewhere (the indexes it
    /// left, the ledgers to bring in line, the process pointers gained and lost, its audit events, made for the
    /// organization the app is in after the change), and that work is derived.
    /// </summary>
    private async Task StoreChangeAsync(StoredApp current, StoredApp next, Func<Guid?, IEnumerable<AuditEvent>> events, ImmutableArray<Guid> expire = default)
    {
        var from = state.State.OrganizationGuid ?? await OrganizationOfAsync(current.SpaceGuid);
        var to = next.SpaceGuid == current.SpaceGuid ? from : await OrganizationOfAsync(next.SpaceGuid);
        var (before, after) = (AppTransitions.Demand(current), AppTransitions.Demand(next));
        var ledgers = ImmutableArray<Guid>.Empty;
        if (to != from || before != after)
        {
            // More use is reserved (and checked) before the store; less, and a move's release, follow it.
            if (to is { } destination && after.Started && (to != from || Grows(before, after)))
            {
                await GrainFactory.GetGrain<IOrganizationUsageGrain>(destination).ReserveAppAsync(Guid, after);
            }

            ledgers = [.. new[] { from, to }.OfType<Guid>().Distinct()];
        }

        await IndexedWrite.ClaimChangeAsync(GrainFactory, Placement(current), Entry(current), Placement(next), Entry(next), () => NameTaken(next.Name), Holder);
        var gained = next.Processes.Where(p => p.Type != AppProcess.Web && current.Processes.All(c => c.Guid != p.Guid)).Select(p => p.Guid);
        var lost = current.Processes.Where(p => p.Type != AppProcess.Web && next.Processes.All(n => n.Guid != p.Guid)).Select(p => p.Guid);
        // Usage events ride in the same outbox: written because this change was stored, never without it.
        var owed = events(to).Concat(Events.UsageEvents.Between(Guid, current, next, to, clock.GetUtcNow()));
        var work = Outstanding.Work(IndexedWrite.Left(Placement(current), Placement(next), Guid), owed) with
        {
            UsageOrganizations = ledgers,
            PointerPuts = [.. gained],
            PointerClears = [.. lost],
            DropletExpiries = expire.IsDefault ? [] : expire,
        };
        await Commit.StoreAsync(state.State.With(next) with { OrganizationGuid = to ?? state.State.OrganizationGuid }, work);
    }

    /// <summary>Whether <paramref name="after"/> asks more of a quota than <paramref name="before"/> in any of its measures.</summary>
    private static bool Grows(AppDemand before, AppDemand after) =>
        after.Memory > before.Memory || after.RunningInstances > before.RunningInstances || after.LargestInstance > before.LargestInstance;

    /// <summary>After a store: entries, ledgers, process pointers and replaced droplets as the stored app says.</summary>
    private Task DeriveAsync(AppGrainState s, Outstanding owed)
    {
        if (s.Current is not { } app)
        {
            return Task.CompletedTask;
        }

        var org = s.OrganizationGuid;
        var types = app.Processes.ToDictionary(p => p.Guid, p => p.Type);
        return Task.WhenAll(
            owed.UsageOrganizations.Select(o => o == org
                    ? GrainFactory.GetGrain<IOrganizationUsageGrain>(o).ConfirmAppAsync(Guid, AppTransitions.Demand(app))
                    : GrainFactory.GetGrain<IOrganizationUsageGrain>(o).ReleaseAppAsync(Guid))
                .Concat(owed.PointerPuts.Where(types.ContainsKey)
                    .Select(p => GrainFactory.GetGrain<IProcessGrain>(p).PointAsync(new ProcessPointer(Guid, types[p]))))
                .Concat(owed.PointerClears.Where(p => !types.ContainsKey(p)).Select(p => GrainFactory.GetGrain<IProcessGrain>(p).ClearAsync()))
                .Concat(owed.DropletExpiries.Where(d => d != app.CurrentDropletGuid).Select(d => GrainFactory.GetGrain<IDropletGrain>(d).ExpireAsync()))
                .Append(IndexedWrite.DeriveAsync(GrainFactory, Placement(app), Entry(app), owed.Releases)));
    }

    /// <summary>Whether a change alters what should run: state, droplet, version, or any process's instances, limits or command.</summary>
    private static bool RuntimeChanged(StoredApp before, StoredApp after) =>
        before.State != after.State || before.CurrentDropletGuid != after.CurrentDropletGuid || before.Version != after.Version
        || before.PackageState != after.PackageState || !before.Processes.SequenceEqual(after.Processes);

    /// <summary>The process types <paramref name="before"/> had and <paramref name="after"/> no longer has.</summary>
    private static IEnumerable<string> Gone(StoredApp before, StoredApp after) =>
        before.Processes.Select(p => p.Type).Except(after.Processes.Select(p => p.Type));

    private Task<DropletSnapshot> StartStagingAsync(StoredApp app, Guid droplet) =>
        NewGrain.CallAsync(GrainFactory.GetGrain<IDropletGrain>(droplet),
            grain => grain.StageAsync(new StagingRequest(Guid, app.PackageInfo!, app.Buildpack, app.StackGuid)));

    /// <summary>
    /// Tells the runtime what should run: a STARTED app with a staged droplet runs each process that has instances,
    /// with its count, limits and command; anything else runs nothing, and <paramref name="gone"/> process types stop.
    /// Idempotent, so it is safe after every change and activation. With <paramref name="announce"/>, the app's log
    /// says what was asked of the runtime.
    /// </summary>
    private async Task ConvergeRuntimeAsync(StoredApp app, bool announce, IEnumerable<string>? gone = null)
    {
        var now = clock.GetUtcNow();
        foreach (var type in gone ?? [])
        {
            await runtime.StopAsync(Guid, type, CancellationToken.None);
        }

        if (app is { State: AppState.Started, PackageState: AppPackageState.Staged, CurrentDropletGuid: { } droplet })
        {
            var environment = Runtime.RuntimeEnvironment.Of(app.EnvironmentJson);
            var lines = ImmutableArray.CreateBuilder<LogLine>();
            foreach (var process in app.Processes.Select(p => p.ToProcess(app)))
            {
                if (process.Instances == 0)
                {
                    await runtime.StopAsync(Guid, process.Type, CancellationToken.None);
                    continue;
                }

                await runtime.DesireAsync(new Runtime.DesiredProcess(Guid, process.Type, droplet, app.Version, process.Instances, process.Memory,
                    process.DiskQuota, process.EffectiveCommand, environment)
                {
                    AppName = app.Name,
                    SpaceGuid = app.SpaceGuid,
                    ProcessGuid = process.Guid,
                    HealthCheckType = process.HealthCheckType,
                    HealthCheckHttpEndpoint = process.HealthCheckHttpEndpoint,
                    HealthCheckTimeout = process.HealthCheckTimeout,
                }, CancellationToken.None);
                if (announce)
                {
                    var offset = lines.Count;
                    lines.AddRange(Enumerable.Range(0, process.Instances).Select(i => new LogLine(now.AddTicks(offset + i), "CELL",
                        i.ToString(CultureInfo.InvariantCulture),
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
            await Task.WhenAll(app.Processes.Select(p => runtime.StopAsync(Guid, p.Type, CancellationToken.None)));
            if (announce && app.State == AppState.Stopped)
            {
                await AppLog([new LogLine(now, "CELL", "0", $"Stopping the instances of {app.Name}", false)]);
            }
        }
    }

    private Task AppLog(ImmutableArray<LogLine> lines) =>
        lines.IsEmpty ? Task.CompletedTask : GrainFactory.GetGrain<IAppLogGrain>(Guid).AppendAsync(lines);

    private async Task<Guid?> OrganizationOfAsync(Guid space) =>
        await GrainFactory.GetGrain<ISpaceGrain>(space).OrganizationAsync();

    /// <summary>Takes the app off every route mapped to it (the routes own the mappings).</summary>
    private async Task UnmapRoutesAsync()
    {
        var index = GrainFactory.GetGrain<IResourceIndexGrain>(IndexKeys.RoutesOfApp(Guid));
        var page = await index.QueryAsync(IndexQuery.All(1, int.MaxValue));
        await Task.WhenAll(page.Entries.Select(route => GrainFactory.GetGrain<IRouteGrain>(route.Guid).UnmapAsync(Guid, null)));
    }

    private static IndexPlacement Placement(StoredApp app) => IndexPlacement.App(app.SpaceGuid);

    /// <summary>The app's index entry; started apps carry <c>state:STARTED</c>, which the runtime convergence pass lists.</summary>
    private IndexEntry Entry(StoredApp app) =>
        new(Guid, app.Name, IndexKeys.Scope(app.SpaceGuid), app.CreatedAt, app.State == AppState.Started ? [IndexEntry.Tag("state", "STARTED")] : []);

    private AuditEvent Event(string type, StoredApp app, Guid? org, bool withRequest = true, JsonObject? extra = null) =>
        AuditEvents.Of(type, new AuditActee(Guid, "app", app.Name, app.SpaceGuid, org), clock.GetUtcNow(), withRequest, extra);

    private IIndexedGrain Holder(Guid holder) => GrainFactory.GetGrain<IAppGrain>(holder);

    private static CloudControllerException NameTaken(string name) =>
        new(CfErrorCode.AppNameTaken, $"The app name is taken: {name}");

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
