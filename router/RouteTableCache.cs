using System.Collections.Frozen;
using System.Collections.Immutable;
using CloudController.GrainInterfaces.Routing;

namespace CloudController.Router;

/// <summary>
/// The router's copy of the cluster's route table, asked for every <c>Router:PollPeriod</c> (an unchanged table costs
/// one small call). When the cluster does not answer, the last table keeps serving.
/// </summary>
public sealed partial class RouteTableCache(IClusterClient cluster, IConfiguration configuration, ILogger<RouteTableCache> logger) : BackgroundService
{
    private Snapshot _current = Snapshot.Empty;
    private bool _failing;

    public Snapshot Current => Volatile.Read(ref _current);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = configuration.GetValue("Router:PollPeriod", TimeSpan.FromMilliseconds(250));
        using var timer = new PeriodicTimer(period);
        do
        {
            try
            {
                if (await cluster.GetGrain<IRouteTableGrain>(0).GetAsync(Current.Version) is { } table)
                {
                    Volatile.Write(ref _current, Snapshot.Of(table));
                    LogTable(table.Version, table.Routes.Length);
                }

                if (_failing)
                {
                    _failing = false;
                    LogRecovered();
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                if (!_failing)
                {
                    _failing = true;
                    LogFailing(ex, Current.Version);
                }
            }
        }
        while (await NextTickAsync(timer, stoppingToken));
    }

    private static async Task<bool> NextTickAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>A table ready for lookups: per hostname, its routes with the longest path first.</summary>
    public sealed class Snapshot
    {
        public static readonly Snapshot Empty = new(0, FrozenDictionary<string, ImmutableArray<Pool>>.Empty);

        private readonly FrozenDictionary<string, ImmutableArray<Pool>> _byHost;

        private Snapshot(long version, FrozenDictionary<string, ImmutableArray<Pool>> byHost) => (Version, _byHost) = (version, byHost);

        public long Version { get; }

        public static Snapshot Of(RouteTable table) => new(table.Version, table.Routes
            .GroupBy(r => r.Hostname, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g
                .GroupBy(r => r.Path, StringComparer.Ordinal)
                .Select(p => new Pool(p.Key, [.. p.SelectMany(r => r.Endpoints)]))
                .OrderByDescending(p => p.Path.Length)
                .ToImmutableArray(), StringComparer.Ordinal));

        /// <summary>The route for a hostname and request path: the longest route path that is the request's path or a folder of it.</summary>
        public Pool? Match(string hostname, string path)
        {
            if (!_byHost.TryGetValue(hostname, out var pools))
            {
                return null;
            }

            foreach (var pool in pools)
            {
                if (pool.Path.Length == 0
                    || (path.StartsWith(pool.Path, StringComparison.OrdinalIgnoreCase) && (path.Length == pool.Path.Length || path[pool.Path.Length] == '/')))
                {
                    return pool;
                }
            }

            return null;
        }
    }

    /// <summary>One route's endpoints, taken in turn.</summary>
    public sealed class Pool(string path, ImmutableArray<InstanceEndpoint> endpoints)
    {
        private int _next = -1;

        public string Path { get; } = path;

        public ImmutableArray<InstanceEndpoint> Endpoints { get; } = endpoints;

        public InstanceEndpoint Next() => Endpoints[(int)((uint)Interlocked.Increment(ref _next) % (uint)Endpoints.Length)];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Route table version {Version}: {Routes} routes")]
    private partial void LogTable(long version, int routes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The cluster does not answer; serving the last route table (version {Version})")]
    private partial void LogFailing(Exception exception, long version);

    [LoggerMessage(Level = LogLevel.Information, Message = "The cluster answers again")]
    private partial void LogRecovered();
}
