using CloudController.GrainInterfaces.Indexes;
using CloudController.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace CloudController.Grains.Indexes;

[GrainType("index")]
public sealed partial class ResourceIndexGrain(
    [PersistentState(StorageNames.State, StorageNames.CloudController)] IPersistentState<ResourceIndexGrainState> state,
    ILogger<ResourceIndexGrain> logger) : Grain, IResourceIndexGrain
{
    // (scope, name) → guid, names compared case-insensitively as CF's database collation does.
    private readonly Dictionary<string, Guid> _byName = new(StringComparer.OrdinalIgnoreCase);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        RebuildLookup();
        return Task.CompletedTask;
    }

    public async Task<Guid?> ClaimAsync(IndexEntry entry)
    {
        if (_byName.TryGetValue(NameKey(entry), out var holder))
        {
            return holder == entry.Guid ? null : holder;
        }

        await SaveAsync(state.State with { Entries = state.State.Entries.Add(entry) });
        return null;
    }

    public async Task<Guid?> UpdateAsync(IndexEntry entry)
    {
        var index = state.State.Entries.FindIndex(e => e.Guid == entry.Guid);
        if (index < 0)
        {
            return await ClaimAsync(entry);
        }

        if (_byName.TryGetValue(NameKey(entry), out var holder) && holder != entry.Guid)
        {
            return holder;
        }

        await SaveAsync(state.State with { Entries = state.State.Entries.SetItem(index, entry) });
        return null;
    }

    public async Task ReleaseAsync(Guid guid)
    {
        var index = state.State.Entries.FindIndex(e => e.Guid == guid);
        if (index >= 0)
        {
            await SaveAsync(state.State with { Entries = state.State.Entries.RemoveAt(index) });
        }
    }

    public Task<IndexPage> QueryAsync(IndexQuery query) => Task.FromResult(IndexPaging.Apply(state.State.Entries, query));

    private async Task SaveAsync(ResourceIndexGrainState next)
    {
        try
        {
            await state.SaveAsync(next);
        }
        catch (Exception ex)
        {
            // Not stored: let a fresh activation re-read what is.
            LogWriteFailed(ex, this.GetPrimaryKeyString());
            this.DeactivateOnIdle();
            throw;
        }

        RebuildLookup();
    }

    private void RebuildLookup()
    {
        _byName.Clear();
        foreach (var entry in state.State.Entries)
        {
            _byName[NameKey(entry)] = entry.Guid;
        }
    }

    private static string NameKey(IndexEntry entry) => $"{entry.Scope}/{entry.Name}";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Index {Index} could not be stored")]
    private partial void LogWriteFailed(Exception exception, string index);
}
