using System.Text.Json;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace CloudController.Grains.Storage;

/// <summary>
/// A thin decorator over Orleans' <c>AzureBlobGrainStorage</c>, which does all the storing (ETag-guarded JSON blobs).
/// It adds two things: (1) a grain announced as created a moment ago under a fresh guid (<see cref="NewGrain"/>)
/// starts empty without asking storage for a blob that cannot exist; the provider's first write is still
/// If-None-Match: *, so a wrong announcement cannot overwrite anything. (2) A state blob that cannot be deserialized
/// fails that one grain with a clear Cloud Controller error (and a log line naming the blob) instead of a transport
/// error that clients would read as "retry later".
/// </summary>
public sealed partial class CloudControllerGrainStorage(
    IGrainStorage inner,
    bool skipReadOfNewGrains,
    IActivatorProvider activators,
    ILogger<CloudControllerGrainStorage> logger) : IGrainStorage
{
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (skipReadOfNewGrains && NewGrain.IsAnnounced(grainId))
        {
            grainState.State = activators.GetActivator<T>().Create();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        try
        {
            await inner.ReadStateAsync(stateName, grainId, grainState);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or FormatException or InvalidCastException)
        {
            var blob = BlobName(stateName, grainId);
            LogUnreadable(ex, blob);
            throw new CloudControllerException(CfErrorCode.UnknownError,
                $"The stored state of this {grainId.Type} cannot be read; an operator must repair or remove it (the silo log names its blob).");
        }
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.WriteStateAsync(stateName, grainId, grainState);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, grainId, grainState);

    /// <summary>Where Orleans' blob provider keeps one grain's state in the grain-state container.</summary>
    public static string BlobName(string stateName, GrainId grainId) => $"{stateName}-{grainId}.json";

    [LoggerMessage(Level = LogLevel.Error, Message = "Grain state blob {BlobName} cannot be deserialized; the grain cannot activate until it is repaired or removed")]
    private partial void LogUnreadable(Exception exception, string blobName);
}
