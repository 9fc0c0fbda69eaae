using Azure.Storage.Blobs;
using Microsoft.Extensions.Options;

namespace CloudController.Storage;

/// <summary>
/// The bits containers (<see cref="BlobContainers"/>' names behind <see cref="BitsOptions.ContainerPrefix"/>), created
/// once per process before their first use.
/// </summary>
public sealed class BitsContainers
{
    private readonly BlobServiceClient _blobs;
    private readonly string _prefix;
    private readonly Lazy<Task> _created;

    public BitsContainers(BlobServiceClient blobs, IOptions<BitsOptions> options)
    {
        _blobs = blobs;
        _prefix = options.Value.ContainerPrefix;
        _created = new(() => Task.WhenAll(
            new[] { BlobContainers.Packages, BlobContainers.Droplets, BlobContainers.Resources, BlobContainers.Uploads, BlobContainers.Buildpacks }
                .Select(name => Client(name).CreateIfNotExistsAsync())));
    }

    public BlobServiceClient Blobs => _blobs;

    /// <summary>The container holding one kind of bits; <paramref name="name"/> is one of <see cref="BlobContainers"/>.</summary>
    public async Task<BlobContainerClient> GetAsync(string name)
    {
        await _created.Value;
        return Client(name);
    }

    private BlobContainerClient Client(string name) => _blobs.GetBlobContainerClient(_prefix + name);
}
