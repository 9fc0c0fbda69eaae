namespace CloudController.GrainInterfaces.Hosting;

/// <summary>
/// Calls a grain whose key was generated a moment ago (<see cref="Guid.NewGuid"/>): nothing can be stored under it
/// yet, so the storage need not read its blob when the call activates it (a 404 round trip per create). The hint
/// travels in the request context and names the one grain it is about; calls that grain makes to others read as
/// usual. A wrong hint cannot lose data: a grain that skipped its read writes first with "only if no blob
/// exists", which fails if one does.
/// </summary>
public static class NewGrain
{
    /// <summary>Request-context key whose value is the id of the grain being created.</summary>
    public const string RequestContextKey = "cc-new-grain";

    /// <summary>Runs <paramref name="call"/> on <paramref name="grain"/>, telling the storage the grain is new.</summary>
    public static async Task<TResult> CallAsync<TGrain, TResult>(TGrain grain, Func<TGrain, Task<TResult>> call)
        where TGrain : IAddressable
    {
        // The request context lives in an AsyncLocal: what this async method sets ends with it, so the caller's
        // later calls do not carry the hint.
        RequestContext.Set(RequestContextKey, grain.GetGrainId().ToString());
        return await call(grain);
    }

    /// <summary>Whether the current call said that <paramref name="grainId"/> was created just now.</summary>
    public static bool IsAnnounced(GrainId grainId) =>
        RequestContext.Get(RequestContextKey) is string announced && announced == grainId.ToString();
}
