using CloudController.GrainInterfaces.Indexes;
using CloudController.Grains.Storage;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace CloudController.Grains.Indexes;

/// <summary>
/// One index: a scope's resources or one catalog partition (<see cref="IndexKeys"/>). Writes are group-committed:
/// the grain is reentrant, every claim, update and release is checked and applied in memory at once (turns never
/// overlap, so checks see every earlier change), and its caller waits until the batch it joined is appended to the
/// journal. A batch that cannot be stored fails its callers and drops the activation, so memory never runs ahead of
/// storage for long: the next activation reloads what is stored. A write that changes nothing stores nothing.
/// </summary>
[GrainType("index"), Reentrant]
public sealed partial class ResourceIndexGrain(IIndexJournal journal, ILogger<ResourceIndexGrain> logger) : Grain, IResourceIndexGrain
{
    private const int MaxBatch = 500;

    private readonly IndexTable _table = new();
    private GroupCommit<IndexChange>? _commits;
    private IndexJournalState _journal = null!;
    private bool _broken;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _journal = await journal.LoadAsync(this.GetPrimaryKeyString());
        foreach (var entry in _journal.Entries)
        {
            _table.Put(entry);
        }
    }

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
        if (_broken)
        {
            throw new OrleansException($"Index {this.GetPrimaryKeyString()} is reloading after a failed write; retry.");
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

    /// <summary>Not stored (or not known to be): every waiting caller fails, and a fresh activation reloads.</summary>
    private void Failed(Exception exception)
    {
        LogWriteFailed(exception, this.GetPrimaryKeyString());
        _broken = true;
        this.DeactivateOnIdle();
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Index {Index} could not be stored")]
    private partial void LogWriteFailed(Exception exception, string index);
}
