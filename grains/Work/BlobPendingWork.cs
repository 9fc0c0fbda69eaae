using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using CloudController.GrainInterfaces.Work;
using CloudController.Grains.Storage;
using Microsoft.Extensions.Options;

namespace CloudController.Grains.Work;

/// <summary>
/// The pending-work registry as empty blobs <c>pending-work/&lt;kind&gt;/&lt;guid&gt;</c> in the grain-state container,
/// so it belongs to the same cluster as the state it describes: one put and one delete per piece of work.
/// </summary>
public sealed class BlobPendingWork(BlobServiceClient blobs, IOptionsMonitor<BlobGrainStorageOptions> options) : IPendingWork
{
    public const string Prefix = "pending-work/";

    private BlobContainerClient Container => blobs.GetBlobContainerClient(options.Get(StorageNames.CloudController).ContainerName);

    public async Task AddAsync(WorkKind kind, Guid guid)
    {
        var blob = Container.GetBlobClient(Name(kind, guid));
        try
        {
            await blob.UploadAsync(BinaryData.Empty, overwrite: true);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            await Container.CreateIfNotExistsAsync();
            await blob.UploadAsync(BinaryData.Empty, overwrite: true);
        }
    }

    public async Task RemoveAsync(WorkKind kind, Guid guid) =>
        await Container.GetBlobClient(Name(kind, guid)).DeleteIfExistsAsync();

    public async IAsyncEnumerable<PendingWorkItem> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!await Container.ExistsAsync(cancellationToken))
        {
            yield break;
        }

        await foreach (var blob in Container.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = Prefix }, cancellationToken))
        {
            if (Parse(blob.Name) is var (kind, guid))
            {
                yield return new PendingWorkItem(kind, guid, blob.Properties.CreatedOn ?? blob.Properties.LastModified ?? DateTimeOffset.MinValue);
            }
        }
    }

    internal static string Name(WorkKind kind, Guid guid) => $"{Prefix}{kind.ToString().ToLowerInvariant()}/{guid:D}";

    internal static (WorkKind Kind, Guid Guid)? Parse(string name)
    {
        if (!name.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = name.AsSpan(Prefix.Length);
        var slash = rest.IndexOf('/');
        return slash > 0
            && Enum.TryParse<WorkKind>(rest[..slash], ignoreCase: true, out var kind)
            && Enum.IsDefined(kind)
            && Guid.TryParse(rest[(slash + 1)..], out var guid)
                ? (kind, guid)
                : null;
    }
}
