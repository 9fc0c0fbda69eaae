using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using CloudController.GrainInterfaces.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace CloudController.Grains.Storage;

/// <summary>
/// Grain state as one JSON blob per grain (<c>&lt;grain type&gt;/&lt;key&gt;.json</c>), guarded by the blob ETag:
/// the first write requires that no blob exists (If-None-Match: *), later writes and clears require the ETag last
/// read or written (If-Match). A lost race surfaces as <see cref="InconsistentStateException"/>, which makes the
/// runtime drop the activation so that the next call reloads the winner's state.
/// </summary>
public sealed partial class BlobGrainStorage(
    string name,
    BlobGrainStorageOptions options,
    BlobServiceClient blobs,
    IActivatorProvider activators,
    ILogger<BlobGrainStorage> logger) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    private static readonly BlobHttpHeaders JsonHeaders = new() { ContentType = "application/json" };

    private BlobContainerClient Container => blobs.GetBlobContainerClient(options.ContainerName);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(OptionFormattingUtilities.Name<BlobGrainStorage>(name), options.InitStage, InitAsync);

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (NewGrain.IsAnnounced(grainId))
        {
            // Activated by the call that creates it under a key made a moment ago: there is nothing to read, and the
            // first write's If-None-Match: * still refuses to replace a blob if one were there.
            ResetToAbsent(grainState);
            return;
        }

        var blob = Container.GetBlobClient(BlobName(stateName, grainId));
        BlobDownloadResult download;
        try
        {
            download = (await blob.DownloadContentAsync()).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Blob or container missing: the grain has never been written (or was cleared).
            ResetToAbsent(grainState);
            return;
        }

        var content = download.Content;
        var etag = download.Details.ETag.ToString();
        if (content.ToMemory().IsEmpty)
        {
            grainState.State = NewState<T>();
            grainState.ETag = etag;
            grainState.RecordExists = false;
            return;
        }

        // Deserialize before touching grainState: a corrupt blob must not half-update the grain.
        T state;
        try
        {
            state = options.GrainStorageSerializer.Deserialize<T>(content) ?? NewState<T>();
        }
        catch (Exception ex)
        {
            LogReadFailed(ex, blob.Name);
            throw new OrleansException($"Grain state blob {blob.Name} in container {options.ContainerName} cannot be read as {typeof(T).Name}.", ex);
        }

        grainState.State = state;
        grainState.ETag = etag;
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var blob = Container.GetBlobClient(BlobName(stateName, grainId));
        var content = options.GrainStorageSerializer.Serialize(grainState.State);
        var upload = new BlobUploadOptions { Conditions = Expect(grainState.ETag), HttpHeaders = JsonHeaders };
        try
        {
            var response = await UploadCreatingContainerAsync(blob, content, upload);
            grainState.ETag = response.ETag.ToString();
            grainState.RecordExists = true;
        }
        catch (RequestFailedException ex) when (IsConflict(ex))
        {
            LogConflict("write", blob.Name, grainState.ETag, ex.Status, ex.ErrorCode);
            throw Inconsistent(blob.Name, grainState.ETag, ex);
        }
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var blob = Container.GetBlobClient(BlobName(stateName, grainId));
        try
        {
            await blob.DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, Expect(grainState.ETag));
        }
        catch (RequestFailedException ex) when (IsConflict(ex))
        {
            LogConflict("clear", blob.Name, grainState.ETag, ex.Status, ex.ErrorCode);
            throw Inconsistent(blob.Name, grainState.ETag, ex);
        }

        ResetToAbsent(grainState);
    }

    /// <summary>The blob name of a grain's state (DESIGN.md layout); other state names get their own blob beside it.</summary>
    public static string BlobName(string stateName, GrainId grainId) =>
        stateName == StorageNames.State
            ? $"{grainId.Type}/{grainId.Key}.json"
            : $"{grainId.Type}/{grainId.Key}.{stateName}.json";

    private async Task<BlobContentInfo> UploadCreatingContainerAsync(BlobClient blob, BinaryData content, BlobUploadOptions upload)
    {
        try
        {
            return (await blob.UploadAsync(content, upload)).Value;
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            // The container vanished (deleted by an operator or a test): recreate it, then retry once.
            // Kept apart from blob-level 404s, which are conflicts.
            await Container.CreateIfNotExistsAsync();
            return (await blob.UploadAsync(content, upload)).Value;
        }
    }

    private static BlobRequestConditions Expect(string? etag) =>
        etag is null
            ? new BlobRequestConditions { IfNoneMatch = ETag.All }
            : new BlobRequestConditions { IfMatch = new ETag(etag) };

    // 412: If-Match failed; 409: If-None-Match:* found a blob; 404 on a conditional write or delete: the blob we
    // held an ETag for is gone.
    private static bool IsConflict(RequestFailedException ex) =>
        ex.Status is 409 or 412 || (ex.Status == 404 && ex.ErrorCode != BlobErrorCode.ContainerNotFound);

    private InconsistentStateException Inconsistent(string blobName, string? etag, RequestFailedException ex) =>
        new($"Blob {blobName} in container {options.ContainerName} was changed by another writer (HTTP {ex.Status} {ex.ErrorCode}).",
            storedEtag: "unknown", currentEtag: etag ?? "none", ex);

    private void ResetToAbsent<T>(IGrainState<T> grainState)
    {
        grainState.State = NewState<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    private T NewState<T>() => activators.GetActivator<T>().Create();

    private Task InitAsync(CancellationToken cancellationToken) =>
        Container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ETag conflict on {Operation} of {BlobName} with ETag {ETag}: HTTP {Status} {ErrorCode}")]
    private partial void LogConflict(string operation, string blobName, string? eTag, int status, string? errorCode);

    [LoggerMessage(Level = LogLevel.Error, Message = "Grain state blob {BlobName} could not be deserialized")]
    private partial void LogReadFailed(Exception exception, string blobName);
}
