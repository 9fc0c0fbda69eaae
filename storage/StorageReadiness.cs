using Azure.Storage.Blobs;

namespace CloudController.Storage;

/// <summary>A quick "does blob storage answer" check for readiness endpoints (never throws).</summary>
public static class StorageReadiness
{
    public static async Task<bool> AnswersAsync(BlobServiceClient blobs, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await blobs.GetBlobContainerClient(BlobContainers.GrainState).ExistsAsync(limit.Token);
            return true;
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException or OperationCanceledException or AggregateException)
        {
            return false;
        }
    }
}
