using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Jobs;
using CloudController.GrainInterfaces.Work;

namespace CloudController.Grains.Work;

/// <summary>
/// One activation's side of a grain's durable work, the same for jobs, packages and droplets. While work is unfinished
/// the grain holds an Orleans reminder (Azure Table Storage), so that after its silo dies or the whole system restarts
/// the grain is activated again and resumes. The grain counts attempts in its stored state, so they are bounded across
/// activations (<see cref="WorkOptions.MaxAttempts"/>): a timeout, an unexpected error and a resumption after a lost
/// silo each use one up, while a run interrupted by the cluster in a live activation is tried again after a backoff
/// without using one. The work itself runs on the <see cref="WorkRunner"/>, never in the grain's turn; a keep-alive
/// timer holds the activation while it runs.
/// </summary>
internal sealed class DurableWork(Grain grain, WorkRunner runner, WorkOptions options)
{
    public const string ReminderName = "resume-work";
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private Guid? _run;
    private IGrainTimer? _keepAlive;
    private IGrainTimer? _retry;
    private IGrainReminder? _reminder;
    private int _interruptions;

    /// <summary>Whether a run started by this activation is out (or waiting to be retried).</summary>
    public bool IsRunning => _run is not null || _retry is not null;

    /// <summary>Whether <paramref name="attempts"/> made so far use up the allowance.</summary>
    public bool Exhausted(int attempts) => attempts >= options.MaxAttempts;

    /// <summary>The error stored when the attempts are used up.</summary>
    public static JobError GaveUp(int attempts, string? lastReason) =>
        new(CfErrorCode.UnknownError, $"The work failed {attempts} times and was given up (last attempt: {lastReason ?? "interrupted"}).");

    /// <summary>Registers the resume reminder (once per activation), then starts a run of <paramref name="work"/> on the runner.</summary>
    public async Task RunAsync<TGrain, TResult>(Func<CancellationToken, Task<TResult>> work)
        where TGrain : IWorkerGrain<TResult>
    {
        await HoldAsync();
        var run = Guid.NewGuid();
        _run = run;
        _keepAlive ??= grain.RegisterGrainTimer(
            static _ => Task.CompletedTask,
            new GrainTimerCreationOptions(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)) { KeepAlive = true, Interleave = true });
        Hosting.GrainMetrics.WorkRuns.Add(1, new KeyValuePair<string, object?>("grain", typeof(TGrain).Name));
        runner.Start<TGrain, TResult>(grain.GetPrimaryKey(), run, work);
    }

    /// <summary>Makes sure the resume reminder exists, for unfinished work that is not a run (telling the app).</summary>
    public async Task HoldAsync() =>
        _reminder ??= await grain.RegisterOrUpdateReminder(ReminderName, options.ResumePeriod, options.ResumePeriod);

    /// <summary>True when <paramref name="run"/> is the one this activation waits for; it is then no longer out.</summary>
    public bool Accept(Guid run)
    {
        if (_run != run)
        {
            return false;
        }

        _run = null;
        return true;
    }

    /// <summary>
    /// Applying <paramref name="run"/>'s outcome was interrupted (a call to another grain failed in transit): wait for it
    /// again, so that the runner's redelivery of the same outcome is accepted.
    /// </summary>
    public void Reopen(Guid run) => _run ??= run;

    /// <summary>A reminder tick: resume unfinished work this activation is not running; drop the reminder when there is none.</summary>
    public Task OnReminderAsync(bool inFlight, Func<string?, bool, Task> begin) =>
        !inFlight ? EndAsync() : IsRunning ? Task.CompletedTask : begin("interrupted", true);

    /// <summary>
    /// True when <paramref name="outcome"/> asks for another run, which is then arranged through
    /// <paramref name="begin"/> (reason, counts): at once and counted after a timeout or error, later and uncounted after
    /// an interruption.
    /// </summary>
    public async Task<bool> RetriedAsync<TResult>(WorkOutcome<TResult> outcome, Func<string?, bool, Task> begin)
    {
        if (outcome.Retry is not { } reason)
        {
            return false;
        }

        if (outcome.Interrupted)
        {
            RetryLater(() => begin(reason, false));
        }
        else
        {
            await begin(reason, true);
        }

        return true;
    }

    /// <summary>After an interrupted run: <paramref name="begin"/> again in its own turn after a growing pause (1 s, 2 s, ... 30 s).</summary>
    private void RetryLater(Func<Task> begin)
    {
        var pause = TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, _interruptions++)));
        _retry?.Dispose();
        _retry = grain.RegisterGrainTimer(
            async _ =>
            {
                _retry?.Dispose();
                _retry = null;
                await begin();
            },
            new GrainTimerCreationOptions(pause, Timeout.InfiniteTimeSpan) { KeepAlive = true });
    }

    /// <summary>The work is over (finished, failed, or its resource deleted): drop the reminder, timers and run.</summary>
    public async Task EndAsync()
    {
        _run = null;
        _interruptions = 0;
        _retry?.Dispose();
        _retry = null;
        _keepAlive?.Dispose();
        _keepAlive = null;
        var reminder = _reminder ?? await grain.GetReminder(ReminderName);
        _reminder = null;
        if (reminder is not null)
        {
            await grain.UnregisterReminder(reminder);
        }
    }
}
