using Azure.Storage.Blobs;

namespace CloudController.Storage;

/// <summary>Creates the bits containers once per process, before their first use.</summary>
public sealed class BitsContainers(BlobServiceClient blobs)
{
    private readonly Lazy<Task> _created = new(() => Task.WhenAll(
        new[] { BlobContainers.Packages, BlobContainers.Droplets, BlobContainers.Resources, BlobContainers.Uploads, BlobContainers.Buildpacks }
            .Select(name => blobs.GetBlobContainerClient(name).CreateIfNotExistsAsync())));

    public BlobServiceClient Blobs => blobs;

    public async Task<BlobContainerClient> GetAsync(string name)
    {
        await _created.Value;
        return blobs.GetBlobContainerClient(name);
    }
}
