namespace CloudController.Grains.Bits;

/// <summary>
/// Bounds how many bits jobs (package builds, stagings) one silo runs at once, <c>CloudController:Bits:MaxConcurrentWork</c>
/// (default: twice the cores). Beyond it, work waits its turn while its job reads as queued/running: under a burst the
/// silo keeps answering grain calls quickly instead of spreading its cores and the storage over every upload at once.
/// </summary>
public sealed class BitsWorkGate(Microsoft.Extensions.Options.IOptions<CloudController.Storage.BitsOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrentWork ?? Environment.ProcessorCount * 2);

    public async Task<T> RunAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        try
        {
            return await work();
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose() => _slots.Dispose();
}
