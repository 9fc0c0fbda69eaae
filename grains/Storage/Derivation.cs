using Microsoft.Extensions.Logging;

namespace CloudController.Grains.Storage;

/// <summary>
/// Runs a grain's derived work (<see cref="Outstanding"/>) in the grain's turns: right after a write, on activation
/// when the stored state says work is outstanding, and again after a failure, on a timer with a growing pause, for as
/// long as the activation lives (a later activation finds the work still stored and runs it). A failure never fails
/// the write that was already stored: the change is acknowledged, its derived records follow. The turn that wrote
/// waits for them at most <see cref="InlineBound"/>: a stuck index or table holds up no answer for longer (the work
/// still running then is idempotent, and a retry follows).
/// </summary>
internal sealed partial class Derivation(Grain grain, Func<Task> derive, ILogger logger)
{
    /// <summary>How long a turn waits for its derived work before answering and leaving the rest to a retry.</summary>
    public static readonly TimeSpan InlineBound = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan MaxPause = TimeSpan.FromMinutes(1);
    private IGrainTimer? _retry;
    private int _failures;

    /// <summary>Runs the derived work now; on failure (or if it takes longer than <see cref="InlineBound"/>) arranges a retry. Never throws.</summary>
    public async Task RunAsync()
    {
        var work = derive();
        try
        {
            if (await Task.WhenAny(work, Task.Delay(InlineBound)) != work)
            {
                throw new TimeoutException($"The derived work did not finish within {InlineBound.TotalSeconds:0} s.");
            }

            await work;
            _failures = 0;
            _retry?.Dispose();
            _retry = null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _failures++;
            LogFailed(ex, grain.GetGrainId().ToString(), _failures);
            var pause = TimeSpan.FromSeconds(Math.Min(MaxPause.TotalSeconds, Math.Pow(2, Math.Min(_failures, 10))));
            _retry?.Dispose();
            _retry = grain.RegisterGrainTimer(_ => RunAsync(), new GrainTimerCreationOptions(pause, Timeout.InfiniteTimeSpan));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Derived records of {Grain} are not written yet (failure {Failures}); retrying")]
    private partial void LogFailed(Exception exception, string grain, int failures);
}
