using CloudController.GrainInterfaces.Bits;
using CloudController.GrainInterfaces.Droplets;
using CloudController.Grains.Bits;
using CloudController.Grains.Staging;
using Microsoft.Extensions.DependencyInjection;

namespace CloudController.Tests.Work;

/// <summary>
/// Test hooks in a silo: package builds and stagings wait at a gate a test can close, so the test can act while work is
/// in flight (or let every attempt time out). A build waits before it starts (so it writes its blob after whatever the
/// test did meanwhile); a staging runs, then holds its outcome (the droplet blob is stored, the grain not yet told).
/// Open, they pass straight through to the real blob-backed services.
/// </summary>
public sealed class WorkGates
{
    public Gate Builds { get; } = new(holdsOutcome: false);

    public Gate Staging { get; } = new(holdsOutcome: true);

    public void Install(ISiloBuilder silo)
    {
        silo.Services.AddSingleton<IBitsService>(sp => new HeldBits(ActivatorUtilities.CreateInstance<BlobBitsService>(sp), Builds));
        silo.Services.AddSingleton<IStager>(sp => new HeldStager(ActivatorUtilities.CreateInstance<BlobStager>(sp), Staging));
    }

    /// <summary>Closed: work waits (until opened, or cancelled by its timeout). Counts the work that went through, however it ended.</summary>
    public sealed class Gate(bool holdsOutcome)
    {
        private TaskCompletionSource _open = Opened();
        private int _released;

        public int Released => Volatile.Read(ref _released);

        public void Close() => _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Open() => _open.TrySetResult();

        public async Task<T> PassAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken)
        {
            try
            {
                if (!holdsOutcome)
                {
                    await _open.Task.WaitAsync(cancellationToken);
                    return await work();
                }

                var result = await work();
                await _open.Task.WaitAsync(cancellationToken);
                return result;
            }
            finally
            {
                Interlocked.Increment(ref _released);
            }
        }

        private static TaskCompletionSource Opened()
        {
            var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            open.SetResult();
            return open;
        }
    }

    private sealed class HeldBits(IBitsService inner, Gate gate) : IBitsService
    {
        public Task<PackageInfo> BuildPackageAsync(Guid appGuid, Guid uploadId, bool hasApplication, Guid packageGuid, CancellationToken cancellationToken) =>
            gate.PassAsync(() => inner.BuildPackageAsync(appGuid, uploadId, hasApplication, packageGuid, cancellationToken), cancellationToken);

        public Task<PackageInfo> CopyPackageAsync(PackageInfo source, Guid packageGuid, CancellationToken cancellationToken) =>
            inner.CopyPackageAsync(source, packageGuid, cancellationToken);

        public Task DeletePackageAsync(Guid packageGuid, CancellationToken cancellationToken) => inner.DeletePackageAsync(packageGuid, cancellationToken);

        public Task DeleteDropletAsync(Guid dropletGuid, CancellationToken cancellationToken) => inner.DeleteDropletAsync(dropletGuid, cancellationToken);

        public Task<PackageInfo> CopyDropletAsync(PackageInfo source, Guid sourceDroplet, Guid dropletGuid, CancellationToken cancellationToken) =>
            inner.CopyDropletAsync(source, sourceDroplet, dropletGuid, cancellationToken);

        public Task DeleteUploadAsync(Guid uploadId, CancellationToken cancellationToken) => inner.DeleteUploadAsync(uploadId, cancellationToken);
    }

    private sealed class HeldStager(IStager inner, Gate gate) : IStager
    {
        public Task<StagingOutcome> StageAsync(StagingRequest request, Guid dropletGuid, CancellationToken cancellationToken) =>
            gate.PassAsync(() => inner.StageAsync(request, dropletGuid, cancellationToken), cancellationToken);
    }
}
