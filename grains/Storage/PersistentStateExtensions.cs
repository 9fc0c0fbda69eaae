namespace CloudController.Grains.Storage;

internal static class PersistentStateExtensions
{
    /// <summary>
    /// Replaces the state and stores it; if storing fails the in-memory state goes back to what is stored, so an
    /// activation never serves a value it did not persist (a 2xx only ever reports durable state).
    /// </summary>
    public static async Task SaveAsync<T>(this IPersistentState<T> state, T next)
    {
        var previous = state.State;
        state.State = next;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = previous;
            throw;
        }
    }
}
