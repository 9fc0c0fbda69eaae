using Azure.Data.Tables;

namespace CloudController.Grains.Events;

/// <summary>
/// Group commit for table rows across a silo: rows bound for one partition join that partition's next entity group
/// transaction (up to 100 upserts in one request), so the events of many concurrent changes that share a partition
/// (a space's, a day's, the usage ledger's) cost one request between them instead of one each. One transaction runs
/// per partition at a time; rows that arrive meanwhile form the next. A row given twice in one batch (a retried
/// outbox) is written once. When the service refuses a transaction, its rows are tried one by one, so one bad row
/// fails only its own caller; callers whose rows fail retry as their outboxes do.
/// </summary>
public sealed class TableBatches
{
    /// <summary>Azure Table Storage's limit of operations in one entity group transaction.</summary>
    public const int MaxBatch = 100;

    private readonly Dictionary<string, Partition> _partitions = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Upserts <paramref name="row"/> (replace) with the next transaction of its partition; ends when that is stored.</summary>
    public Task UpsertAsync(TableClient table, TableEntity row)
    {
        var pending = new Pending(row, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        var key = $"{table.Name}\n{row.PartitionKey}";
        bool start;
        Partition partition;
        lock (_lock)
        {
            if (!_partitions.TryGetValue(key, out partition!))
            {
                partition = new Partition(table);
                _partitions[key] = partition;
            }

            partition.Queue.Add(pending);
            start = !partition.Writing;
            partition.Writing = true;
        }

        if (start)
        {
            _ = Task.Run(() => WriteAllAsync(key, partition));
        }

        return pending.Stored.Task;
    }

    private async Task WriteAllAsync(string key, Partition partition)
    {
        while (true)
        {
            List<Pending> batch;
            lock (_lock)
            {
                if (partition.Queue.Count == 0)
                {
                    partition.Writing = false;
                    _partitions.Remove(key);
                    return;
                }

                batch = partition.Queue.GetRange(0, Math.Min(MaxBatch, partition.Queue.Count));
                partition.Queue.RemoveRange(0, batch.Count);
            }

            Hosting.GrainMetrics.BatchSize.Record(batch.Count, new KeyValuePair<string, object?>("writer", "audit"));
            try
            {
                // One action per row: a transaction may not name a row twice.
                var actions = batch.DistinctBy(p => p.Row.RowKey, StringComparer.Ordinal)
                    .Select(p => new TableTransactionAction(TableTransactionActionType.UpsertReplace, p.Row)).ToList();
                if (actions.Count == 1)
                {
                    await partition.Table.UpsertEntityAsync(batch[0].Row, TableUpdateMode.Replace);
                }
                else
                {
                    await partition.Table.SubmitTransactionAsync(actions);
                }

                batch.ForEach(p => p.Stored.TrySetResult());
            }
            catch (Exception ex) when (batch.Count > 1 && ex is Azure.RequestFailedException or TableTransactionFailedException)
            {
                // One row the service refuses must not fail the rest: each is tried on its own.
                await Task.WhenAll(batch.Select(async p =>
                {
                    try
                    {
                        await partition.Table.UpsertEntityAsync(p.Row, TableUpdateMode.Replace);
                        p.Stored.TrySetResult();
                    }
                    catch (Exception single)
                    {
                        p.Stored.TrySetException(single);
                    }
                }));
            }
            catch (Exception ex)
            {
                batch.ForEach(p => p.Stored.TrySetException(ex));
            }
        }
    }

    private sealed record Pending(TableEntity Row, TaskCompletionSource Stored);

    private sealed class Partition(TableClient table)
    {
        public TableClient Table { get; } = table;

        public List<Pending> Queue { get; } = [];

        public bool Writing { get; set; }
    }
}
