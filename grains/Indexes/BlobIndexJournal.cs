using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using CloudController.GrainInterfaces.Indexes;
using CloudController.Grains.Storage;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Storage;

namespace CloudController.Grains.Indexes;

/// <summary>
/// The index journal in the grain-state container: <c>index-journal/&lt;index&gt;/snapshot.json</c> (generation and
/// entries, ETag-guarded) and the append blob <c>index-journal/&lt;index&gt;/log-&lt;generation&gt;</c> with one JSON
/// line per change, each append conditional on the log's length.
/// </summary>
public sealed class BlobIndexJournal(BlobServiceClient blobs, IOptionsMonitor<AzureBlobStorageOptions> options) : IIndexJournal
{
    private static readonly JsonSerializerOptions Json = ReadOnlyJson();

    /// <summary>Completed before first use, so concurrent first appends never race to complete it.</summary>
    private static JsonSerializerOptions ReadOnlyJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private BlobContainerClient Container => blobs.GetBlobContainerClient(options.Get(StorageNames.Blobs).ContainerName);

    public async Task<IndexJournalState> LoadAsync(string index)
    {
        await Container.CreateIfNotExistsAsync();
        var snapshot = Container.GetBlobClient(SnapshotName(index));
        long generation;
        string? etag;
        ImmutableList<IndexEntry> entries;
        try
        {
            var content = await snapshot.DownloadContentAsync();
            var stored = content.Value.Content.ToObjectFromJson<Snapshot>(Json)!;
            (generation, etag, entries) = (stored.Generation, content.Value.Details.ETag.ToString(), [.. stored.Entries]);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No journal yet: an empty index.
            (generation, etag, entries) = (0, null, []);
        }

        var log = Container.GetAppendBlobClient(LogName(index, generation));
        await log.CreateIfNotExistsAsync();
        var lines = (await log.DownloadContentAsync()).Value.Content;
        var changes = Encoding.UTF8.GetString(lines.ToMemory().Span).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonSerializer.Deserialize<IndexChange>(line, Json)!)
            .ToList();
        return new IndexJournalState(index, generation, etag, lines.ToMemory().Length, changes.Count, IndexChange.Replay(entries, changes));
    }

    public async Task<IndexJournalState> AppendAsync(IndexJournalState state, IReadOnlyList<IndexChange> changes)
    {
        var text = new StringBuilder();
        foreach (var change in changes)
        {
            text.Append(JsonSerializer.Serialize(change, Json)).Append('\n');
        }

        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            await Container.GetAppendBlobClient(LogName(state.Index, state.Generation)).AppendBlockAsync(stream,
                new AppendBlobAppendBlockOptions { Conditions = new AppendBlobRequestConditions { IfAppendPositionEqual = state.LogLength } });
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
        {
            throw new InconsistentStateException($"Index {state.Index} was changed by another writer (HTTP {ex.Status} {ex.ErrorCode}).", ex);
        }

        Hosting.GrainMetrics.IndexAppends.Add(changes.Count);
        return state with { LogLength = state.LogLength + bytes.Length, LogChanges = state.LogChanges + changes.Count };
    }

    public async Task<IndexJournalState> CompactAsync(IndexJournalState state, ImmutableList<IndexEntry> entries)
    {
        var next = state.Generation + 1;
        var conditions = state.SnapshotETag is { } etag ? new BlobRequestConditions { IfMatch = new ETag(etag) } : new BlobRequestConditions { IfNoneMatch = ETag.All };
        Response<BlobContentInfo> written;
        try
        {
            written = await Container.GetBlobClient(SnapshotName(state.Index)).UploadAsync(
                BinaryData.FromObjectAsJson(new Snapshot(next, [.. entries]), Json), new BlobUploadOptions { Conditions = conditions });
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            throw new InconsistentStateException($"Index {state.Index} snapshot was changed by another writer (HTTP {ex.Status}).", ex);
        }

        await Container.GetAppendBlobClient(LogName(state.Index, next)).CreateIfNotExistsAsync();
        await Container.GetBlobClient(LogName(state.Index, state.Generation)).DeleteIfExistsAsync();
        return new IndexJournalState(state.Index, next, written.Value.ETag.ToString(), 0, 0, entries);
    }

    private static string SnapshotName(string index) => $"index-journal/{index}/snapshot.json";

    private static string LogName(string index, long generation) => $"index-journal/{index}/log-{generation:D10}";

    private sealed record Snapshot(long Generation, IndexEntry[] Entries);
}
