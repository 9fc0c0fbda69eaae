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
/// The audit trail in one storage table. Each event is written under three partitions: its actee's; its space's, or
/// for an event outside any space its organization's; and its day's (<c>all-&lt;day&gt;</c>, the day counted down, so a
/// range read meets the newest day first). Row keys sort newest first, so <c>cf events APP</c> reads one partition from
/// its start and never scans, a tenant reads its own spaces' and organizations' partitions, and an admin's unfiltered
/// read takes the newest events first. Events are append-only (they outlive their actees, as in CF). Events written
/// before this layout also sit in their organization's partition; reads drop the duplicates.
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

    /// <summary>The day's partition; days count down from 9999-12-31, so later days sort first.</summary>
    public static string DayPartition(DateTimeOffset at) => $"{DayPrefix}{DateOnly.MaxValue.DayNumber - DateOnly.FromDateTime(at.UtcDateTime).DayNumber:D7}";

    public const string DayPrefix = "all-";

    /// <summary>Where an event is written: its actee's partition, its space's (else its organization's), its day's.</summary>
    public static IEnumerable<string> PartitionsOf(AuditEvent e) =>
        new[]
        {
            ActeePartition(e.Actee),
            e.SpaceGuid is { } space ? SpacePartition(space) : e.OrganizationGuid is { } org ? OrganizationPartition(org) : null,
            DayPartition(e.Timestamp),
        }.OfType<string>();

    /// <summary>The row key bound a timestamp gives (rows sort newest first, so later times are smaller keys).</summary>
    public static string RowKeyAt(DateTimeOffset at) => $"{DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks:D19}";

    /// <summary>Newest first: ticks counted down from the largest date, then the guid for events in the same tick.</summary>
    public static string RowKey(AuditEvent e) => $"{DateTimeOffset.MaxValue.UtcTicks - e.Timestamp.UtcTicks:D19}-{e.Guid:N}";

    public static TableEntity ToEntity(string partition, AuditEvent e, string? rowKey = null) => new(partition, rowKey ?? RowKey(e))
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

/// <summary>
/// Reads the trail for <c>/v2/events</c> and <c>/v3/audit_events</c> from the partitions a query names, never from
/// everyone's: an actee's, the named spaces' (an organization: its own partition and its spaces'), a restricted
/// caller's visible spaces and organizations, or, for an unfiltered read by someone who sees everything, the day
/// partitions newest day first. Newest first, each partition gives only the rows the page needs (timestamp bounds
/// narrow its row keys, types filter on the server); rows are merged by row key and duplicates dropped. Totals count
/// keys only, up to <see cref="CountBudget"/> rows. Oldest first reads the partitions' matching rows whole (they are the
/// caller's own).
/// </summary>
[StatelessWorker]
[GrainType("audit")]
public sealed class AuditGrain(EventTable events, TimeProvider clock) : Grain, IAuditGrain
{
    /// <summary>Rows read to count a total; beyond it the total says at least this many.</summary>
    public const int CountBudget = 10_000;

    private static readonly string[] CountColumns = ["RowKey", "Guid", "SpaceGuid", "OrganizationGuid"];

    public async Task<UsagePage> UsageAsync(Guid? after, int limit)
    {
        var table = await events.TableAsync();
        var bound = after is { } guid ? $" and RowKey gt '{guid:D}'" : "";
        var filter = $"PartitionKey eq '{UsageEvents.Partition}'{bound}";
        var page = new List<AuditEvent>();
        var total = 0;
        await foreach (var row in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000))
        {
            if (page.Count < limit)
            {
                page.Add(EventTable.FromEntity(row));
            }

            if (++total >= CountBudget)
            {
                break;
            }
        }

