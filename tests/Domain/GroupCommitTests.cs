using CloudController.Grains.Storage;

namespace CloudController.Tests.Domain;

/// <summary>The group commit the index and usage grains write through: batches, ordering, failure, and synchronous writes.</summary>
public sealed class GroupCommitTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A storage answer can already be waiting in the socket buffer on a busy machine, so a write may finish before
    /// it returns. Every later change must still be written (before the fix a busy CI run hung an index for good).
    /// </summary>
    [Fact]
    public async Task AWriteThatCompletesSynchronouslyDoesNotStopLaterChangesFromBeingWritten()
    {
        var written = new List<IReadOnlyList<int>>();
        var commits = new GroupCommit<int>(batch => { written.Add(batch); return Task.CompletedTask; }, _ => { });

        await commits.Add(1).WaitAsync(Bound);
        await commits.Add(2).WaitAsync(Bound);
        await commits.Add(3).WaitAsync(Bound);

        Assert.Equal([[1], [2], [3]], written);
        Assert.False(commits.Writing);
    }

    [Fact]
    public async Task ChangesArrivingDuringAWriteFormTheNextBatchInOrderAndWaitForIt()
    {
        var written = new List<IReadOnlyList<int>>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var commits = new GroupCommit<int>(async batch => { written.Add(batch); await gate.Task; }, _ => { }, maxBatch: 2);

        var first = commits.Add(1);
        var later = new[] { commits.Add(2), commits.Add(3), commits.Add(4) };
        Assert.Equal([[1]], written);
        Assert.False(first.IsCompleted);
        Assert.All(later, t => Assert.False(t.IsCompleted));

        gate.SetResult();
        await Task.WhenAll([first, .. later]).WaitAsync(Bound);

        Assert.Equal([[1], [2, 3], [4]], written);
    }

    [Fact]
    public async Task AFailedWriteFailsItsBatchAndEveryoneWaitingAndIsReportedOnce()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reported = new List<Exception>();
        var commits = new GroupCommit<int>(async _ => { await gate.Task; throw new InvalidOperationException("storage said no"); }, reported.Add);

        var first = commits.Add(1);
        var second = commits.Add(2);
        gate.SetResult();

        Assert.Equal("storage said no", (await Assert.ThrowsAsync<InvalidOperationException>(() => first.WaitAsync(Bound))).Message);
        await Assert.ThrowsAsync<InvalidOperationException>(() => second.WaitAsync(Bound));
        Assert.Single(reported);
        Assert.False(commits.Writing);
    }
}
