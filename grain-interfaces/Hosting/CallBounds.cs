namespace CloudController.GrainInterfaces.Hosting;

/// <summary>
/// Response timeouts of grain methods that other grains call inside their turns (indexes, the usage ledger, process
/// pointers, logs, the audit trail). They are shorter than the 30 s every front-end call may take, so a stuck
/// dependency fails the caller's turn in time for it to answer (503, retryable) instead of timing out behind it.
/// </summary>
public static class CallBounds
{
    /// <summary>A call made inside another grain's turn: 10 s.</summary>
    public const string Nested = "00:00:10";
}
