using Azure.Storage;
using Azure.Storage.Blobs.Models;

namespace CloudController.Storage;

/// <summary>
/// How bits move to and from blob storage: 4 MiB requests, a couple in flight. The SDK's defaults for files and
/// streams (a first range of up to 256 MiB, then ranges kept in memory while up to 8 run at once) let one 500 MB
/// package build hold hundreds of MiB; with these, a transfer holds a few MiB whatever its size.
/// </summary>
public static class BlobTransfers
{
    private const int Chunk = 4 * 1024 * 1024;

    /// <summary>One large transfer: 4 MiB requests, two at a time.</summary>
    public static StorageTransferOptions Bounded { get; } = new() { InitialTransferSize = Chunk, MaximumTransferSize = Chunk, MaximumConcurrency = 2 };

    /// <summary>One of many transfers already running side by side: 4 MiB requests, one at a time.</summary>
    public static StorageTransferOptions OneOfMany { get; } = new() { InitialTransferSize = Chunk, MaximumTransferSize = Chunk, MaximumConcurrency = 1 };

    /// <summary>Download options for a whole blob to a file.</summary>
    public static BlobDownloadToOptions DownloadTo(StorageTransferOptions transfer) => new() { TransferOptions = transfer };

    /// <summary>Upload options that overwrite whatever is there.</summary>
    public static BlobUploadOptions Overwrite(StorageTransferOptions transfer) => new() { TransferOptions = transfer };
}
