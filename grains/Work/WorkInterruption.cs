namespace CloudController.Grains.Work;

/// <summary>
/// Tells an interruption from an outcome. Work cut short because its silo is stopping or a peer silo died (a
/// rejected message, no silo to place a grain on), or whose write lost an ETag race to another activation
/// (<c>InconsistentStateException</c>), has no outcome: it stays in flight and is resumed. Anything else that escapes
/// the work is a failure of that work and is stored as one.
/// </summary>
internal static class WorkInterruption
{
    public static bool Is(Exception exception) => exception is OperationCanceledException
        or TimeoutException
        or ObjectDisposedException
        or OrleansException;
}
