using System.Collections.Immutable;
using CloudController.GrainInterfaces.Indexes;

namespace CloudController.Grains.Indexes;

/// <summary>
/// An index's durable form: a snapshot plus an append-only log of changes since it, so a write costs one append of
/// its own changes rather than a rewrite of every entry. Appends are conditional on the log's length, so two
/// activations of one index can never both write (the loser gets <see cref="Orleans.Storage.InconsistentStateException"/>).
/// </summary>
public interface IIndexJournal
{
    Task<IndexJournalState> LoadAsync(string index);

    /// <summary>Appends one batch of changes; returns the new log position.</summary>
    Task<IndexJournalState> AppendAsync(IndexJournalState state, IReadOnlyList<IndexChange> changes);

    /// <summary>Writes <paramref name="entries"/> as the next generation's snapshot and starts an empty log.</summary>
    Task<IndexJournalState> CompactAsync(IndexJournalState state, ImmutableList<IndexEntry> entries);
}

/// <summary>Where an index's journal stands: the generation, the snapshot's ETag, the log's length and change count.</summary>
public sealed record IndexJournalState(
    string Index, long Generation, string? SnapshotETag, long LogLength, int LogChanges, ImmutableList<IndexEntry> Entries);

/// <summary>One change: an entry put (claim or update) or a guid removed (release).</summary>
public sealed record IndexChange(IndexEntry? Put, Guid? Remove)
{
    /// <summary>Replays a log over a snapshot in one pass: the last change of each guid wins.</summary>
    public static ImmutableList<IndexEntry> Replay(ImmutableList<IndexEntry> snapshot, IEnumerable<IndexChange> changes)
    {
        var entries = snapshot.ToDictionary(e => e.Guid);
        foreach (var change in changes)
        {
            if (change.Put is { } put)
            {
                entries[put.Guid] = put;
            }
            else
            {
                entries.Remove(change.Remove!.Value);
            }
        }

        return [.. entries.Values];
    }
}
