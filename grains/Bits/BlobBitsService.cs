using System.Globalization;
using System.IO.Compression;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using CloudController.GrainInterfaces.Bits;
using CloudController.GrainInterfaces.Errors;
using CloudController.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CloudController.Grains.Bits;

/// <summary>Bits on blob storage: packages are assembled in a work directory on disk, never in memory.</summary>
public sealed partial class BlobBitsService(BitsContainers containers, BitsWorkGate gate, IOptions<BitsOptions> options, ILogger<BlobBitsService> logger) : IBitsService
{
    /// <summary>How many resource-cache blobs one package build reads or writes at once.</summary>
    private const int TransferParallelism = 8;

    private BitsOptions Options => options.Value;

    public Task<PackageInfo> BuildPackageAsync(Guid appGuid, Guid uploadId, bool hasApplication, Guid packageGuid, CancellationToken cancellationToken) =>
        gate.RunAsync(appGuid, () => BuildPackageNowAsync(uploadId, hasApplication, packageGuid, cancellationToken), cancellationToken);

    private async Task<PackageInfo> BuildPackageNowAsync(Guid uploadId, bool hasApplication, Guid packageGuid, CancellationToken cancellationToken)
    {
        var uploads = await containers.GetAsync(BlobContainers.Uploads);
        var resources = await containers.GetAsync(BlobContainers.Resources);
        var packages = await containers.GetAsync(BlobContainers.Packages);
        var work = Directory.CreateDirectory(Path.Combine(Options.WorkDirectory ?? Path.GetTempPath(), "cc-bits")).FullName;
        // Each run gets files of its own: during a failover two activations of one job can briefly both build, and
        // silos of a local cluster share this directory.
        var run = Guid.NewGuid().ToString("N");
        var zipPath = Path.Combine(work, $"{uploadId:N}.{run}.upload.zip");
        var packagePath = Path.Combine(work, $"{packageGuid:N}.{run}.package.zip");
        var cachedPath = Path.Combine(work, $"{uploadId:N}.{run}.cached");
        try
        {
            var fingerprints = Fingerprint.ParseAll((await uploads.GetBlobClient(BitsBlobNames.UploadedResources(uploadId))
                .DownloadContentAsync(cancellationToken)).Value.Content.ToMemory().Span);
            if (fingerprints.Count > Options.MaxFingerprints)
            {
                throw UploadInvalid($"{fingerprints.Count} resources were named; at most {Options.MaxFingerprints} may be");
            }

            // Every named file must be cached: one bounded pass of existence checks before anything is downloaded.
            await EnsureCachedAsync(resources, fingerprints, cancellationToken);
            if (hasApplication)
            {
                await uploads.GetBlobClient(BitsBlobNames.UploadedZip(uploadId)).DownloadToAsync(zipPath, BlobTransfers.DownloadTo(BlobTransfers.Bounded), cancellationToken);
            }

            var cached = await PrefetchCachedAsync(resources, fingerprints, cachedPath, cancellationToken);

            // Zipping is CPU and file work: keep it off the grain scheduler.
            IReadOnlyList<CacheableFile> cacheable;
            string sha1;
            long size;
            try
            {
                (cacheable, sha1, size) = await Task.Run(() => Build(hasApplication ? zipPath : null, fingerprints, resources, cached, packagePath), cancellationToken);
            }
            catch (DamagedResourceException damaged)
            {
                LogDamagedResource(damaged.Sha1);
                await resources.GetBlobClient(BitsBlobNames.Resource(damaged.Sha1)).DeleteIfExistsAsync(cancellationToken: CancellationToken.None);
                throw damaged.Error;
            }

            await packages.GetBlobClient(BitsBlobNames.Package(packageGuid)).UploadAsync(packagePath, BlobTransfers.Overwrite(BlobTransfers.Bounded), cancellationToken);
            await CacheAsync(resources, zipPath, cacheable, cancellationToken);
            LogPackaged(packageGuid, size, fingerprints.Count);
            return new PackageInfo(packageGuid, sha1, size);
        }
        finally
        {
            File.Delete(zipPath);
            File.Delete(packagePath);
            if (Directory.Exists(cachedPath))
            {
                Directory.Delete(cachedPath, recursive: true);
            }
        }
    }

