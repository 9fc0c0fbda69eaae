using System.Collections.Immutable;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Hosting;
using CloudController.Grains.Storage;
using CloudController.Tests.Infrastructure;
using Orleans.Storage;

namespace CloudController.Tests.Storage;

/// <summary>
/// What this project adds to Orleans' <c>AzureBlobGrainStorage</c> (in <see cref="CloudControllerGrainStorage"/>), and what
/// it relies on from the silo's composition of it, against a real Azurite: the stored layout and fields, the read skipped
/// for an announced new grain, the bound of every operation, a corrupt blob's clear error, and one writer per ETag across
/// silos. Orleans' own provider behaviour (ETag conflicts, clears, naming) is Orleans' to test.
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
    public async Task AStorageAnswerThatNeverComesFailsTheCallAtTheOperationBound()
    {
        var faults = new StorageFaults();
        var (storage, _) = await fixture.NewStorageAsync(faults, operationTimeout: TimeSpan.FromMilliseconds(300));
        var id = NewId("organization");
        var state = new TestGrainState<TestState> { State = new TestState { Name = "held" } };

        using (faults.Hang(_ => true))
        {
            var read = await Assert.ThrowsAsync<TimeoutException>(() => ReadAsync(storage, id));
            var write = await Assert.ThrowsAsync<TimeoutException>(() => storage.WriteStateAsync(StateName, id, state));

            Assert.Contains("did not answer a read of organization", read.Message, StringComparison.Ordinal);
            Assert.Contains("did not answer a write of organization", write.Message, StringComparison.Ordinal);
        }
    }

    private static GrainId NewId(string type) => GrainId.Create(type, Guid.NewGuid().ToString("N"));

    private static async Task<TestGrainState<TestState>> ReadAsync(IGrainStorage storage, GrainId id, string stateName = StateName)
    {
        var state = new TestGrainState<TestState>();
        await storage.ReadStateAsync(stateName, id, state);
        return state;
    }

}
