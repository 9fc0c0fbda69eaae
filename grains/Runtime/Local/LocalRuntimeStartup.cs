using Microsoft.Extensions.DependencyInjection;

namespace CloudController.Grains.Runtime.Local;

/// <summary>
/// Creates the local runtime while the silo starts, before any grain can desire an instance: its creation removes
/// what a killed silo on this port left running, so nothing waits for the first app to activate to be cleaned up.
/// </summary>
public sealed class LocalRuntimeStartup(IServiceProvider services) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(LocalRuntimeStartup), ServiceLifecycleStage.ApplicationServices, _ =>
        {
            services.GetRequiredService<LocalRuntime>();
            return Task.CompletedTask;
        });
}
