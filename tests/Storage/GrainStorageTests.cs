using System.Collections.Immutable;
using System.Text;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Hosting;
using CloudController.Grains.Storage;
using Orleans.Storage;

namespace CloudController.Tests.Storage;

/// <summary>
/// The Orleans grain-storage conformance cases (Persistence.TestKit) for Orleans' <c>AzureBlobGrainStorage</c> as the silo
/// composes it, against a real Azurite.
/// </summary>
public sealed class GrainStorageTests(StorageFixture fixture) : IClassFixture<StorageFixture>
{
    private const string StateName = StorageNames.State;

    [Fact]
    public async Task WriteThenReadRoundTripsEveryField()
    {
        var (storage, _) = await fixture.NewStorageAsync();
        var id = NewId("organization");
        var written = new TestGrainState<TestState>
        {
            State = new TestState
            {
                Name = "Организация",
                Counter = 42,
                Tags = ImmutableDictionary<string, string>.Empty.Add("k", "v"),
                Day = DayOfWeek.Friday,
                At = new DateTimeOffset(2016, 6, 8, 16, 41, 44, TimeSpan.Zero),
            },
        };

        await storage.WriteStateAsync(StateName, id, written);
        var read = new TestGrainState<TestState>();
        await storage.ReadStateAsync(StateName, id, read);

        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        Assert.Equal(written.State.Name, read.State.Name);
        Assert.Equal(42, read.State.Counter);
        Assert.Equal("v", read.State.Tags["k"]);
        Assert.Equal(DayOfWeek.Friday, read.State.Day);
        Assert.Equal(written.State.At, read.State.At);
    }

