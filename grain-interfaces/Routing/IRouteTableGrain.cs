using System.Collections.Immutable;

namespace CloudController.GrainInterfaces.Routing;

/// <summary>
/// The routers' table (one per cluster, key 0): which hostname and path reach which instances. Each silo's runtime
/// reports the processes it runs and the addresses of their RUNNING instances; the table joins them with the routes
/// mapped to each app. It is kept in memory only: the silos report again every few seconds, so a new activation
/// (after its silo was lost) is whole again within one report period, and a silo that stops reporting drops out.
/// </summary>
[Alias("CloudController.GrainInterfaces.Routing.IRouteTableGrain")]
public interface IRouteTableGrain : IGrainWithIntegerKey
{
    /// <summary>Everything <paramref name="silo"/> runs now (it replaces that silo's last report), valid for <paramref name="lease"/>.</summary>
    [Alias("ReportAsync"), Orleans.Concurrency.OneWay]
    Task ReportAsync(string silo, ImmutableArray<RunningProcess> processes, TimeSpan lease);

    /// <summary>The table, or null when its version is still <paramref name="knownVersion"/>.</summary>
    [Alias("GetAsync"), Orleans.Concurrency.ReadOnly]
    Task<RouteTable?> GetAsync(long knownVersion);
}

/// <summary>A process a silo runs: its app, type, and the RUNNING instances' endpoints (empty while none is RUNNING).</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Routing.RunningProcess")]
public sealed record RunningProcess(
    [property: Id(0)] Guid App,
    [property: Id(1)] string Type,
    [property: Id(2)] ImmutableArray<InstanceEndpoint> Endpoints);

/// <summary>One RUNNING instance a router may send requests to (<see cref="InstanceId"/> is gorouter's <c>__VCAP_ID__</c>).</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Routing.InstanceEndpoint")]
public sealed record InstanceEndpoint(
    [property: Id(0)] string InstanceId,
    [property: Id(1)] int Index,
    [property: Id(2)] string Host,
    [property: Id(3)] int Port);

/// <summary>A route the routers serve: lower-case hostname (host and domain), path prefix ("" for none), endpoints.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Routing.RoutedPath")]
public sealed record RoutedPath(
    [property: Id(0)] string Hostname,
    [property: Id(1)] string Path,
    [property: Id(2)] Guid App,
    [property: Id(3)] ImmutableArray<InstanceEndpoint> Endpoints);

/// <summary>The routers' table at one version.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Routing.RouteTable")]
public sealed record RouteTable(
    [property: Id(0)] long Version,
    [property: Id(1)] ImmutableArray<RoutedPath> Routes);
