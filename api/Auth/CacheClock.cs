using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Internal;

namespace CloudController.Api.Auth;

/// <summary>
/// <see cref="MemoryCache"/> still reads the time through <see cref="ISystemClock"/>: this one reads the host's
/// <see cref="TimeProvider"/>, so a cache's expiries follow the clock its callers compute them with (and a test's fake one).
/// </summary>
internal sealed class CacheClock(TimeProvider time) : ISystemClock
{
    public DateTimeOffset UtcNow => time.GetUtcNow();

    /// <summary>A cache of at most <paramref name="sizeLimit"/> entries of size 1, on <paramref name="time"/>.</summary>
    public static MemoryCache Create(TimeProvider time, long sizeLimit) =>
        new(new MemoryCacheOptions { SizeLimit = sizeLimit, Clock = new CacheClock(time) });
}
