using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Buildpacks;
using CloudController.GrainInterfaces.Droplets;
using CloudController.GrainInterfaces.Indexes;
using CloudController.GrainInterfaces.Organizations;
using CloudController.GrainInterfaces.Packages;
using CloudController.GrainInterfaces.Spaces;
using CloudController.Grains.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace CloudController.Grains.Indexes;

/// <summary>
/// Moves data stored before indexes were keyed by scope: each kind had one journal (<c>index-journal/apps/snapshot.json</c>
/// and its log). Once the silo is active, every resource such a journal names writes its entry where it belongs now
/// (<see cref="IIndexedGrain.ReindexAsync"/>, idempotent, so silos doing it at once or a second run after a crash do
/// no harm), and the old journal is deleted. Lists may miss those resources until it finishes.
/// </summary>
public sealed partial class LegacyIndexMigration(
    BlobServiceClient blobs,
    IOptionsMonitor<AzureBlobStorageOptions> storage,
    IIndexJournal journal,
    IGrainFactory grains,
    ILogger<LegacyIndexMigration> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private static readonly (string Kind, Func<IGrainFactory, Guid, IIndexedGrain> Grain)[] Kinds =
    [
        ("organizations", (g, k) => g.GetGrain<IOrganizationGrain>(k)),
        ("spaces", (g, k) => g.GetGrain<ISpaceGrain>(k)),
        ("apps", (g, k) => g.GetGrain<IAppGrain>(k)),
        ("packages", (g, k) => g.GetGrain<IPackageGrain>(k)),
        ("droplets", (g, k) => g.GetGrain<IDropletGrain>(k)),
        ("buildpacks", (g, k) => g.GetGrain<IBuildpackGrain>(k)),
    ];

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(LegacyIndexMigration), ServiceLifecycleStage.Active, started =>
        {
            // In the background: a large store takes a while, and the silo serves meanwhile.
            _ = Task.Run(RunAsync);
            return Task.CompletedTask;
        });

    /// <summary>Moves every legacy journal found; answers how many entries were moved.</summary>
    public async Task<int> RunAsync()
    {
        var moved = 0;
        try
        {
            var container = blobs.GetBlobContainerClient(storage.Get(StorageNames.Blobs).ContainerName);
            if (!await container.ExistsAsync())
            {
                return 0;
            }

            foreach (var (kind, grain) in Kinds)
            {
                var legacy = new List<string>();
                await foreach (var item in container.GetBlobsByHierarchyAsync(BlobTraits.None, BlobStates.None, "/", $"index-journal/{kind}/", CancellationToken.None))
                {
                    if (item.IsBlob)
                    {
                        legacy.Add(item.Blob.Name);
                    }
                }

                if (legacy.Count == 0)
                {
                    continue;
                }

                var entries = (await journal.LoadAsync(kind)).Entries;
                await Parallel.ForEachAsync(entries, new ParallelOptions { MaxDegreeOfParallelism = 32 },
                    async (entry, _) => await grain(grains, entry.Guid).ReindexAsync());
                foreach (var name in legacy)
                {
                    await container.GetBlobClient(name).DeleteIfExistsAsync();
                }

                await container.GetBlobClient($"index-journal/{kind}/log-0000000000").DeleteIfExistsAsync();
                LogMoved(kind, entries.Count);
                moved += entries.Count;
            }
        }
        catch (Exception ex)
        {
            // The next start tries again; nothing was deleted that was not moved.
            LogFailed(ex);
        }

        return moved;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Moved {Count} {Kind} from the single-journal index to indexes by scope")]
    private partial void LogMoved(string kind, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Moving indexes from the single-journal layout failed; it is tried again at the next start")]
    private partial void LogFailed(Exception exception);
}