        return new UsagePage(total, [.. page]);
    }

    public async Task<AuditEvent?> UsageEventAsync(Guid guid)
    {
        var table = await events.TableAsync();
        var row = await table.GetEntityIfExistsAsync<TableEntity>(UsageEvents.Partition, guid.ToString("D"));
        return row.HasValue ? EventTable.FromEntity(row.Value!) : null;
    }

    /// <summary>
    /// Deletes the usage partition's rows and writes the reseeded ones, 100 to an entity group transaction (one
    /// partition, so each batch is one request). Apps are read from the app lists a page at a time; an app started or
    /// stopped meanwhile writes its own event as usual.
    /// </summary>
    public async Task<int> PurgeAndReseedUsageAsync()
    {
        var table = await events.TableAsync();
        var doomed = new List<TableTransactionAction>();
        await foreach (var row in table.QueryAsync<TableEntity>($"PartitionKey eq '{UsageEvents.Partition}'", maxPerPage: 1000, select: ["PartitionKey", "RowKey"]))
        {
            doomed.Add(new TableTransactionAction(TableTransactionActionType.Delete, row, Azure.ETag.All));
            if (doomed.Count == TransactionLimit)
            {
                await table.SubmitTransactionAsync(doomed);
                doomed.Clear();
            }
        }

        if (doomed.Count > 0)
        {
            await table.SubmitTransactionAsync(doomed);
        }

        var organizations = new Dictionary<Guid, Guid?>();
        var seeded = new List<TableTransactionAction>();
        var count = 0;
        for (var page = 1; ; page++)
        {
            var apps = await GrainFactory.GetGrain<GrainInterfaces.Lists.IListGrain>(0).AppsAsync(
                GrainInterfaces.Lists.ListCaller.Everything, new GrainInterfaces.Lists.ListFilter(), new GrainInterfaces.Lists.ListWindow(GrainInterfaces.Lists.ListOrder.Created, false, page, ReseedPage));
            foreach (var app in apps.Items.Where(a => a.State == GrainInterfaces.Apps.AppState.Started))
            {
                if (!organizations.TryGetValue(app.SpaceGuid, out var organization))
                {
                    organization = (await GrainFactory.GetGrain<GrainInterfaces.Spaces.ISpaceGrain>(app.SpaceGuid).FindAsync())?.OrganizationGuid;
                    organizations[app.SpaceGuid] = organization;
                }

                var e = UsageEvents.Reseeded(app, organization, clock.GetUtcNow());
                seeded.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, EventTable.ToEntity(UsageEvents.Partition, e, e.Guid.ToString("D"))));
                count++;
                if (seeded.Count == TransactionLimit)
                {
                    await table.SubmitTransactionAsync(seeded);
                    seeded.Clear();
                }
            }

            if (apps.Items.Length < ReseedPage)
            {
                break;
            }
        }

        if (seeded.Count > 0)
        {
            await table.SubmitTransactionAsync(seeded);
        }

        return count;
    }

    /// <summary>Operations in one entity group transaction (Azure Table Storage's limit).</summary>
    private const int TransactionLimit = 100;

    private const int ReseedPage = 500;

    public async Task<EventPage> QueryAsync(EventQuery query)
    {
        var table = await events.TableAsync();
        var sources = await SourcesAsync(query);
        if (sources.IsEmpty)
        {
            return new EventPage(0, [], 0, 0);
        }

        var filter = Filter(query);

        // Counted before the rows are read: an event appended meanwhile then shows in the page and raises the total,
        // and never counts without showing.
        var (total, counted) = await CountAsync(table, sources, filter, query);
        var wanted = query.Descending ? (long)(Math.Max(query.Page, 1) - 1) * query.PerPage + query.PerPage : long.MaxValue;
        var rowsRead = 0;
        var pages = await Task.WhenAll(sources.Select(async source =>
        {
            var rows = new List<AuditEvent>();
            await foreach (var row in table.QueryAsync<TableEntity>(Combine(source, filter)))
            {
                Interlocked.Increment(ref rowsRead);
                var e = EventTable.FromEntity(row);
                if (Matches(query, e))
                {
                    rows.Add(e);
                    if (rows.Count >= wanted)
                    {
                        break;
                    }
                }
            }

            return rows;
        }));
        var merged = pages.SelectMany(p => p).DistinctBy(e => e.Guid);
        var ordered = query.Descending
            ? merged.OrderByDescending(e => e.Timestamp).ThenByDescending(e => e.Guid)
            : merged.OrderBy(e => e.Timestamp).ThenBy(e => e.Guid);
        var skipped = (Math.Max(query.Page, 1) - 1) * query.PerPage;
        var page = ordered.Skip(skipped).Take(query.PerPage).ToImmutableArray();
        return new EventPage(Math.Max(total, page.IsEmpty ? total : skipped + page.Length), page, sources.Length, rowsRead + counted);
    }

    /// <summary>The matching events, counted from their keys alone (each once, however many partitions hold it), within the budget.</summary>
    private static async Task<(int Total, int Read)> CountAsync(TableClient table, ImmutableArray<string> sources, string filter, EventQuery query)
    {
        var seen = new HashSet<Guid>();
        var read = 0;
        foreach (var source in sources)
        {
            await foreach (var row in table.QueryAsync<TableEntity>(Combine(source, filter), select: CountColumns))
            {
                if (++read > CountBudget)
                {
                    return (seen.Count, read);
                }

                if (query.Visible is null || query.Visible.Sees(row.GetGuid("SpaceGuid"), row.GetGuid("OrganizationGuid")))
                {
                    seen.Add(row.GetGuid("Guid") ?? Guid.Empty);
                }
            }
        }

        return (seen.Count, read);
    }

    /// <summary>The partitions (or the day range) a query reads.</summary>
    private async Task<ImmutableArray<string>> SourcesAsync(EventQuery query)
    {
        if (!query.Actees.IsDefaultOrEmpty)
        {
            return [.. query.Actees.Distinct().Select(a => PartitionFilter(EventTable.ActeePartition(a)))];
        }

        if (!query.Spaces.IsDefaultOrEmpty || !query.Organizations.IsDefaultOrEmpty)
        {
            var spaces = new HashSet<Guid>(query.Spaces.IsDefault ? [] : query.Spaces);
            foreach (var org in query.Organizations.IsDefault ? [] : query.Organizations)
            {
                var inOrg = await GrainFactory.GetGrain<GrainInterfaces.Indexes.IResourceIndexGrain>(Grains.Indexes.IndexKeys.SpacesInOrganization(org))
                    .QueryAsync(GrainInterfaces.Indexes.IndexQuery.All(1, int.MaxValue));
                spaces.UnionWith(inOrg.Entries.Select(e => e.Guid));
            }

            return [.. spaces.Select(s => PartitionFilter(EventTable.SpacePartition(s))),
                .. (query.Organizations.IsDefault ? [] : query.Organizations).Select(o => PartitionFilter(EventTable.OrganizationPartition(o)))];
        }

        if (query.Visible is { } visible)
        {
            return [.. visible.Spaces.Select(s => PartitionFilter(EventTable.SpacePartition(s))),
                .. visible.Organizations.Select(o => PartitionFilter(EventTable.OrganizationPartition(o)))];
        }

        // Everything, newest day first: one range read.
        return [TableClient.CreateQueryFilter($"PartitionKey ge {EventTable.DayPrefix} and PartitionKey lt {"all."}")];
    }

    private static string PartitionFilter(string partition) => TableClient.CreateQueryFilter($"PartitionKey eq {partition}");

    /// <summary>What the server filters: the time bounds as row-key bounds, and the types.</summary>
    private static string Filter(EventQuery query)
    {
        var parts = new List<string>();
        foreach (var bound in query.Timestamps.IsDefault ? [] : query.Timestamps)
        {
            // Later times have smaller keys; keys of one instant continue with "-<guid>".
            var key = EventTable.RowKeyAt(bound.Value);
            parts.Add(bound.Operator switch
            {
                ">" => TableClient.CreateQueryFilter($"RowKey lt {key}"),
                ">=" => TableClient.CreateQueryFilter($"RowKey lt {key + "."}"),
                "<" => TableClient.CreateQueryFilter($"RowKey gt {key + "."}"),
                "<=" => TableClient.CreateQueryFilter($"RowKey gt {key}"),
                _ => TableClient.CreateQueryFilter($"RowKey gt {key} and RowKey lt {key + "."}"),
            });
        }

        if (!query.Types.IsDefaultOrEmpty)
        {
            parts.Add("(" + string.Join(" or ", query.Types.Distinct().Select(t => TableClient.CreateQueryFilter($"Type eq {t}"))) + ")");
        }

        return string.Join(" and ", parts);
    }

    private static string Combine(string source, string filter) => filter.Length == 0 ? source : $"({source}) and {filter}";

    private static bool Matches(EventQuery query, AuditEvent e) =>
        (query.Types.IsDefaultOrEmpty || query.Types.Contains(e.Type))
        && (query.Timestamps.IsDefaultOrEmpty || query.Timestamps.All(b => b.Holds(e.Timestamp)))
        && (query.Visible is null || query.Visible.Sees(e));
}
