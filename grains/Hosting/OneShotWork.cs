namespace CloudController.Grains.Hosting;

/// <summary>
/// Runs a grain's long work once, off the call that asked for it: a timer due at once that keeps the activation
/// alive until the work ends. Starting it again while it runs does nothing.
/// </summary>
internal sealed class OneShotWork
{
    private IGrainTimer? _timer;

    public void Start<TGrain>(TGrain grain, Func<TGrain, CancellationToken, Task> work)
        where TGrain : Grain =>
        _timer ??= grain.RegisterGrainTimer(
            static async (state, cancellationToken) =>
            {
                try
                {
                    await state.Work(state.Grain, cancellationToken);
                }
                finally
                {
                    state.Owner._timer?.Dispose();
                    state.Owner._timer = null;
                }
            },
            (Grain: grain, Work: work, Owner: this),
            new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan) { KeepAlive = true });
}
