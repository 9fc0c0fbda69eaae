using CloudController.GrainInterfaces.Domains;
using CloudController.GrainInterfaces.Routes;

namespace CloudController.Api.Resources;

/// <summary>The v3 domain: shared when it has no organization; a TCP domain names its router group.</summary>
internal sealed record V3Domain(
    Guid Guid,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string Name,
    bool Internal,
    V3RouterGroup? RouterGroup,
    IReadOnlyList<string> SupportedProtocols,
    IReadOnlyDictionary<string, object> Relationships,
    V3Metadata Metadata,
    IReadOnlyDictionary<string, Link> Links)
{
    public static V3Domain From(DomainSnapshot d, string baseUrl)
    {
        var links = new Dictionary<string, Link>
        {
            ["self"] = new($"{baseUrl}/v3/domains/{d.Guid}"),
            ["route_reservations"] = new($"{baseUrl}/v3/domains/{d.Guid}/route_reservations"),
            ["shared_organizations"] = new($"{baseUrl}/v3/domains/{d.Guid}/relationships/shared_organizations"),
        };
        if (d.OwningOrganizationGuid is { } org)
        {
            links["organization"] = new($"{baseUrl}/v3/organizations/{org}");
        }

        var tcp = d.RouterGroupType == "tcp";
        return new V3Domain(d.Guid, d.CreatedAt, d.CreatedAt, d.Name, d.Internal, tcp ? new V3RouterGroup(d.Guid) : null, tcp ? ["tcp"] : ["http"],
            new Dictionary<string, object>
            {
                ["organization"] = new ToOne(d.OwningOrganizationGuid is { } o ? new GuidRef(o) : null),
                ["shared_organizations"] = new ToMany([]),
            },
            V3Metadata.Empty, links);
    }
}

internal sealed record V3RouterGroup(Guid Guid);

/// <summary>
/// The v3 route: its URL (<c>host.domain[:port]path</c>), and a destination per mapped app (the app's web process on
/// port 8080 over http1: the only destinations this server keeps).
/// </summary>
internal sealed record V3Route(
    Guid Guid,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string Protocol,
    string Host,
    string Path,
    int? Port,
    string Url,
    IReadOnlyList<V3Destination> Destinations,
    IReadOnlyDictionary<string, object> Options,
    IReadOnlyDictionary<string, ToOne> Relationships,
    V3Metadata Metadata,
    IReadOnlyDictionary<string, Link> Links)
{
    public static V3Route From(RouteSnapshot r, DomainSnapshot domain, string baseUrl) => new(
        r.Guid, r.CreatedAt, r.UpdatedAt ?? r.CreatedAt, domain.RouterGroupType == "tcp" ? "tcp" : "http", r.Host, r.Path, r.Port, UrlOf(r, domain.Name),
        DestinationsOf(r), new Dictionary<string, object>(),
        new Dictionary<string, ToOne> { ["space"] = new(new GuidRef(r.SpaceGuid)), ["domain"] = new(new GuidRef(r.DomainGuid)) },
        V3Metadata.Empty,
        new Dictionary<string, Link>
        {
            ["self"] = new($"{baseUrl}/v3/routes/{r.Guid}"),
            ["space"] = new($"{baseUrl}/v3/spaces/{r.SpaceGuid}"),
            ["domain"] = new($"{baseUrl}/v3/domains/{r.DomainGuid}"),
            ["destinations"] = new($"{baseUrl}/v3/routes/{r.Guid}/destinations"),
        });

    public static string UrlOf(RouteSnapshot r, string domain) =>
        (r.Host.Length > 0 ? $"{r.Host}.{domain}" : domain) + (r.Port is { } port ? $":{port}" : "") + r.Path;

    public static IReadOnlyList<V3Destination> DestinationsOf(RouteSnapshot r) =>
        [.. r.Apps.Select(app => new V3Destination(DestinationGuid(r.Guid, app), new V3DestinationApp(app, new V3DestinationProcess("web")), null, 8080, "http1"))];

    /// <summary>A destination's guid: the same for the same route and app, so a client can delete what it listed.</summary>
    public static Guid DestinationGuid(Guid route, Guid app) => Platform.NameBasedGuid.Create("destination", $"{route:D}/{app:D}/web");
}

internal sealed record V3Destination(Guid Guid, V3DestinationApp App, int? Weight, int Port, string Protocol);

internal sealed record V3DestinationApp(Guid Guid, V3DestinationProcess Process);

internal sealed record V3DestinationProcess(string Type);
