using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Indexes;
using CloudController.Grains.Hosting;
using CloudController.Grains.Storage;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Polly.Registry;

namespace CloudController.Grains.Indexes;

/// <summary>
/// One index: a scope's resources or one catalog partition (<see cref="IndexKeys"/>). Writes are group-committed:
/// the grain is reentrant, every claim, update and release is checked and applied in memory at once (turns never
/// overlap, so checks see every earlier change), and its caller waits until the batch it joined is appended to the
/// journal. A batch that cannot be stored (an error, or no answer within the group commit's bound) fails its callers,
/// and the index reloads what is stored in place: it keeps answering queries meanwhile, refuses writes with a
/// <see cref="TransientException"/> until the reload is done, and recovers without a restart. A write that changes
/// nothing stores nothing.
/// </summary>
[GrainType("index"), Reentrant]
public sealed partial class ResourceIndexGrain(IIndexJournal journal, ResiliencePipelineProvider<string> retries, ILogger<ResourceIndexGrain> logger)
    : Grain, IResourceIndexGrain
{
    private const int MaxBatch = 500;
    private static readonly TimeSpan LoadTimeout = TimeSpan.FromSeconds(20);

    private IndexTable _table = new();
    private GroupCommit<IndexChange>? _commits;
    private IndexJournalState _journal = null!;
    private bool _reloading;

    private string Key => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken) =>
        Load(await journal.LoadAsync(Key).WaitAsync(LoadTimeout, cancellationToken));

    public async Task<Guid?> ClaimAsync(IndexEntry entry)
    {
        if (_table.HolderOf(entry.Name, entry.Guid) is { } holder)
        {
            return holder;
        }

        await PutAsync(entry);
        return null;
    }

    public Task PutAsync(IndexEntry entry) =>
        entry.SameAs(_table.Find(entry.Guid)) ? Task.CompletedTask : CommitAsync(new IndexChange(entry, null));

    public Task ReleaseAsync(Guid guid) =>
        _table.Find(guid) is null ? Task.CompletedTask : CommitAsync(new IndexChange(null, guid));

    public Task<IndexPage> QueryAsync(IndexQuery query) => Task.FromResult(_table.Query(query));

    /// <summary>Applies the change in memory now and waits until the batch it joins is stored.</summary>
    private Task CommitAsync(IndexChange change)
    {
        if (_reloading)
        {
            throw new TransientException($"Index {Key} is reloading after a failed write; retry.");
        }

        Apply(change);
        return (_commits ??= new GroupCommit<IndexChange>(WriteAsync, Failed, MaxBatch)).Add(change);
    }

    private async Task WriteAsync(IReadOnlyList<IndexChange> batch)
    {
        _journal = await journal.AppendAsync(_journal, batch);
        if (_journal.LogChanges > Math.Max(10_000, _table.Count))
        {
            _journal = await journal.CompactAsync(_journal, [.. _table.Entries]);
        }
    }

    /// <summary>Not stored (or not known to be): every waiting caller failed; memory goes back to what is stored.</summary>
    private void Failed(Exception exception)
    {
        LogWriteFailed(exception, Key);
        _reloading = true;
        _ = ReloadAsync();
    }

    /// <summary>Reads the journal again (a write that was given up on may still have landed) until it answers.</summary>
    private async Task ReloadAsync()
    {
        await retries.GetPipeline(Retries.UntilAnswered).InTurnAsync(async cancellation =>
        {
            try
            {
                Load(await journal.LoadAsync(Key).WaitAsync(LoadTimeout, cancellation));
            }
            catch (Exception ex)
            {
                LogReloadFailed(ex, Key);
                throw;
            }
        });
        _reloading = false;
        LogReloaded(Key, _table.Count);
    }

    private void Load(IndexJournalState stored)
    {
        _journal = stored;
        var table = new IndexTable();
        foreach (var entry in stored.Entries)
        {
            table.Put(entry);
        }

        _table = table;
    }

    private void Apply(IndexChange change)
    {
        if (change.Put is { } put)
        {
            _table.Put(put);
        }
        else
        {
            _table.Remove(change.Remove!.Value);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Index {Index} could not be stored; reloading it")]
    private partial void LogWriteFailed(Exception exception, string index);

    [LoggerMessage(Level = LogLevel.Information, Message = "Index {Index} reloaded ({Entries} entries)")]
    private partial void LogReloaded(string index, int entries);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Index {Index} could not be reloaded yet")]
    private partial void LogReloadFailed(Exception exception, string index);
}
