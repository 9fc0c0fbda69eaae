namespace CloudController.Hosting;

/// <summary>A quick "does the silo cluster answer" check for readiness endpoints (never throws).</summary>
public static class ClusterReadiness
{
    /// <summary>Number of active silos the cluster reports, or 0 when it does not answer within <paramref name="timeout"/>.</summary>
    public static async Task<int> ActiveSilosAsync(IGrainFactory grains, TimeSpan timeout)
    {
        try
        {
            var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(timeout);
            return hosts.Count;
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException or InvalidOperationException)
        {
            return 0;
        }
    }
}