    [Fact]
    public async Task StateIsStoredAsPlainJsonAtTheDesignLayout()
    {
        var (storage, container) = await fixture.NewStorageAsync();
        var key = Guid.NewGuid();
        var id = GrainId.Create("organization", key.ToString("N"));

        await storage.WriteStateAsync(StateName, id, new TestGrainState<TestState> { State = new TestState { Name = "o", Day = DayOfWeek.Monday } });

        var blob = container.GetBlobClient($"state-organization/{key:N}.json");
        var json = (await blob.DownloadContentAsync()).Value.Content.ToString();
        Assert.Contains("\"Name\":\"o\"", json, StringComparison.Ordinal);
        Assert.Contains("\"Day\":\"Monday\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("$type", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadingAbsentStateGivesAFreshStateWithoutETag()
    {
        var (storage, _) = await fixture.NewStorageAsync();
        var read = new TestGrainState<TestState> { State = new TestState { Name = "stale" }, ETag = "x", RecordExists = true };

        await storage.ReadStateAsync(StateName, NewId("space"), read);

        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);
        Assert.NotNull(read.State);
        Assert.Equal("", read.State.Name);
    }

    [Fact]
    public async Task AReadAnnouncedAsANewGrainIsSkippedAndItsWriteCannotReplaceTheBlob()
    {
        var (storage, _) = await fixture.NewStorageAsync();
        var id = NewId("app");
        await storage.WriteStateAsync(StateName, id, new TestGrainState<TestState> { State = new TestState { Name = "stored" } });

        var read = new TestGrainState<TestState>();
        RequestContext.Set(NewGrain.RequestContextKey, id.ToString());
        try
        {
            await storage.ReadStateAsync(StateName, id, read);
        }
        finally
        {
            RequestContext.Remove(NewGrain.RequestContextKey);
        }

        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);
        read.State = new TestState { Name = "intruder" };
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, id, read));
        Assert.Equal("stored", (await ReadAsync(storage, id)).State.Name);
    }

    [Fact]
    public async Task AnAnnouncementForAnotherGrainDoesNotSkipTheRead()
    {
        var (storage, _) = await fixture.NewStorageAsync();
        var id = NewId("app");
        await storage.WriteStateAsync(StateName, id, new TestGrainState<TestState> { State = new TestState { Name = "stored" } });

        RequestContext.Set(NewGrain.RequestContextKey, NewId("app").ToString());
        try
        {
            var read = await ReadAsync(storage, id);
            Assert.True(read.RecordExists);
            Assert.Equal("stored", read.State.Name);
        }
        finally
        {
            RequestContext.Remove(NewGrain.RequestContextKey);
        }
    }

    [Fact]
    public async Task FirstWriteWhenTheBlobAlreadyExistsConflicts()
    {
        var (storage, _) = await fixture.NewStorageAsync();
        var id = NewId("organization");
        await storage.WriteStateAsync(StateName, id, new TestGrainState<TestState> { State = new TestState { Name = "first" } });

        var second = new TestGrainState<TestState> { State = new TestState { Name = "second" } };
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, id, second));

        Assert.Equal("first", (await ReadAsync(storage, id)).State.Name);
    }

    [Fact]
    public async Task WriteWithAStaleETagConflictsAndKeepsTheWinner()
    {
        var (storage, _) = await fixture.NewStorageAsync();
        var id = NewId("organization");
        var a = new TestGrainState<TestState> { State = new TestState { Name = "a" } };
        await storage.WriteStateAsync(StateName, id, a);
        var b = await ReadAsync(storage, id);
        b.State = b.State with { Name = "b" };
        await storage.WriteStateAsync(StateName, id, b);

        a.State = a.State with { Name = "a2" };
        var error = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, id, a));

        Assert.Contains("condition not Satisfied", error.Message, StringComparison.Ordinal);
        Assert.Equal("b", (await ReadAsync(storage, id)).State.Name);
    }

    [Fact]
    public async Task TwoRacingWritersWithTheSameETagHaveExactlyOneWinner()
    {
        var (storage, _) = await fixture.NewStorageAsync();
        var id = NewId("app");
        var initial = new TestGrainState<TestState> { State = new TestState { Counter = 0 } };
        await storage.WriteStateAsync(StateName, id, initial);

        var writers = Enumerable.Range(1, 8)
            .Select(i => new TestGrainState<TestState> { State = new TestState { Counter = i }, ETag = initial.ETag, RecordExists = true })
            .ToList();
        var outcomes = await Task.WhenAll(writers.Select(async w =>
        {
            try
            {
                await storage.WriteStateAsync(StateName, id, w);
                return w.State.Counter;
            }
            catch (InconsistentStateException)
            {
                return 0;
            }
        }));

        var winners = outcomes.Where(o => o != 0).ToList();
        Assert.Single(winners);
        Assert.Equal(winners[0], (await ReadAsync(storage, id)).State.Counter);
    }

    [Fact]
    public async Task TwoSilosWithOneGrainActivatedOnBothNeverBothWrite()
    {
        // Two provider instances on one container: what two silos would hold if both activated the grain.
        var (silo1, container) = await fixture.NewStorageAsync();
        var (silo2, _) = await fixture.StorageOnAsync(container.Name);
        var id = NewId("app");

        // Both activations find no record and race to create it: If-None-Match lets exactly one through.
        var first = new TestGrainState<TestState> { State = new TestState { Name = "silo1" } };
        var second = new TestGrainState<TestState> { State = new TestState { Name = "silo2" } };
        var created = await Task.WhenAll(TryWriteAsync(silo1, id, first), TryWriteAsync(silo2, id, second));
        Assert.Single(created, ok => ok);
        var (winner, loser) = created[0] ? (silo1, silo2) : (silo2, silo1);

        // Both now hold the same ETag; the winner writes again, and the loser's write with the stale ETag fails.
        var winnerState = await ReadAsync(winner, id);
        var loserState = await ReadAsync(loser, id);
        winnerState.State = winnerState.State with { Counter = 1 };
        await winner.WriteStateAsync(StateName, id, winnerState);
        loserState.State = loserState.State with { Counter = 2 };
        await Assert.ThrowsAsync<InconsistentStateException>(() => loser.WriteStateAsync(StateName, id, loserState));
        await Assert.ThrowsAsync<InconsistentStateException>(() => loser.ClearStateAsync(StateName, id, loserState));
        Assert.Equal(1, (await ReadAsync(silo1, id)).State.Counter);
        Assert.Equal(1, (await ReadAsync(silo2, id)).State.Counter);
    }

    private static async Task<bool> TryWriteAsync(IGrainStorage storage, GrainId id, TestGrainState<TestState> state)
    {
        try
        {
            await storage.WriteStateAsync(StateName, id, state);
            return true;
        }
        catch (InconsistentStateException)
        {
            return false;
        }
    }

    [Fact]
    public async Task EveryWriteChangesTheETagEvenWithTheSameValues()
    {
        var (storage, _) = await fixture.NewStorageAsync();
        var id = NewId("job");
        var state = new TestGrainState<TestState> { State = new TestState { Name = "same" } };
        await storage.WriteStateAsync(StateName, id, state);
        var first = state.ETag;

        await storage.WriteStateAsync(StateName, id, state);

        Assert.NotNull(first);
        Assert.NotEqual(first, state.ETag);
    }

    [Fact]
    public async Task ClearThenReadGivesTheDefaultState()
    {
        var (storage, container) = await fixture.NewStorageAsync();
        var id = NewId("organization");
        var state = new TestGrainState<TestState> { State = new TestState { Name = "gone" } };
        await storage.WriteStateAsync(StateName, id, state);

        await storage.ClearStateAsync(StateName, id, state);
        var read = await ReadAsync(storage, id);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.NotNull(state.State);
        Assert.False(read.RecordExists);
        Assert.Equal("", read.State.Name);
        Assert.False(await container.GetBlobClient(CloudControllerGrainStorage.BlobName(StateName, id)).ExistsAsync());
    }

    [Fact]
    public async Task ClearWithAStaleETagConflictsAndKeepsTheLatestState()
    {
        var (storage, _) = await fixture.NewStorageAsync();
        var id = NewId("organization");
        var stale = new TestGrainState<TestState> { State = new TestState { Name = "v1" } };
        await storage.WriteStateAsync(StateName, id, stale);
        var fresh = await ReadAsync(storage, id);
        fresh.State = fresh.State with { Name = "v2" };
        await storage.WriteStateAsync(StateName, id, fresh);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(StateName, id, stale));

        Assert.Equal("v2", (await ReadAsync(storage, id)).State.Name);
    }

    [Fact]
    public async Task ClearIsIdempotentAndWorksBeforeAnyWrite()
    {
        var (storage, _) = await fixture.NewStorageAsync();
        var id = NewId("space");
        var state = new TestGrainState<TestState>();

        await storage.ClearStateAsync(StateName, id, state);
        await storage.ClearStateAsync(StateName, id, state);
        await storage.WriteStateAsync(StateName, id, state);
        await storage.ClearStateAsync(StateName, id, state);
        await storage.ClearStateAsync(StateName, id, state);
        await storage.WriteStateAsync(StateName, id, state);

        Assert.True((await ReadAsync(storage, id)).RecordExists);
    }

    [Fact]
    public async Task TheSameKeyInDifferentGrainTypesDoesNotCollide()
    {
        var (storage, _) = await fixture.NewStorageAsync();
        var key = Guid.NewGuid().ToString("N");
        await storage.WriteStateAsync(StateName, GrainId.Create("organization", key), new TestGrainState<TestState> { State = new TestState { Name = "org" } });
        await storage.WriteStateAsync(StateName, GrainId.Create("space", key), new TestGrainState<TestState> { State = new TestState { Name = "space" } });

        Assert.Equal("org", (await ReadAsync(storage, GrainId.Create("organization", key))).State.Name);
        Assert.Equal("space", (await ReadAsync(storage, GrainId.Create("space", key))).State.Name);
    }

    [Fact]
    public async Task StateNamesUseIndependentRecords()
    {
        var (storage, _) = await fixture.NewStorageAsync();
        var id = NewId("app");
        await storage.WriteStateAsync(StateName, id, new TestGrainState<TestState> { State = new TestState { Name = "main" } });
        await storage.WriteStateAsync("other", id, new TestGrainState<TestState> { State = new TestState { Name = "other" } });

        Assert.Equal("main", (await ReadAsync(storage, id)).State.Name);
        Assert.Equal("other", (await ReadAsync(storage, id, "other")).State.Name);
    }

    [Fact]
    public async Task OneMegabyteStateRoundTrips()
    {
        var (storage, _) = await fixture.NewStorageAsync();
        var id = NewId("index");
        var payload = string.Create(1024 * 1024, 0, static (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (char)('a' + (i % 26));
            }
        });

        await storage.WriteStateAsync(StateName, id, new TestGrainState<TestState> { State = new TestState { Payload = payload } });

        Assert.Equal(payload, (await ReadAsync(storage, id)).State.Payload);
    }

    [Fact]
    public async Task ParallelWritesAndReadsOfDistinctGrainsAllLand()
    {
        var (storage, _) = await fixture.NewStorageAsync();
        var ids = Enumerable.Range(0, 40).Select(_ => NewId("app")).ToList();

        await Task.WhenAll(ids.Select((id, i) => storage.WriteStateAsync(StateName, id, new TestGrainState<TestState> { State = new TestState { Counter = i } })));
        var read = await Task.WhenAll(ids.Select(id => ReadAsync(storage, id)));

        Assert.Equal(Enumerable.Range(0, 40), read.Select(r => r.State.Counter));
    }

    [Fact]
    public async Task ACorruptBlobFailsTheReadWithoutTouchingTheState()
    {
        var (storage, container) = await fixture.NewStorageAsync();
        var id = NewId("organization");
        await container.GetBlobClient(CloudControllerGrainStorage.BlobName(StateName, id)).UploadAsync(BinaryData.FromString("{not json"));
        var state = new TestGrainState<TestState> { State = new TestState { Name = "kept" }, ETag = "e1", RecordExists = true };

        var error = await Assert.ThrowsAsync<CloudControllerException>(() => storage.ReadStateAsync(StateName, id, state));

        Assert.Equal(CfErrorCode.UnknownError, error.Code);
        Assert.Contains("The stored state of this organization cannot be read", error.Message, StringComparison.Ordinal);
        Assert.Equal("kept", state.State.Name);
        Assert.Equal("e1", state.ETag);
    }

    [Fact]
    public async Task AnEmptyBlobReadsAsAbsentButKeepsItsETag()
    {
        var (storage, container) = await fixture.NewStorageAsync();
        var id = NewId("organization");
        await container.GetBlobClient(CloudControllerGrainStorage.BlobName(StateName, id)).UploadAsync(new BinaryData(Encoding.UTF8.GetBytes("")));
        var state = new TestGrainState<TestState>();

        await storage.ReadStateAsync(StateName, id, state);
        await storage.WriteStateAsync(StateName, id, state);

        Assert.True((await ReadAsync(storage, id)).RecordExists);
    }

    [Fact]
    public async Task AWriteRecreatesAContainerThatWasDeleted()
    {
        var (storage, container) = await fixture.NewStorageAsync();
        await container.DeleteAsync();
        var id = NewId("organization");

        await storage.WriteStateAsync(StateName, id, new TestGrainState<TestState> { State = new TestState { Name = "back" } });

        Assert.Equal("back", (await ReadAsync(storage, id)).State.Name);
    }

    private static GrainId NewId(string type) => GrainId.Create(type, Guid.NewGuid().ToString("N"));

    private static async Task<TestGrainState<TestState>> ReadAsync(IGrainStorage storage, GrainId id, string stateName = StateName)
    {
        var state = new TestGrainState<TestState>();
        await storage.ReadStateAsync(stateName, id, state);
        return state;
    }

}
