using System.Collections.Concurrent;
using System.Text.Json;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace CloudController.Grains.Storage;

/// <summary>
/// A thin decorator over Orleans' <c>AzureBlobGrainStorage</c>, which does all the storing (ETag-guarded JSON blobs).
/// It adds three things. (1) A grain announced as created a moment ago under a fresh guid (<see cref="NewGrain"/>)
/// starts empty without asking storage for a blob that cannot exist; the provider's first write is still
/// If-None-Match: *, so a wrong announcement cannot overwrite anything, and once a write has shown an announcement
/// wrong (the blob existed: an earlier attempt stored it) this silo reads that grain as usual from then on, so the
/// grain reads what is stored and goes on instead of failing every write. (2) Every read, write and clear is bounded
/// (<see cref="OperationTimeout"/>): a storage answer that never comes fails the call with a
/// <see cref="TimeoutException"/> instead of holding the grain, and everything waiting on it, for minutes. (3) A state
/// blob that cannot be deserialized fails that one grain with a clear Cloud Controller error (and a log line naming
/// the blob) instead of a transport error that clients would read as "retry later".
/// </summary>
public sealed partial class CloudControllerGrainStorage(
    IGrainStorage inner,
    bool skipReadOfNewGrains,
    IActivatorProvider activators,
    ILogger<CloudControllerGrainStorage> logger,
    TimeSpan? operationTimeout = null) : IGrainStorage
{
    /// <summary>The bound of one storage operation by default: well inside a grain call's 30 s.</summary>
    public static readonly TimeSpan DefaultOperationTimeout = TimeSpan.FromSeconds(10);

    private const int MaxRemembered = 10_000;

    /// <summary>Grains activated without reading their blob, until their first write.</summary>
    private readonly ConcurrentDictionary<GrainId, byte> _readSkipped = new();

    /// <summary>Grains whose announcement a conflicting first write proved wrong: read as usual from now on.</summary>
    private readonly ConcurrentDictionary<GrainId, byte> _announcementRefused = new();

    public TimeSpan OperationTimeout { get; } = operationTimeout ?? DefaultOperationTimeout;

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (skipReadOfNewGrains && NewGrain.IsAnnounced(grainId) && !_announcementRefused.ContainsKey(grainId))
        {
            Remember(_readSkipped, grainId);
            grainState.State = activators.GetActivator<T>().Create();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        try
        {
            await Bounded(inner.ReadStateAsync(stateName, grainId, grainState), "read", stateName, grainId);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or FormatException or InvalidCastException)
        {
            var blob = BlobName(stateName, grainId);
            LogUnreadable(ex, blob);
            throw new CloudControllerException(CfErrorCode.UnknownError,
                $"The stored state of this {grainId.Type} cannot be read; an operator must repair or remove it (the silo log names its blob).");
        }
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var first = grainState.ETag is null;
        try
        {
            await Bounded(inner.WriteStateAsync(stateName, grainId, grainState), "write", stateName, grainId);
            _readSkipped.TryRemove(grainId, out _);
        }
        catch (InconsistentStateException) when (first && _readSkipped.TryRemove(grainId, out _))
        {
            // The activation did not read a blob that exists: this write fails (Orleans drops the activation), and
            // the next activation reads it, whatever its callers announce.
            Remember(_announcementRefused, grainId);
            LogAnnouncementRefused(BlobName(stateName, grainId));
            throw;
        }
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Bounded(inner.ClearStateAsync(stateName, grainId, grainState), "clear", stateName, grainId);

    private static void Remember(ConcurrentDictionary<GrainId, byte> set, GrainId grainId)
    {
        if (set.Count >= MaxRemembered)
        {
            set.Clear();
        }

        set.TryAdd(grainId, 0);
    }

    /// <summary>Where Orleans' blob provider keeps one grain's state in the grain-state container.</summary>
    public static string BlobName(string stateName, GrainId grainId) => $"{stateName}-{grainId}.json";

    private async Task Bounded(Task operation, string kind, string stateName, GrainId grainId)
    {
        try
        {
            await operation.WaitAsync(OperationTimeout);
        }
        catch (TimeoutException) when (!operation.IsCompleted)
        {
            // The operation may still land: the grain's ETag is then stale, and its next write conflicts and reloads.
            LogTimedOut(kind, BlobName(stateName, grainId), OperationTimeout);
            throw new TimeoutException($"Grain storage did not answer a {kind} of {grainId.Type} within {OperationTimeout.TotalSeconds:0} s.");
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Grain state blob {BlobName} cannot be deserialized; the grain cannot activate until it is repaired or removed")]
    private partial void LogUnreadable(Exception exception, string blobName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grain state blob {BlobName} existed although its grain was announced as new; it is read from now on")]
    private partial void LogAnnouncementRefused(string blobName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grain storage {Kind} of {BlobName} did not finish within {Timeout}")]
    private partial void LogTimedOut(string kind, string blobName, TimeSpan timeout);
}