    public async Task<PackageInfo> CopyPackageAsync(PackageInfo source, Guid packageGuid, CancellationToken cancellationToken)
    {
        var packages = await containers.GetAsync(BlobContainers.Packages);
        var from = packages.GetBlobClient(BitsBlobNames.Package(source.PackageGuid));
        try
        {
            var copy = await packages.GetBlobClient(BitsBlobNames.Package(packageGuid)).StartCopyFromUriAsync(from.Uri, cancellationToken: cancellationToken);
            await copy.WaitForCompletionAsync(cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new CloudControllerException(CfErrorCode.AppPackageNotFound, $"The app package could not be found: {source.PackageGuid}");
        }

        return source with { PackageGuid = packageGuid };
    }

    public async Task DeletePackageAsync(Guid packageGuid, CancellationToken cancellationToken) =>
        await (await containers.GetAsync(BlobContainers.Packages)).GetBlobClient(BitsBlobNames.Package(packageGuid))
            .DeleteIfExistsAsync(cancellationToken: cancellationToken);

    public async Task<PackageInfo> CopyDropletAsync(PackageInfo source, Guid sourceDroplet, Guid dropletGuid, CancellationToken cancellationToken)
    {
        var droplets = await containers.GetAsync(BlobContainers.Droplets);
        var from = droplets.GetBlobClient(BitsBlobNames.Droplet(sourceDroplet));
        try
        {
            var copy = await droplets.GetBlobClient(BitsBlobNames.Droplet(dropletGuid)).StartCopyFromUriAsync(from.Uri, cancellationToken: cancellationToken);
            await copy.WaitForCompletionAsync(cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw CloudControllerException.DropletNotFound();
        }

        return source with { PackageGuid = dropletGuid };
    }

    public async Task DeleteDropletAsync(Guid dropletGuid, CancellationToken cancellationToken) =>
        await (await containers.GetAsync(BlobContainers.Droplets)).GetBlobClient(BitsBlobNames.Droplet(dropletGuid))
            .DeleteIfExistsAsync(cancellationToken: cancellationToken);

    public async Task DeleteUploadAsync(Guid uploadId, CancellationToken cancellationToken)
    {
        var uploads = await containers.GetAsync(BlobContainers.Uploads);
        await uploads.GetBlobClient(BitsBlobNames.UploadedZip(uploadId)).DeleteIfExistsAsync(cancellationToken: cancellationToken);
        await uploads.GetBlobClient(BitsBlobNames.UploadedResources(uploadId)).DeleteIfExistsAsync(cancellationToken: cancellationToken);
    }

    private (IReadOnlyList<CacheableFile> Cacheable, string Sha1, long Size) Build(
        string? zipPath, IReadOnlyList<Fingerprint> fingerprints, BlobContainerClient resources,
        IReadOnlyDictionary<string, string> cached, string packagePath)
    {
        IReadOnlyList<CacheableFile> cacheable;
        using (var output = File.Create(packagePath))
        {
            cacheable = new PackageBuilder(Options).Build(zipPath, fingerprints,
                sha1 => cached.TryGetValue(sha1, out var local) ? File.OpenRead(local) : OpenCached(resources, sha1), output);
        }

        using var package = File.OpenRead(packagePath);
        return (cacheable, PackageBuilder.Sha1Of(package), package.Length);
    }

    /// <summary>Fails with the first fingerprint whose file is not in the resource cache, checking 16 at a time.</summary>
    private static async Task EnsureCachedAsync(BlobContainerClient resources, IReadOnlyList<Fingerprint> fingerprints, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Fingerprint? missing = null;
        try
        {
            await Parallel.ForEachAsync(fingerprints.DistinctBy(f => f.Sha1), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = stop.Token },
                async (fingerprint, token) =>
                {
                    if (!await resources.GetBlobClient(BitsBlobNames.Resource(fingerprint.Sha1)).ExistsAsync(token))
                    {
                        Interlocked.CompareExchange(ref missing, fingerprint, null);
                        await stop.CancelAsync();
                    }
                });
        }
        catch (OperationCanceledException) when (missing is not null)
        {
            // Stopped at the first missing file.
        }

        if (missing is { } file)
        {
            throw UploadInvalid($"resource '{file.Path}' with sha1 {file.Sha1} is not in the resource cache; upload it in the application zip");
        }
    }

    private static CloudControllerException UploadInvalid(string detail) =>
        new(CfErrorCode.AppBitsUploadInvalid, $"The app upload is invalid: {detail}");

    private static Stream? OpenCached(BlobContainerClient resources, string sha1)
    {
        try
        {
            return resources.GetBlobClient(BitsBlobNames.Resource(sha1)).OpenRead();
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>
    /// Downloads the cached files the fingerprints name, <see cref="TransferParallelism"/> at a time, into
    /// <paramref name="directory"/> (as numbered files: a sha1 is client input, never a path). Fetched one by one
    /// while zipping, a 1,000-file re-upload spent most of its time waiting on round trips. A blob that is missing
    /// is left out, and fetching stops once more than a package's limit has arrived: the builder, which reads the
    /// rest from storage as before, stays the one that judges missing files and sizes.
    /// </summary>
    private async Task<IReadOnlyDictionary<string, string>> PrefetchCachedAsync(
        BlobContainerClient resources, IReadOnlyList<Fingerprint> fingerprints, string directory, CancellationToken cancellationToken)
    {
        var fetched = new System.Collections.Concurrent.ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        if (fingerprints.Count == 0 || fingerprints.Sum(f => f.Size) > Options.MaxPackageSize)
        {
            return fetched;
        }

        Directory.CreateDirectory(directory);
        long bytes = 0;
        var wanted = fingerprints.Select(f => f.Sha1).Distinct(StringComparer.Ordinal).Select((sha1, i) => (sha1, i));
        await Parallel.ForEachAsync(wanted, new ParallelOptions { MaxDegreeOfParallelism = TransferParallelism, CancellationToken = cancellationToken },
            async (file, token) =>
            {
                if (Interlocked.Read(ref bytes) > Options.MaxPackageSize)
                {
                    return;
                }

                var local = Path.Combine(directory, file.i.ToString(CultureInfo.InvariantCulture));
                try
                {
                    await resources.GetBlobClient(BitsBlobNames.Resource(file.sha1)).DownloadToAsync(local, BlobTransfers.DownloadTo(BlobTransfers.OneOfMany), token);
                    Interlocked.Add(ref bytes, new FileInfo(local).Length);
                    fetched[file.sha1] = local;
                }
                catch (RequestFailedException ex) when (ex.Status == 404)
                {
                    File.Delete(local);
                }
            });
        return fetched;
    }

    /// <summary>Adds eligible uploaded files to the resource cache; a file already there is left as it is.</summary>
    private static async Task CacheAsync(BlobContainerClient resources, string zipPath, IReadOnlyList<CacheableFile> files, CancellationToken cancellationToken)
    {
        if (files.Count == 0)
        {
            return;
        }

        // A few workers, each with its own reader of the zip (a ZipArchive is not thread-safe).
        var distinct = files.DistinctBy(f => f.Sha1).ToList();
        var workers = Math.Min(TransferParallelism, distinct.Count);
        await Task.WhenAll(Enumerable.Range(0, workers).Select(worker => Task.Run(async () =>
        {
            using var zip = ZipFile.OpenRead(zipPath);
            for (var i = worker; i < distinct.Count; i += workers)
            {
                await CacheOneAsync(resources, zip, distinct[i], cancellationToken);
            }
        }, cancellationToken)));
    }

    /// <summary>
    /// Caches one uploaded file under the sha1 of what is actually stored: the entry is taken by position (the one the
    /// package was built from), hashed while it uploads, and removed again if it does not hash to its name.
    /// </summary>
    private static async Task CacheOneAsync(BlobContainerClient resources, ZipArchive zip, CacheableFile file, CancellationToken cancellationToken)
    {
        var blob = resources.GetBlobClient(BitsBlobNames.Resource(file.Sha1));
        if (await blob.ExistsAsync(cancellationToken))
        {
            return;
        }

        Response<BlobContentInfo> stored;
        await using var content = new HashingReadStream(zip.Entries[file.EntryIndex].Open());
        try
        {
            stored = await blob.UploadAsync(content, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All }, TransferOptions = BlobTransfers.OneOfMany }, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Another upload cached it first; whoever stored it hashed it the same way.
            return;
        }

        if (content.Sha1() != file.Sha1)
        {
            await blob.DeleteIfExistsAsync(conditions: new BlobRequestConditions { IfMatch = stored.Value.ETag }, cancellationToken: CancellationToken.None);
            throw new InvalidOperationException($"A resource cached as {file.Sha1} did not hash to its name; it was removed.");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Resource cache blob {Sha1} does not hash to its name; removed so that clients upload it again")]
    private partial void LogDamagedResource(string sha1);

    [LoggerMessage(Level = LogLevel.Information, Message = "Package {PackageGuid} stored: {Size} bytes, {Fingerprints} cached files reused")]
    private partial void LogPackaged(Guid packageGuid, long size, int fingerprints);
}
