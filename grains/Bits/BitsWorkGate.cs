namespace CloudController.Grains.Bits;

/// <summary>
/// Bounds the bits work (package builds, stagings) one silo runs at once, <c>CloudController:Bits:MaxConcurrentWork</c>
/// (default: twice the cores), and shares the slots fairly: one app's work runs one piece at a time, so a flood of
/// uploads to one app waits behind itself and never holds every slot while another app's small upload waits. Beyond the
/// limit, work waits its turn while its job reads as queued/running.
/// </summary>
public sealed class BitsWorkGate(Microsoft.Extensions.Options.IOptions<CloudController.Storage.BitsOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrentWork ?? Environment.ProcessorCount * 2);
    private readonly Dictionary<Guid, (SemaphoreSlim Turn, int Users)> _apps = [];
    private readonly Lock _appsLock = new();

    /// <summary>Runs <paramref name="work"/> for <paramref name="app"/> once that app's turn and a silo slot are free.</summary>
    public async Task<T> RunAsync<T>(Guid app, Func<Task<T>> work, CancellationToken cancellationToken)
    {
        var turn = Enter(app);
        try
        {
            await turn.WaitAsync(cancellationToken);
            try
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
            finally
            {
                turn.Release();
            }
        }
        finally
        {
            Leave(app);
        }
    }

    public void Dispose() => _slots.Dispose();

    private SemaphoreSlim Enter(Guid app)
    {
        lock (_appsLock)
        {
            var (turn, users) = _apps.TryGetValue(app, out var known) ? known : (new SemaphoreSlim(1), 0);
            _apps[app] = (turn, users + 1);
            return turn;
        }
    }

    private void Leave(Guid app)
    {
        lock (_appsLock)
        {
            var (turn, users) = _apps[app];
            if (users == 1)
            {
                _apps.Remove(app);
                turn.Dispose();
            }
            else
            {
                _apps[app] = (turn, users - 1);
            }
        }
    }
}
