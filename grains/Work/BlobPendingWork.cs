using System.Runtime.CompilerServices;
using CloudController.GrainInterfaces.Work;
using CloudController.Storage;

namespace CloudController.Grains.Work;

/// <summary>The pending-work registry as empty blobs <c>pending-work/&lt;kind&gt;/&lt;guid&gt;</c>: one put and one delete per piece of work.</summary>
public sealed class BlobPendingWork(BitsContainers containers) : IPendingWork
{
    public async Task AddAsync(WorkKind kind, Guid guid)
    {
        var container = await containers.GetAsync(BlobContainers.PendingWork);
        await container.GetBlobClient(Name(kind, guid)).UploadAsync(BinaryData.Empty, overwrite: true);
    }

    public async Task RemoveAsync(WorkKind kind, Guid guid)
    {
        var container = await containers.GetAsync(BlobContainers.PendingWork);
        await container.GetBlobClient(Name(kind, guid)).DeleteIfExistsAsync();
    }

    public async IAsyncEnumerable<PendingWorkItem> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var container = await containers.GetAsync(BlobContainers.PendingWork);
        await foreach (var blob in container.GetBlobsAsync(cancellationToken: cancellationToken))
        {
            if (Parse(blob.Name) is var (kind, guid))
            {
                yield return new PendingWorkItem(kind, guid, blob.Properties.CreatedOn ?? blob.Properties.LastModified ?? DateTimeOffset.MinValue);
            }
        }
    }

    internal static string Name(WorkKind kind, Guid guid) => $"{kind.ToString().ToLowerInvariant()}/{guid:D}";

    internal static (WorkKind Kind, Guid Guid)? Parse(string name)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        return slash > 0
            && Enum.TryParse<WorkKind>(name.AsSpan(0, slash), ignoreCase: true, out var kind)
            && Enum.IsDefined(kind)
            && Guid.TryParse(name.AsSpan(slash + 1), out var guid)
                ? (kind, guid)
                : null;
    }
}
