using System.Collections.Immutable;
using Azure;
using Azure.Data.Tables;
using CloudController.GrainInterfaces.Events;

namespace CloudController.Grains.Events;

/// <summary>
/// Writes audit events into the trail (<see cref="EventTable"/>), idempotently: an event is upserted under its
/// partitions (<see cref="EventTable.PartitionsOf"/>) by a row key that depends only on the event, so writing it again
/// (a retried outbox) leaves one copy. The actee row goes last, so an event whose actee row exists is complete.
/// </summary>
public sealed class AuditTrail(EventTable events, TableBatches batches)
{
    /// <summary>
    /// Writes the events through <see cref="TableBatches"/>, so concurrent changes share their space's, day's and the
    /// usage partition's requests; each event's actee row follows once its other rows are stored.
    /// </summary>
    public async Task AppendAsync(IReadOnlyCollection<AuditEvent> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

        var table = await events.TableAsync();
        await Task.WhenAll(batch.Select(async e =>
        {
            if (UsageEvents.IsUsage(e))
            {
                await batches.UpsertAsync(table, EventTable.ToEntity(UsageEvents.Partition, e, e.Guid.ToString("D")));
                return;
            }

            var actee = EventTable.ActeePartition(e.Actee);
            await Task.WhenAll(EventTable.PartitionsOf(e).Where(p => p != actee).Select(p => batches.UpsertAsync(table, EventTable.ToEntity(p, e))));
            await batches.UpsertAsync(table, EventTable.ToEntity(actee, e));
        }));
    }

    /// <summary>The events of <paramref name="batch"/> not yet complete in the trail (one point read each).</summary>
    public async Task<ImmutableArray<AuditEvent>> MissingAsync(ImmutableArray<AuditEvent> batch)
    {
        if (batch.IsDefaultOrEmpty)
        {
            return [];
        }

        var table = await events.TableAsync();
        var found = await Task.WhenAll(batch.Select(async e =>
        {
            NullableResponse<TableEntity> row = UsageEvents.IsUsage(e)
                ? await table.GetEntityIfExistsAsync<TableEntity>(UsageEvents.Partition, e.Guid.ToString("D"), select: ["RowKey"])
                : await table.GetEntityIfExistsAsync<TableEntity>(EventTable.ActeePartition(e.Actee), EventTable.RowKey(e), select: ["RowKey"]);
            return row.HasValue ? null : e;
        }));
        return [.. found.OfType<AuditEvent>()];
    }

    /// <summary>Appends only what is missing: for a new activation that finds an outbox stored.</summary>
    public async Task CompleteAsync(ImmutableArray<AuditEvent> batch) => await AppendAsync(await MissingAsync(batch));
}
