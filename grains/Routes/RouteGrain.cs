using System.Collections.Immutable;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CloudController.GrainInterfaces.Domains;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Events;
using CloudController.GrainInterfaces.Indexes;
using CloudController.GrainInterfaces.Quotas;
using CloudController.GrainInterfaces.Routes;
using CloudController.GrainInterfaces.Spaces;
using CloudController.Grains.Events;
using CloudController.Grains.Indexes;
using CloudController.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace CloudController.Grains.Routes;

/// <summary>Persisted form of a route. Ids are permanent: add new ones, never renumber.</summary>
[GenerateSerializer, Alias("CloudController.Grains.Routes.RouteGrainState")]
public sealed record RouteGrainState
{
    [Id(0)] public string Host { get; init; } = "";
    [Id(1)] public Guid DomainGuid { get; init; }
    [Id(2)] public Guid SpaceGuid { get; init; }
    [Id(3)] public Guid OrganizationGuid { get; init; }
    [Id(4)] public string Path { get; init; } = "";
    [Id(5)] public int? Port { get; init; }
    [Id(6)] public ImmutableArray<Guid> Apps { get; init; } = [];
    [Id(7)] public DateTimeOffset CreatedAt { get; init; }
    [Id(8)] public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>Derived work the last stored change still owes (see <see cref="Storage.Outstanding"/>).</summary>
    [Id(9)] public Storage.Outstanding? Outstanding { get; init; }

    /// <summary>The domain's name (domains are never renamed); null for routes stored before it was kept.</summary>
    [Id(10)] public string? DomainName { get; init; }

    /// <summary>The host name the route's URL occupies (<c>host.domain</c>), or null without a host.</summary>
    public string? Hostname => DomainName is { } domain ? Domains.Hostnames.OfRoute(Host, domain) : null;

    public RouteSnapshot ToSnapshot(Guid guid) =>
        new(guid, Host, DomainGuid, SpaceGuid, OrganizationGuid, Path, Port, Apps.IsDefault ? [] : Apps, CreatedAt, UpdatedAt);
}

