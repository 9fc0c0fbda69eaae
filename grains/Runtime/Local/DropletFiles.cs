using System.Collections.Concurrent;
using CloudController.GrainInterfaces.Bits;
using CloudController.Storage;

namespace CloudController.Grains.Runtime.Local;

/// <summary>Droplets on the silo's disk: each is downloaded from blob storage once and shared by every instance started from it.</summary>
public sealed class DropletFiles(BitsContainers containers)
{
    private readonly ConcurrentDictionary<Guid, Lazy<Task<string>>> _files = new();

    /// <summary>The local path of the droplet's zip under <paramref name="folder"/>, downloaded on first use.</summary>
    public async Task<string> GetAsync(Guid droplet, string folder, CancellationToken cancellationToken)
    {
        var file = _files.GetOrAdd(droplet, d => new Lazy<Task<string>>(() => DownloadAsync(d, folder)));
        try
        {
            return await file.Value.WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A failed download is tried again by the next instance.
            _files.TryRemove(new KeyValuePair<Guid, Lazy<Task<string>>>(droplet, file));
            throw;
        }
    }

    private async Task<string> DownloadAsync(Guid droplet, string folder)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{droplet:N}.zip");
        if (File.Exists(path))
        {
            return path;
        }

        var partial = $"{path}.{Guid.NewGuid():N}.part";
        var blobs = await containers.GetAsync(BlobContainers.Droplets);
        try
        {
            await blobs.GetBlobClient(BitsBlobNames.Droplet(droplet)).DownloadToAsync(partial);
            File.Move(partial, path, overwrite: true);
            return path;
        }
        finally
        {
            File.Delete(partial);
        }
    }
}
