namespace CloudController.GrainInterfaces.Runtime;

/// <summary>
/// The convergence pass (one, key 0): every STARTED app is activated, which desires its process again, so instances
/// come back after a silo or the whole system restarts without any client asking. Runs at each silo start and on a
/// durable reminder (<c>CloudController:Runtime:ConvergencePeriod</c>).
/// </summary>
[Alias("CloudController.GrainInterfaces.Runtime.IRuntimeConvergenceGrain")]
public interface IRuntimeConvergenceGrain : IGrainWithIntegerKey
{
    /// <summary>Walks the started apps once (a pass already running is joined); answers how many it reached.</summary>
    [Alias("ConvergeAsync")]
    Task<int> ConvergeAsync();
}
