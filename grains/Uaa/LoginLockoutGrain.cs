using CloudController.GrainInterfaces.Uaa;

namespace CloudController.Grains.Uaa;

/// <summary>One user name's recent failed logins, in memory (UAA keeps them in its database; losing them on a restart only unlocks early).</summary>
[GrainType("login-lockout")]
public sealed class LoginLockoutGrain(TimeProvider clock) : Grain, ILoginLockoutGrain
{
    private readonly Queue<DateTimeOffset> _failures = new();
    private DateTimeOffset _lockedUntil = DateTimeOffset.MinValue;

    public Task<bool> IsLockedAsync() => Task.FromResult(clock.GetUtcNow() < _lockedUntil);

    public Task<bool> FailedAsync(LockoutPolicy policy)
    {
        var now = clock.GetUtcNow();
        _failures.Enqueue(now);
        while (_failures.Count > 0 && now - _failures.Peek() > policy.Window)
        {
            _failures.Dequeue();
        }

        if (_failures.Count >= policy.MaxFailures)
        {
            _lockedUntil = now + policy.Duration;
            _failures.Clear();
        }

        // Keep the count for as long as it can matter.
        this.DelayDeactivation(policy.Window > policy.Duration ? policy.Window : policy.Duration);
        return Task.FromResult(now < _lockedUntil);
    }

    public Task SucceededAsync()
    {
        _failures.Clear();
        return Task.CompletedTask;
    }
}
