using CloudController.Hosting;

namespace CloudController.Grains.Work;

/// <summary>
/// Tells an interruption from an outcome. Work cut short because its silo is stopping, or by the cluster's passing
/// state (<see cref="Transience"/>: a peer silo died, a call timed out under load, a write lost an ETag race to another
/// activation), has no outcome: it stays in flight and is resumed. Anything else that escapes the work is a failure of
/// that work and is stored as one.
/// </summary>
internal static class WorkInterruption
{
    public static bool Is(Exception exception) =>
        exception is OperationCanceledException or ObjectDisposedException || Transience.IsTransient(exception);
}
