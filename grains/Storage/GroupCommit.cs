namespace CloudController.Grains.Storage;

/// <summary>
/// Group commit for a reentrant grain: each change joins the next batch and its caller waits until that batch is
/// written. One write runs at a time; changes that arrive meanwhile form the next batch. A write that fails, or does
/// not finish within <c>writeTimeout</c>, fails every caller waiting (in its batch and after it) and reports the
/// error once, so the grain can reload what is stored; nothing waits on a storage answer that never comes. Used from
/// one grain's turns only (not thread-safe).
/// </summary>
/// <remarks>
/// The "a write is running" flag is set before the writer starts, never derived from the writer's task: a write
/// can complete synchronously (a storage answer already in the socket buffer on a busy machine), and a task stored
/// after such a run would keep saying "running" forever, so no later change would ever be written.
/// </remarks>
public sealed class GroupCommit<T>(
    Func<IReadOnlyList<T>, Task> write, Action<Exception> failed, int maxBatch = int.MaxValue, TimeSpan? writeTimeout = null)
{
    /// <summary>How long one batch's write may take by default before it fails (shorter than a grain call's bound).</summary>
    public static readonly TimeSpan DefaultWriteTimeout = TimeSpan.FromSeconds(8);

    private readonly List<(T Change, TaskCompletionSource Done)> _pending = [];
    private readonly TimeSpan _writeTimeout = writeTimeout ?? DefaultWriteTimeout;
    private bool _writing;

    /// <summary>True while a batch is being written (or about to be).</summary>
    public bool Writing => _writing;

    /// <summary>Queues the change; the task ends when the batch holding it is written, or faults with the write's error.</summary>
    public Task Add(T change)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending.Add((change, done));
        if (!_writing)
        {
            _writing = true;
            _ = WriteAllAsync();
        }

        return done.Task;
    }

    private async Task WriteAllAsync()
    {
        try
        {
            while (_pending.Count > 0)
            {
                var batch = _pending.GetRange(0, Math.Min(maxBatch, _pending.Count));
                _pending.RemoveRange(0, batch.Count);
                Hosting.GrainMetrics.BatchSize.Record(batch.Count, new KeyValuePair<string, object?>("writer", typeof(T).Name));
                try
                {
                    await BoundedWriteAsync([.. batch.Select(p => p.Change)]);
                }
                catch (Exception ex)
                {
                    var waiting = batch.Concat(_pending).ToList();
                    _pending.Clear();
                    try
                    {
                        failed(ex);
                    }
                    finally
                    {
                        foreach (var (_, done) in waiting)
                        {
                            done.TrySetException(ex);
                        }
                    }

                    return;
                }

                foreach (var (_, done) in batch)
                {
                    done.TrySetResult();
                }
            }
        }
        finally
        {
            _writing = false;
        }
    }

    private async Task BoundedWriteAsync(IReadOnlyList<T> batch)
    {
        var writing = write(batch);
        try
        {
            await writing.WaitAsync(_writeTimeout);
        }
        catch (TimeoutException) when (!writing.IsCompleted)
        {
            // Whether it lands later is unknown: the caller reloads what is stored.
            throw new TimeoutException($"A group-committed write of {batch.Count} change(s) did not finish within {_writeTimeout.TotalSeconds:0} s.");
        }
    }
}
