using System.Collections.Immutable;
using CloudController.GrainInterfaces.Indexes;
using CloudController.Grains.Storage;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace CloudController.Grains.Indexes;

/// <summary>
/// One kind's index (names unique per scope, ordered pages of guids). Writes are group-committed: the grain is
/// reentrant, every claim, update and release is checked and applied in memory at once (turns never overlap, so
/// checks see every earlier change), and its caller waits until the batch it joined is appended to the journal. A
/// batch that cannot be stored fails its callers and drops the activation, so memory never runs ahead of storage
/// for long: the next activation reloads what is stored.
/// </summary>
[GrainType("index"), Reentrant]
public sealed partial class ResourceIndexGrain(
    [PersistentState(StorageNames.State, StorageNames.CloudController)] IPersistentState<ResourceIndexGrainState> legacy,
    IIndexJournal journal,
    ILogger<ResourceIndexGrain> logger) : Grain, IResourceIndexGrain
{
    private const int MaxBatch = 500;

    // (scope, name) → guid, names compared case-insensitively as CF's database collation does.
    private readonly Dictionary<string, Guid> _byName = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<Guid, IndexEntry> _byGuid = [];
    private readonly List<(IndexChange Change, TaskCompletionSource Done)> _pending = [];
    private IndexJournalState _journal = null!;
    private ImmutableList<IndexEntry> _entries = [];
    private Task? _flushing;
    private bool _broken;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _journal = await journal.LoadAsync(this.GetPrimaryKeyString(), legacy.RecordExists ? legacy.State.Entries : []);
        _entries = _journal.Entries;
        foreach (var entry in _entries)
        {
            _byName[NameKey(entry)] = entry.Guid;
            _byGuid[entry.Guid] = entry;
        }
    }

    public async Task<Guid?> ClaimAsync(IndexEntry entry)
    {
        if (_byName.TryGetValue(NameKey(entry), out var holder))
        {
            return holder == entry.Guid ? null : holder;
        }

        await CommitAsync(new IndexChange(entry, null));
        return null;
    }

    public async Task<Guid?> UpdateAsync(IndexEntry entry)
    {
        if (!_byGuid.ContainsKey(entry.Guid))
        {
            return await ClaimAsync(entry);
        }

        if (_byName.TryGetValue(NameKey(entry), out var holder) && holder != entry.Guid)
        {
            return holder;
        }

        await CommitAsync(new IndexChange(entry, null));
        return null;
    }

    public async Task ReleaseAsync(Guid guid)
    {
        if (_byGuid.ContainsKey(guid))
        {
            await CommitAsync(new IndexChange(null, guid));
        }
    }

    public Task<IndexPage> QueryAsync(IndexQuery query) => Task.FromResult(IndexPaging.Apply(_entries, query));

    /// <summary>Applies the change in memory now and waits until the batch it joins is stored.</summary>
    private Task CommitAsync(IndexChange change)
    {
        if (_broken)
        {
            throw new OrleansException($"Index {this.GetPrimaryKeyString()} is reloading after a failed write; retry.");
        }

        Apply(change);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending.Add((change, done));
        _flushing ??= FlushAsync();
        return done.Task;
    }

    private async Task FlushAsync()
    {
        try
        {
            while (_pending.Count > 0)
            {
                var batch = _pending.Take(MaxBatch).ToList();
                _pending.RemoveRange(0, batch.Count);
                try
                {
                    _journal = await journal.AppendAsync(_journal, [.. batch.Select(p => p.Change)]);
                    if (_journal.LogChanges > Math.Max(10_000, _entries.Count))
                    {
                        _journal = await journal.CompactAsync(_journal, _entries);
                    }
                }
                catch (Exception ex)
                {
                    // Not stored (or not known to be): fail everyone waiting and let a fresh activation reload.
                    LogWriteFailed(ex, this.GetPrimaryKeyString());
                    _broken = true;
                    this.DeactivateOnIdle();
                    foreach (var (_, waiting) in batch.Concat(_pending))
                    {
                        waiting.TrySetException(ex);
                    }

                    _pending.Clear();
                    return;
                }

                foreach (var (_, stored) in batch)
                {
                    stored.TrySetResult();
                }
            }
        }
        finally
        {
            _flushing = null;
        }
    }

    // New entries (the common case) append in O(log n); only updates and removals search the list.
    private void Apply(IndexChange change)
    {
        var guid = change.Put?.Guid ?? change.Remove!.Value;
        if (_byGuid.Remove(guid, out var old))
        {
            _byName.Remove(NameKey(old));
            var at = _entries.IndexOf(old);
            _entries = change.Put is { } replacement ? _entries.SetItem(at, replacement) : _entries.RemoveAt(at);
        }
        else if (change.Put is { } added)
        {
            _entries = _entries.Add(added);
        }

        if (change.Put is { } put)
        {
            _byName[NameKey(put)] = put.Guid;
            _byGuid[put.Guid] = put;
        }
    }

    private static string NameKey(IndexEntry entry) => $"{entry.Scope}/{entry.Name}";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Index {Index} could not be stored")]
    private partial void LogWriteFailed(Exception exception, string index);
}
