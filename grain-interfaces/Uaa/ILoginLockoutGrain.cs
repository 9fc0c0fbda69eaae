namespace CloudController.GrainInterfaces.Uaa;

/// <summary>
/// Failed password logins of one user name (key: the name), cluster-wide so that every API instance sees the same
/// count: after <see cref="LockoutPolicy.MaxFailures"/> failures within <see cref="LockoutPolicy.Window"/> the name is
/// locked for <see cref="LockoutPolicy.Duration"/>, as UAA does. Kept in memory: a silo restart forgets a lockout.
/// </summary>
[Alias("CloudController.GrainInterfaces.Uaa.ILoginLockoutGrain")]
public interface ILoginLockoutGrain : IGrainWithStringKey
{
    /// <summary>Whether the name is locked now.</summary>
    [Alias("IsLockedAsync")]
    Task<bool> IsLockedAsync();

    /// <summary>Counts a failed login; answers whether the name is now locked.</summary>
    [Alias("FailedAsync")]
    Task<bool> FailedAsync(LockoutPolicy policy);

    /// <summary>A successful login clears the failures.</summary>
    [Alias("SucceededAsync")]
    Task SucceededAsync();
}

/// <summary>UAA's lockout rule: <paramref name="MaxFailures"/> failures within <paramref name="Window"/> lock for <paramref name="Duration"/>.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Uaa.LockoutPolicy")]
public sealed record LockoutPolicy(int MaxFailures, TimeSpan Window, TimeSpan Duration);
