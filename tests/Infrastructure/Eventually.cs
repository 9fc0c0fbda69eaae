namespace CloudController.Tests.Infrastructure;

/// <summary>
/// Waits for something the system does on its own (a staging, a retry, a convergence pass) instead of a fixed sleep:
/// the condition is checked until it holds or the bound passes, and a miss fails with what was last seen.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultBound = TimeSpan.FromSeconds(30);

    /// <summary>Checks <paramref name="condition"/> until it answers true; fails after <paramref name="bound"/> naming <paramref name="what"/>.</summary>
    public static Task HoldsAsync(string what, Func<Task<bool>> condition, TimeSpan? bound = null) =>
        ValueAsync(what, async () => (await condition(), "false"), bound);

    /// <summary>Reads <paramref name="read"/> until <paramref name="accept"/> takes its value, and answers that value.</summary>
    public static async Task<T> ValueAsync<T>(string what, Func<Task<T>> read, Func<T, bool> accept, TimeSpan? bound = null)
    {
        T last = default!;
        await ValueAsync(what, async () =>
        {
            last = await read();
            return (accept(last), last?.ToString() ?? "null");
        }, bound);
        return last;
    }

    private static async Task ValueAsync(string what, Func<Task<(bool Done, string Seen)>> check, TimeSpan? bound)
    {
        var deadline = DateTime.UtcNow + (bound ?? DefaultBound);
        var pause = TimeSpan.FromMilliseconds(20);
        var seen = "nothing yet";
        while (true)
        {
            (var done, seen) = await check();
            if (done)
            {
                return;
            }

            if (DateTime.UtcNow >= deadline)
            {
                Assert.Fail($"{what}: not so within {(bound ?? DefaultBound).TotalSeconds:0} s (last seen: {seen})");
            }

            await Task.Delay(pause);
            pause = TimeSpan.FromMilliseconds(Math.Min(500, pause.TotalMilliseconds * 2));
        }
    }
}
