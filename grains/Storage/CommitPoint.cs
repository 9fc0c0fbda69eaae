using CloudController.Grains.Events;
using Microsoft.Extensions.Logging;

namespace CloudController.Grains.Storage;

/// <summary>
/// A grain's state write as its one commit point. <see cref="StoreAsync"/> stores the next state together with what
/// the change owes elsewhere (<see cref="Outstanding"/>: indexes to leave, audit events, ledgers to release), merged
/// with anything an earlier change still owes; once stored, the change is acknowledged, and the derived work runs
/// (<see cref="Derivation"/>): the grain's own records (<c>deriveRecords</c>: its index entries and the rest, from the
/// stored state) and the audit events. If it fails it is retried while the activation lives, and a new activation
/// that finds it stored runs it again (<see cref="ResumeAsync"/>); every part is idempotent. Nothing is undone.
/// </summary>
internal sealed class CommitPoint<TState>(
    Grain grain,
    IPersistentState<TState> state,
    Func<TState, Outstanding?> outstandingOf,
    Func<TState, Outstanding?, TState> withOutstanding,
    Func<TState, Outstanding, Task> deriveRecords,
    AuditTrail trail,
    ILogger logger)
    where TState : class
{
    private Derivation? _derivation;

    /// <summary>Events this activation stored itself: appended directly, without first asking the trail.</summary>
    private bool _eventsFresh;

    private Derivation Derived => _derivation ??= new Derivation(grain, DeriveAsync, logger);

    /// <summary>The derived work a stored change still owes, if any.</summary>
    public Outstanding? Owed => state.RecordExists ? outstandingOf(state.State) : null;

    /// <summary>Stores <paramref name="next"/> with <paramref name="work"/> (plus what is still owed), then derives. A failed store throws; a failed derivation does not.</summary>
    public async Task StoreAsync(TState next, Outstanding work)
    {
        var owed = Owed is { } earlier ? earlier.And(work) : work;
        await state.SaveAsync(withOutstanding(next, owed));
        _eventsFresh = true;
        await Derived.RunAsync();
    }

    /// <summary>On activation: runs the derived work a stored change still owes (another silo may have died before it).</summary>
    public Task ResumeAsync() => Owed is not null ? Derived.RunAsync() : Task.CompletedTask;

    /// <summary>Derives again from what is stored now (a repair): the same work as after a write.</summary>
    public Task RepairAsync() => state.RecordExists ? Derived.RunAsync() : Task.CompletedTask;

    private async Task DeriveAsync()
    {
        if (!state.RecordExists)
        {
            return;
        }

        var stored = state.State;
        var owed = outstandingOf(stored) ?? new Outstanding();
        await deriveRecords(stored, owed);
        await (_eventsFresh ? trail.AppendAsync(owed.Events) : trail.CompleteAsync(owed.Events));

        // Only what this run covered is done: a write made meanwhile (a timer turn runs between writes) owes its own.
        if (state.RecordExists && ReferenceEquals(state.State, stored) && outstandingOf(stored) is not null)
        {
            state.State = withOutstanding(stored, null);
        }

        _eventsFresh = false;
    }
}
