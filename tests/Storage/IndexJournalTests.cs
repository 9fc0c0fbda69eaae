using CloudController.GrainInterfaces.Indexes;
using CloudController.Grains.Indexes;
using CloudController.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Storage;

namespace CloudController.Tests.Storage;

/// <summary>The index journal against Azurite: appends survive a reload, compaction keeps everything, a stale writer loses.</summary>
public sealed class IndexJournalTests
{
    private readonly BlobIndexJournal _journal = new(
        CloudController.Storage.BlobStorageConnection.CreateClient(TestStorage.ConnectionString),
        new Fixed(new AzureBlobStorageOptions { ContainerName = TestStorage.UniqueContainer("journal") }));

    private readonly string _index = $"apps-{Guid.NewGuid():N}";

    [Fact]
    public async Task AppendedBatchesReadBackInOrderAfterAReload()
    {
        var (a, b, c) = (Entry("a"), Entry("b"), Entry("c"));
        var state = await _journal.LoadAsync(_index);
        state = await _journal.AppendAsync(state, [Put(a), Put(b)]);
        state = await _journal.AppendAsync(state, [Put(c), new IndexChange(null, a.Guid), Put(b with { Name = "b2" })]);

        var reloaded = await _journal.LoadAsync(_index);

        Assert.Equal(["b2", "c"], reloaded.Entries.Select(e => e.Name).Order());
        Assert.Equal(state.LogLength, reloaded.LogLength);
        Assert.Equal(5, reloaded.LogChanges);
    }

    [Fact]
    public async Task ASecondActivationsStaleAppendConflictsAndLosesNothing()
    {
        var first = await _journal.LoadAsync(_index);
        var stale = await _journal.LoadAsync(_index);
        await _journal.AppendAsync(first, [Put(Entry("winner"))]);

        await Assert.ThrowsAsync<InconsistentStateException>(() => _journal.AppendAsync(stale, [Put(Entry("loser"))]));
        Assert.Equal(["winner"], (await _journal.LoadAsync(_index)).Entries.Select(e => e.Name));
    }

    [Fact]
    public async Task CompactionStartsANewGenerationWithEverythingAndFencesTheOldOne()
    {
        var state = await _journal.LoadAsync(_index);
        var (zero, one) = (Entry("zero"), Entry("one"));
        state = await _journal.AppendAsync(state, [Put(zero), Put(one)]);
        var stale = state;
        var compacted = await _journal.CompactAsync(state, [zero, one]);
        compacted = await _journal.AppendAsync(compacted, [Put(Entry("two"))]);

        var reloaded = await _journal.LoadAsync(_index);
        Assert.Equal(1, reloaded.Generation);
        Assert.Equal(["one", "two", "zero"], reloaded.Entries.Select(e => e.Name).Distinct().Order());
        await Assert.ThrowsAsync<InconsistentStateException>(() => _journal.CompactAsync(stale, []));
        await Assert.ThrowsAsync<InconsistentStateException>(() => _journal.AppendAsync(stale, [Put(Entry("late"))]));
    }

    [Fact]
    public void ReplayAppliesUpdatesAndRemovalsOverTheSnapshot()
    {
        var (a, b, c, d) = (Entry("a"), Entry("b"), Entry("c"), Entry("d"));
        var replayed = IndexChange.Replay([a, b], [Put(c), Put(a with { Name = "a2" }), new IndexChange(null, b.Guid), Put(d), new IndexChange(null, d.Guid)]);

        Assert.Equal(["a2", "c"], replayed.Select(e => e.Name).Order());
    }

    private static IndexEntry Entry(string name) => new(Guid.NewGuid(), name, "space/x", DateTimeOffset.UnixEpoch, []);

    private static IndexChange Put(IndexEntry entry) => new(entry, null);

    private sealed class Fixed(AzureBlobStorageOptions value) : IOptionsMonitor<AzureBlobStorageOptions>
    {
        public AzureBlobStorageOptions CurrentValue => value;

        public AzureBlobStorageOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<AzureBlobStorageOptions, string?> listener) => null;
    }
}
