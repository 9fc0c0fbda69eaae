using System.Collections.Immutable;
using CloudController.GrainInterfaces.Routing;
using Microsoft.Extensions.Logging;

namespace CloudController.Grains.Routing;

/// <summary>
/// The routers' table (see <see cref="IRouteTableGrain"/>). The routes of each app that some silo runs are read from
/// the app's route index and the route and domain grains, kept, and read again every <see cref="RefreshPeriod"/>, so a
/// route mapped or unmapped while the app runs reaches the routers within about a second.
/// </summary>
[GrainType("route-table")]
public sealed partial class RouteTableGrain(TimeProvider clock, ILogger<RouteTableGrain> logger) : Grain, IRouteTableGrain
{
    public static readonly TimeSpan RefreshPeriod = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, (ImmutableArray<RunningProcess> Processes, DateTimeOffset Expires)> _reports = [];
    private Dictionary<Guid, ImmutableArray<(string Hostname, string Path)>> _routes = [];
    private RouteTable _table = new(1, []);
    private IGrainTimer? _timer;

    public async Task ReportAsync(string silo, ImmutableArray<RunningProcess> processes, TimeSpan lease)
    {
        _reports[silo] = (processes, clock.GetUtcNow() + lease);
        var unknown = processes.Select(p => p.App).Where(app => !_routes.ContainsKey(app)).Distinct().ToList();
        if (unknown.Count > 0)
        {
            var found = await Task.WhenAll(unknown.Select(ResolveAsync));
            foreach (var (app, routes) in found)
            {
                _routes[app] = routes;
            }
        }

        Rebuild();
        _timer ??= this.RegisterGrainTimer(RefreshAsync, new GrainTimerCreationOptions(RefreshPeriod, RefreshPeriod) { KeepAlive = true });
    }

    public Task<RouteTable?> GetAsync(long knownVersion) => Task.FromResult(knownVersion == _table.Version ? null : _table);

    /// <summary>Drops lapsed reports and reads every running app's routes again.</summary>
    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        foreach (var silo in _reports.Where(r => r.Value.Expires < now).Select(r => r.Key).ToList())
        {
            _reports.Remove(silo);
            LogSiloLapsed(silo);
        }

        var apps = _reports.Values.SelectMany(r => r.Processes).Select(p => p.App).Distinct().ToList();
        var found = await Task.WhenAll(apps.Select(ResolveAsync));
        _routes = found.ToDictionary(f => f.App, f => f.Routes);
        Rebuild();
        if (_reports.Count == 0)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    private async Task<(Guid App, ImmutableArray<(string Hostname, string Path)> Routes)> ResolveAsync(Guid app)
    {
        try
        {
            return (app, await AppRoutes.OfAsync(GrainFactory, app));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Keep what was known; the next refresh tries again.
            LogResolveFailed(ex, app);
            return (app, _routes.GetValueOrDefault(app, []));
        }
    }

    /// <summary>Joins what runs with the routes; a new version only when the routes or their endpoints changed.</summary>
    private void Rebuild()
    {
        var endpoints = new Dictionary<Guid, List<InstanceEndpoint>>();
        foreach (var process in _reports.Values.SelectMany(r => r.Processes).Where(p => p.Type == "web"))
        {
            if (!endpoints.TryGetValue(process.App, out var list))
            {
                endpoints[process.App] = list = [];
            }

            list.AddRange(process.Endpoints);
        }

        var routes = endpoints
            .SelectMany(e => _routes.GetValueOrDefault(e.Key, []).Select(r => new RoutedPath(r.Hostname, r.Path, e.Key,
                [.. e.Value.OrderBy(p => p.Index).ThenBy(p => p.InstanceId, StringComparer.Ordinal)])))
            .OrderBy(r => r.Hostname, StringComparer.Ordinal).ThenBy(r => r.Path, StringComparer.Ordinal).ThenBy(r => r.App)
            .ToImmutableArray();
        if (!Same(routes, _table.Routes))
        {
            _table = new RouteTable(_table.Version + 1, routes);
        }
    }

    private static bool Same(ImmutableArray<RoutedPath> a, ImmutableArray<RoutedPath> b) =>
        a.Length == b.Length && a.Zip(b).All(p => p.First.Hostname == p.Second.Hostname && p.First.Path == p.Second.Path
            && p.First.App == p.Second.App && p.First.Endpoints.SequenceEqual(p.Second.Endpoints));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {Silo} stopped reporting what it runs; its instances leave the route table")]
    private partial void LogSiloLapsed(string silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The routes of app {App} could not be read; the table keeps the last ones")]
    private partial void LogResolveFailed(Exception exception, Guid app);
}
