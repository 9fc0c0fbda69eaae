using System.Collections.Concurrent;
using System.Collections.Immutable;
using Azure.Data.Tables;
using CloudController.GrainInterfaces.Events;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace CloudController.Grains.Events;

/// <summary>Where audit events are kept (configuration section <c>CloudController:Events</c>).</summary>
public sealed class EventsOptions
{
    public const string Section = "CloudController:Events";

    /// <summary>The storage table holding the audit trail.</summary>
    public string Table { get; set; } = "ccevents";
}

/// <summary>
/// The audit trail in one storage table. Each event is written under three partitions, its actee's, its space's and
/// its organization's, with a row key that sorts newest first, so <c>cf events APP</c> reads one partition and never
/// scans. Events are append-only: nothing updates or deletes them (they outlive their actees, as in CF).
/// </summary>
public sealed class EventTable(TableServiceClient tables, IOptions<EventsOptions> options)
{
    private readonly Lazy<Task<TableClient>> _table = new(async () =>
    {
        var table = tables.GetTableClient(options.Value.Table);
        await table.CreateIfNotExistsAsync();
        return table;
    });

    public Task<TableClient> TableAsync() => _table.Value;

    public static string ActeePartition(string actee) => $"actee-{actee}";

    public static string SpacePartition(Guid space) => $"space-{space:D}";

    public static string OrganizationPartition(Guid org) => $"org-{org:D}";

    /// <summary>Newest first: ticks counted down from the largest date, then the guid for events in the same tick.</summary>
    public static string RowKey(AuditEvent e) => $"{DateTimeOffset.MaxValue.UtcTicks - e.Timestamp.UtcTicks:D19}-{e.Guid:N}";

    public static TableEntity ToEntity(string partition, AuditEvent e) => new(partition, RowKey(e))
    {
        ["Guid"] = e.Guid,
        ["Type"] = e.Type,
        ["Actor"] = e.Actor,
        ["ActorType"] = e.ActorType,
        ["ActorName"] = e.ActorName,
        ["Actee"] = e.Actee,
        ["ActeeType"] = e.ActeeType,
        ["ActeeName"] = e.ActeeName,
        ["At"] = e.Timestamp,
        ["Metadata"] = e.MetadataJson,
        ["SpaceGuid"] = e.SpaceGuid,
        ["OrganizationGuid"] = e.OrganizationGuid,
    };

    public static AuditEvent FromEntity(TableEntity t) => new(
        t.GetGuid("Guid") ?? Guid.Empty,
        t.GetString("Type") ?? "",
        t.GetString("Actor") ?? "",
        t.GetString("ActorType") ?? "",
        t.GetString("ActorName") ?? "",
        t.GetString("Actee") ?? "",
        t.GetString("ActeeType") ?? "",
        t.GetString("ActeeName") ?? "",
        t.GetDateTimeOffset("At") ?? DateTimeOffset.MinValue,
        t.GetString("Metadata") ?? "{}",
        t.GetGuid("SpaceGuid"),
        t.GetGuid("OrganizationGuid"));
}

[StatelessWorker]
[GrainType("audit")]
public sealed class AuditGrain(EventTable events) : Grain, IAuditGrain
{
    public async Task RecordAsync(AuditEvent auditEvent)
    {
        var table = await events.TableAsync();
        var partitions = new List<string> { EventTable.ActeePartition(auditEvent.Actee) };
        if (auditEvent.SpaceGuid is { } space)
        {
            partitions.Add(EventTable.SpacePartition(space));
        }

        if (auditEvent.OrganizationGuid is { } org)
        {
            partitions.Add(EventTable.OrganizationPartition(org));
        }

        await Task.WhenAll(partitions.Distinct().Select(p => table.UpsertEntityAsync(EventTable.ToEntity(p, auditEvent), TableUpdateMode.Replace)));
    }

    public async Task<EventPage> QueryAsync(EventQuery query)
    {
        var table = await events.TableAsync();
        var partitions = query.Actees.Select(EventTable.ActeePartition)
            .Concat(query.Spaces.Select(EventTable.SpacePartition))
            .Concat(query.Organizations.Select(EventTable.OrganizationPartition))
            .Distinct()
            .ToList();

        // Every event has exactly one actee row, so reading the actee partitions reads each event once.
        var filters = partitions.Count > 0
            ? partitions.Select(p => TableClient.CreateQueryFilter($"PartitionKey eq {p}")).ToList()
            : [TableClient.CreateQueryFilter($"PartitionKey ge {"actee-"} and PartitionKey lt {"actee."}")];
        var found = new ConcurrentDictionary<Guid, AuditEvent>();
        await Task.WhenAll(filters.Select(async filter =>
        {
            await foreach (var row in table.QueryAsync<TableEntity>(filter))
            {
                var e = EventTable.FromEntity(row);
                if (Matches(query, e))
                {
                    found.TryAdd(e.Guid, e);
                }
            }
        }));

        var ordered = query.Descending
            ? found.Values.OrderByDescending(e => e.Timestamp).ThenByDescending(e => e.Guid)
            : found.Values.OrderBy(e => e.Timestamp).ThenBy(e => e.Guid);
        var page = ordered.Skip((Math.Max(query.Page, 1) - 1) * query.PerPage).Take(query.PerPage).ToImmutableArray();
        return new EventPage(found.Count, page);
    }

    private static bool Matches(EventQuery query, AuditEvent e) =>
        (query.Types.IsDefaultOrEmpty || query.Types.Contains(e.Type))
        && (query.Timestamps.IsDefaultOrEmpty || query.Timestamps.All(b => b.Holds(e.Timestamp)))
        && (query.Visible is null || query.Visible.Sees(e));
}
