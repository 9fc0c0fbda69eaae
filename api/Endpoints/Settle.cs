namespace CloudController.Api.Endpoints;

/// <summary>
/// A short, bounded wait before answering for work a client will poll: the cf CLI v7 looks once at once, then every
/// 3 s, so work that ends within the wait is seen done on that first look. The answer is the same either way (the
/// client still polls what is not done); only the wait is saved.
/// </summary>
internal static class Settle
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    /// <summary>Reads until <paramref name="done"/> holds or <paramref name="bound"/> passes (or the client goes); answers the last read.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan bound, CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        var value = await read();
        while (!done(value) && TimeProvider.System.GetElapsedTime(started) < bound && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(Poll, CancellationToken.None);
            value = await read();
        }

        return value;
    }
}
