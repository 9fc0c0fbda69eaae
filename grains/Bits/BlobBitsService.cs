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
    private BitsOptions Options => options.Value;

    public Task<PackageInfo> BuildPackageAsync(Guid uploadId, bool hasApplication, Guid packageGuid, CancellationToken cancellationToken) =>
        gate.RunAsync(() => BuildPackageNowAsync(uploadId, hasApplication, packageGuid, cancellationToken), cancellationToken);

    private async Task<PackageInfo> BuildPackageNowAsync(Guid uploadId, bool hasApplication, Guid packageGuid, CancellationToken cancellationToken)
    {
        var uploads = await containers.GetAsync(BlobContainers.Uploads);
        var resources = await containers.GetAsync(BlobContainers.Resources);
        var packages = await containers.GetAsync(BlobContainers.Packages);
        var work = Directory.CreateDirectory(Path.Combine(Options.WorkDirectory ?? Path.GetTempPath(), "cc-bits")).FullName;
        var zipPath = Path.Combine(work, $"{uploadId:N}.upload.zip");
        var packagePath = Path.Combine(work, $"{packageGuid:N}.package.zip");
        try
        {
            var fingerprints = Fingerprint.ParseAll((await uploads.GetBlobClient(BitsBlobNames.UploadedResources(uploadId))
                .DownloadContentAsync(cancellationToken)).Value.Content.ToMemory().Span);
            if (hasApplication)
            {
                await uploads.GetBlobClient(BitsBlobNames.UploadedZip(uploadId)).DownloadToAsync(zipPath, cancellationToken);
            }

            // Zipping is CPU and file work: keep it off the grain scheduler.
            var (cacheable, sha1, size) = await Task.Run(() => Build(hasApplication ? zipPath : null, fingerprints, resources, packagePath), cancellationToken);
            await packages.GetBlobClient(BitsBlobNames.Package(packageGuid)).UploadAsync(packagePath, overwrite: true, cancellationToken);
            await CacheAsync(resources, zipPath, cacheable, cancellationToken);
            LogPackaged(packageGuid, size, fingerprints.Count);
            return new PackageInfo(packageGuid, sha1, size);
        }
        finally
        {
            File.Delete(zipPath);
            File.Delete(packagePath);
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
        string? zipPath, IReadOnlyList<Fingerprint> fingerprints, BlobContainerClient resources, string packagePath)
    {
        IReadOnlyList<CacheableFile> cacheable;
        using (var output = File.Create(packagePath))
        {
            cacheable = new PackageBuilder(Options).Build(zipPath, fingerprints, sha1 => OpenCached(resources, sha1), output);
        }

        using var package = File.OpenRead(packagePath);
        return (cacheable, PackageBuilder.Sha1Of(package), package.Length);
    }

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

    /// <summary>Adds eligible uploaded files to the resource cache; a file already there is left as it is.</summary>
    private static async Task CacheAsync(BlobContainerClient resources, string zipPath, IReadOnlyList<CacheableFile> files, CancellationToken cancellationToken)
    {
        if (files.Count == 0)
        {
            return;
        }

        using var zip = ZipFile.OpenRead(zipPath);
        foreach (var file in files.DistinctBy(f => f.Sha1))
        {
            var blob = resources.GetBlobClient(BitsBlobNames.Resource(file.Sha1));
            if (await blob.ExistsAsync(cancellationToken))
            {
                continue;
            }

            try
            {
                await using var content = zip.GetEntry(file.EntryName)!.Open();
                await blob.UploadAsync(content, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Another upload cached the same content first: same sha1, same bytes.
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Package {PackageGuid} stored: {Size} bytes, {Fingerprints} cached files reused")]
    private partial void LogPackaged(Guid packageGuid, long size, int fingerprints);
}
