using Azure;
using Azure.Storage.Blobs;

namespace CloudController.Storage;

/// <summary>Start-up check that blob storage answers, so a process fails fast with one clear line instead of a stack trace.</summary>
public static class StorageProbe
{
    /// <summary>Waits until storage answers; raises <see cref="StorageUnavailableException"/> with a printable reason.</summary>
    public static async Task EnsureReachableAsync(string connectionString, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var blobs = BlobStorageConnection.CreateClient(connectionString, ProbeOptions());
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var endpoint = blobs.Uri.GetLeftPart(UriPartial.Path);
        Exception? last = null;
        while (!limit.IsCancellationRequested)
        {
            try
            {
                await blobs.GetBlobContainerClient(BlobContainers.GrainState).ExistsAsync(limit.Token);
                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 401 or 403)
            {
                throw new StorageUnavailableException($"Blob storage at {endpoint} refused the credentials (HTTP {ex.Status}).", ex);
            }
            catch (RequestFailedException ex) when (ex.Status is >= 400 and < 500 and not (404 or 408 or 429))
            {
                // The service answered and said no: waiting will not change that.
                throw new StorageUnavailableException($"Blob storage at {endpoint} rejected the request (HTTP {ex.Status} {ex.ErrorCode}).", ex);
            }
            catch (Exception ex) when (ex is RequestFailedException or HttpRequestException or AggregateException or OperationCanceledException)
            {
                last = ex;
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), limit.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        throw new StorageUnavailableException(
            $"Blob storage at {endpoint} did not answer within {timeout.TotalSeconds:0} s ({Describe(last)}). " +
            "Is Azurite running (./run.sh starts it), or is ConnectionStrings__Blobs right?", last);
    }

    private static BlobClientOptions ProbeOptions() => new()
    {
        Retry = { MaxRetries = 0, NetworkTimeout = TimeSpan.FromSeconds(3) },
    };

    private static string Describe(Exception? ex) => ex switch
    {
        null => "no answer",
        RequestFailedException { Status: 0 } r => (r.InnerException ?? r).GetBaseException().Message,
        RequestFailedException r => $"HTTP {r.Status} {r.ErrorCode}",
        _ => ex.GetBaseException().Message,
    };
}