[GrainType("route")]
public sealed partial class RouteGrain(
    [PersistentState(StorageNames.State, StorageNames.CloudController)] IPersistentState<RouteGrainState> state,
    AuditTrail trail,
    TimeProvider clock,
    ILogger<RouteGrain> logger) : Grain, IRouteGrain
{
    private CommitPoint<RouteGrainState>? _commit;

    private Guid Guid => this.GetPrimaryKey();

    private CommitPoint<RouteGrainState> Commit => _commit ??= new(this, state, s => s.Outstanding, (s, o) => s with { Outstanding = o },
        DeriveAsync, trail, logger);

    private RouteGrainState Current => state.RecordExists ? state.State : throw CloudControllerException.RouteNotFound(Guid);

    public override Task OnActivateAsync(CancellationToken cancellationToken) => Commit.ResumeAsync();

    public async Task<RouteSnapshot> CreateAsync(CreateRoute command)
    {
        if (state.RecordExists)
        {
            throw Taken(command.Host, command.Path);
        }

        var host = RouteRules.ValidHost(command.Host);
        var path = RouteRules.ValidPath(command.Path);
        if (command.Port is not null)
        {
            throw new CloudControllerException(CfErrorCode.RouteInvalid,
                "The route is invalid: Port is supported for domains of TCP router groups only.");
        }

        var domain = await GrainFactory.GetGrain<IDomainGrain>(command.DomainGuid).FindAsync()
            ?? throw CloudControllerException.InvalidRelation($"Could not find VCAP::CloudController::Domain with guid: {command.DomainGuid}");
        var space = await GrainFactory.GetGrain<ISpaceGrain>(command.SpaceGuid).FindAsync()
            ?? throw CloudControllerException.InvalidRelation($"Could not find VCAP::CloudController::Space with guid: {command.SpaceGuid}");
        if (!domain.UsableBy(space.OrganizationGuid))
        {
            throw CloudControllerException.InvalidRelation(
                $"Domain with guid {domain.Guid} is a private domain of another organization and cannot be used in space {space.Guid}");
        }

        if (host.Length == 0 && domain.Shared && !domain.Internal)
        {
            throw new CloudControllerException(CfErrorCode.RouteInvalid, "The route is invalid: host is required for shared-domains");
        }

        var next = new RouteGrainState
        {
            Host = host,
            DomainGuid = domain.Guid,
            SpaceGuid = space.Guid,
            OrganizationGuid = space.OrganizationGuid,
            Path = path,
            CreatedAt = clock.GetUtcNow(),
            DomainName = domain.Name,
        };

        // The quota and the address are claimed before the store; a store that fails leaves claims that heal (the
        // address when another route asks for it, the quota when the organization's ledger checks its routes).
        await GrainFactory.GetGrain<IOrganizationUsageGrain>(next.OrganizationGuid).ReserveRouteAsync(Guid);
        await IndexedWrite.ClaimAsync(GrainFactory, Placement(next).Index, Entry(next), () => Taken(host, path), Holder);
        if (next.Hostname is { } hostname && !await Domains.Hostnames.EnterForRouteAsync(GrainFactory, hostname, Guid, next.CreatedAt))
        {
            // A domain of that name exists: its owner holds the URL.
            throw Taken(host, "");
        }

        await Commit.StoreAsync(next, Outstanding.Work(events: [Event("audit.route.create", next, domain.Name)]));
        LogCreated(Guid, host, domain.Name, path, space.Guid);
        return next.ToSnapshot(Guid);
    }

    public Task<RouteSnapshot> GetAsync() => Task.FromResult(Current.ToSnapshot(Guid));

    public Task<RouteSnapshot?> FindAsync() => Task.FromResult(state.RecordExists ? state.State.ToSnapshot(Guid) : null);

    public Task ReindexAsync() => Commit.RepairAsync();

    public async Task<bool> ConfirmEntryAsync(string index)
    {
        if (state.RecordExists && state.State.Apps.FirstOrDefault(a => IndexKeys.RoutesOfApp(a) == index) is var app && app != Guid.Empty)
        {
            await AppRoutes(app).PutAsync(MappingEntry(state.State));
            return true;
        }

        if (index.StartsWith("hostnames/", StringComparison.Ordinal))
        {
            if (state.RecordExists && state.State.Hostname is { } hostname && IndexKeys.Hostnames(hostname) == index)
            {
                await Hostname(hostname).PutAsync(Domains.Hostnames.RouteEntry(hostname, Guid, state.State.CreatedAt));
                return true;
            }

            await GrainFactory.GetGrain<IResourceIndexGrain>(index).ReleaseAsync(Guid);
            return false;
        }

        return await IndexedWrite.ConfirmAsync(GrainFactory, index, Guid, state.RecordExists ? (Placement(state.State), Entry(state.State)) : null);
    }

    public async Task<bool> ConfirmUsageAsync(Guid organization)
    {
        if (state.RecordExists && state.State.OrganizationGuid == organization)
        {
            return true;
        }

        await GrainFactory.GetGrain<IOrganizationUsageGrain>(organization).ReleaseRouteAsync(Guid);
        return false;
    }

    public async Task<RouteSnapshot> UpdateAsync(UpdateRoute command)
    {
        var current = Current;
        var next = current with
        {
            Host = command.Host is null ? current.Host : RouteRules.ValidHost(command.Host),
            Path = command.Path is null ? current.Path : RouteRules.ValidPath(command.Path),
            UpdatedAt = clock.GetUtcNow(),
        };
        await IndexedWrite.ClaimChangeAsync(GrainFactory, Placement(current), Entry(current), Placement(next), Entry(next),
            () => Taken(next.Host, next.Path), Holder);
        var domain = await GrainFactory.GetGrain<IDomainGrain>(next.DomainGuid).FindAsync();
        next = next with { DomainName = next.DomainName ?? domain?.Name };
        if (next.Hostname is { } hostname && hostname != current.Hostname && !await Domains.Hostnames.EnterForRouteAsync(GrainFactory, hostname, Guid, next.CreatedAt))
        {
            throw Taken(next.Host, "");
        }

        var left = IndexedWrite.Left(Placement(current), Placement(next), Guid);
        if (current.Hostname is { } old && old != next.Hostname)
        {
            left = left.Add(IndexKeys.Hostnames(old));
        }

        await Commit.StoreAsync(next, Outstanding.Work(left, [Event("audit.route.update", next, domain?.Name ?? "")]));
        return next.ToSnapshot(Guid);
    }

    public async Task<RouteSnapshot> MapAsync(MappedApp app)
    {
        var current = Current;
        if (app.SpaceGuid != current.SpaceGuid)
        {
            throw CloudControllerException.InvalidRelation(
                "The app cannot be mapped to this route because the route is not in this space. Apps must be mapped to routes in the same space.");
        }

        if (current.Apps.Contains(app.Guid))
        {
            return current.ToSnapshot(Guid);
        }

        await Commit.StoreAsync(current with { Apps = current.Apps.Add(app.Guid) },
            Outstanding.Work(events: [AppEvent("audit.app.map-route", app, current)]));
        LogMapped(Guid, app.Guid);
        return state.State.ToSnapshot(Guid);
    }

    public async Task<RouteSnapshot?> UnmapAsync(Guid app, MappedApp? audited)
    {
        if (!state.RecordExists)
        {
            // A route deleted meanwhile: make sure the app no longer lists it.
            await AppRoutes(app).ReleaseAsync(Guid);
            return null;
        }

        var current = state.State;
        if (current.Apps.Contains(app))
        {
            await Commit.StoreAsync(current with { Apps = current.Apps.Remove(app) }, Outstanding.Work([IndexKeys.RoutesOfApp(app)],
                audited is null ? [] : [AppEvent("audit.app.unmap-route", audited, current)]));
            LogUnmapped(Guid, app);
        }
        else
        {
            await AppRoutes(app).ReleaseAsync(Guid);
        }

        return state.State.ToSnapshot(Guid);
    }

    public async Task DeleteAsync()
    {
        var current = Current;
        var domain = await GrainFactory.GetGrain<IDomainGrain>(current.DomainGuid).FindAsync();
        await trail.AppendAsync([Event("audit.route.delete-request", current, domain?.Name ?? "")]);
        await state.ClearStateAsync();
        await IndexedWrite.ReleaseAsync(GrainFactory, Placement(current), Guid);
        await Task.WhenAll(current.Apps.Select(app => AppRoutes(app).ReleaseAsync(Guid)));
        if ((current with { DomainName = current.DomainName ?? domain?.Name }).Hostname is { } hostname)
        {
            await Hostname(hostname).ReleaseAsync(Guid);
        }

        await GrainFactory.GetGrain<IOrganizationUsageGrain>(current.OrganizationGuid).ReleaseRouteAsync(Guid);
        LogDeleted(Guid);
    }

    /// <summary>After a store: the route's entries, one mapping entry per mapped app, and out of what the change left.</summary>
    private Task DeriveAsync(RouteGrainState s, Outstanding owed)
    {
        var kept = s.Apps.Select(IndexKeys.RoutesOfApp).ToHashSet(StringComparer.Ordinal);
        var hostname = s.Hostname;
        var puts = s.Apps.Select(app => AppRoutes(app).PutAsync(MappingEntry(s)));
        if (hostname is not null)
        {
            kept.Add(IndexKeys.Hostnames(hostname));
            puts = puts.Append(Hostname(hostname).PutAsync(Domains.Hostnames.RouteEntry(hostname, Guid, s.CreatedAt)));
        }

        return Task.WhenAll(puts.Append(IndexedWrite.DeriveAsync(GrainFactory, Placement(s), Entry(s), owed.Releases.Where(r => !kept.Contains(r)))));
    }

    private IResourceIndexGrain Hostname(string hostname) => GrainFactory.GetGrain<IResourceIndexGrain>(IndexKeys.Hostnames(hostname));

    private IResourceIndexGrain AppRoutes(Guid app) => GrainFactory.GetGrain<IResourceIndexGrain>(IndexKeys.RoutesOfApp(app));

    private static IndexPlacement Placement(RouteGrainState s) => IndexPlacement.Route(s.DomainGuid, s.SpaceGuid);

    private IndexEntry Entry(RouteGrainState s) => new(Guid, IndexKeys.RouteAddress(s.Host, s.Path), IndexKeys.Scope(s.SpaceGuid), s.CreatedAt,
        [IndexEntry.Tag("host", s.Host.ToLowerInvariant()), IndexEntry.Tag("path", s.Path), IndexEntry.Tag("domain", IndexKeys.Scope(s.DomainGuid)),
            IndexEntry.Tag("space", IndexKeys.Scope(s.SpaceGuid))]);

    private IndexEntry MappingEntry(RouteGrainState s) => new(Guid, Guid.ToString("D"), IndexKeys.Scope(s.SpaceGuid), s.CreatedAt, []);

    private AuditEvent Event(string type, RouteGrainState route, string domain, bool withRequest = true, JsonObject? extra = null) =>
        AuditEvents.Of(type, new AuditActee(Guid, "route", RouteUrl(route, domain), route.SpaceGuid, route.OrganizationGuid), clock.GetUtcNow(),
            withRequest, extra);

    private AuditEvent AppEvent(string type, MappedApp app, RouteGrainState route) =>
        AuditEvents.Of(type, new AuditActee(app.Guid, "app", app.Name, app.SpaceGuid, route.OrganizationGuid), clock.GetUtcNow(),
            withRequest: false, new JsonObject { ["route_guid"] = Guid });

    /// <summary>The route's URL as CF names it in events: <c>host.domain/path</c>, or the domain alone without a host.</summary>
    private static string RouteUrl(RouteGrainState route, string domain) =>
        $"{(route.Host.Length == 0 ? "" : route.Host + ".")}{domain}{route.Path}";

    private IIndexedGrain Holder(Guid holder) => GrainFactory.GetGrain<IRouteGrain>(holder);

    private static CloudControllerException Taken(string host, string path) => path.Length == 0
        ? new(CfErrorCode.RouteHostTaken, $"The host is taken: {host}")
        : new(CfErrorCode.RoutePathTaken, $"The path is taken: {path}");

    [LoggerMessage(Level = LogLevel.Information, Message = "Route {RouteGuid} created as {Host}.{Domain}{Path} in space {SpaceGuid}")]
    private partial void LogCreated(Guid routeGuid, string host, string domain, string path, Guid spaceGuid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Route {RouteGuid} mapped to app {AppGuid}")]
    private partial void LogMapped(Guid routeGuid, Guid appGuid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Route {RouteGuid} unmapped from app {AppGuid}")]
    private partial void LogUnmapped(Guid routeGuid, Guid appGuid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Route {RouteGuid} deleted")]
    private partial void LogDeleted(Guid routeGuid);
}

/// <summary>Validation of a route's host and path (CF's RouteValidator). Pure.</summary>
public static partial class RouteRules
{
    public static string ValidHost(string host)
    {
        var trimmed = host.Trim();
        if (trimmed.Length > 63 || (trimmed.Length > 0 && trimmed != "*" && !Host().IsMatch(trimmed)))
        {
            throw new CloudControllerException(CfErrorCode.RouteInvalid,
                "The route is invalid: host must be no more than 63 characters of letters, digits, '-' and '_' (or '*')");
        }

        return trimmed.ToLowerInvariant();
    }

    public static string ValidPath(string path)
    {
        if (path.Length == 0)
        {
            return path;
        }

        if (path[0] != '/' || path == "/" || path.Contains('?', StringComparison.Ordinal) || path.Length > 128
            || path.Any(char.IsControl) || !Uri.IsWellFormedUriString("http://h" + path, UriKind.Absolute))
        {
            throw new CloudControllerException(CfErrorCode.RouteInvalid,
                "The route is invalid: path must begin with '/', be more than '/', hold no '?' and be a valid URI path");
        }

        return path;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_-]+$")]
    private static partial Regex Host();
}
