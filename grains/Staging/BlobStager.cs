using CloudController.Grains.Bits;
using System.IO.Compression;
using System.Text.Json;
using Azure;
using CloudController.GrainInterfaces.Bits;
using CloudController.GrainInterfaces.Droplets;
using CloudController.Storage;
using Microsoft.Extensions.Options;

namespace CloudController.Grains.Staging;

/// <summary>
/// The built-in stager: reads the package, detects the buildpack, and stores a droplet zip holding the app's files
/// under <c>app/</c> and <c>staging_info.yml</c> (buildpack and start command), as CF droplets do.
/// </summary>
public sealed class BlobStager(BitsContainers containers, BitsWorkGate gate, IOptions<BitsOptions> options) : IStager
{
    public const string NoAppDetected = "An app was not successfully detected by any available buildpack";

    public Task<StagingOutcome> StageAsync(StagingRequest request, Guid dropletGuid, CancellationToken cancellationToken) =>
        gate.RunAsync(request.AppGuid, () => StageNowAsync(request, dropletGuid, cancellationToken), cancellationToken);

    private async Task<StagingOutcome> StageNowAsync(StagingRequest request, Guid dropletGuid, CancellationToken cancellationToken)
    {
        var packages = await containers.GetAsync(BlobContainers.Packages);
        var droplets = await containers.GetAsync(BlobContainers.Droplets);
        var work = Directory.CreateDirectory(Path.Combine(options.Value.WorkDirectory ?? Path.GetTempPath(), "cc-staging")).FullName;
        // Files of this run only: two activations of one droplet can briefly overlap during a failover.
        var run = Guid.NewGuid().ToString("N");
        var packagePath = Path.Combine(work, $"{dropletGuid:N}.{run}.package.zip");
        var dropletPath = Path.Combine(work, $"{dropletGuid:N}.{run}.droplet.zip");
        try
        {
            try
            {
                await packages.GetBlobClient(BitsBlobNames.Package(request.Package.PackageGuid)).DownloadToAsync(packagePath, BlobTransfers.DownloadTo(BlobTransfers.Bounded), cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                throw new StagingFailedException(StagingFailureReasons.StagingError, "Staging error: the app package is gone");
            }

            var outcome = await Task.Run(() => Build(packagePath, dropletPath, request.Buildpack), cancellationToken);
            await droplets.GetBlobClient(BitsBlobNames.Droplet(dropletGuid)).UploadAsync(dropletPath, BlobTransfers.Overwrite(BlobTransfers.Bounded), cancellationToken);
            return outcome with { Droplet = outcome.Droplet with { PackageGuid = dropletGuid } };
        }
        finally
        {
            File.Delete(packagePath);
            File.Delete(dropletPath);
        }
    }

    /// <summary>The Procfile is read into memory, so it is bounded: larger ones fail the staging.</summary>
    public const int MaxProcfileBytes = 64 * 1024;

    /// <summary>Process types one droplet may declare (each becomes a process the app keeps and the runtime runs).</summary>
    public const int MaxProcessTypes = 50;

    private static string? ReadProcfile(ZipArchiveEntry? entry)
    {
        if (entry is null)
        {
            return null;
        }

        if (entry.Length > MaxProcfileBytes)
        {
            throw new StagingFailedException(StagingFailureReasons.StagingError, $"Staging error: the Procfile is larger than {MaxProcfileBytes} bytes");
        }

        using var reader = new StreamReader(entry.Open());
        var buffer = new char[MaxProcfileBytes + 1];
        var read = reader.ReadBlock(buffer, 0, buffer.Length);
        return read > MaxProcfileBytes
            ? throw new StagingFailedException(StagingFailureReasons.StagingError, $"Staging error: the Procfile is larger than {MaxProcfileBytes} bytes")
            : new string(buffer, 0, read);
    }

    private static StagingOutcome Build(string packagePath, string dropletPath, string? buildpack)
    {
        try
        {
            using var package = ZipFile.OpenRead(packagePath);
            var procfile = ReadProcfile(package.GetEntry("Procfile"));
            var detected = BuildpackDetector.Detect([.. package.Entries.Select(e => e.FullName)], buildpack, procfile)
                ?? throw new StagingFailedException(StagingFailureReasons.NoAppDetectedError, NoAppDetected);
            if (detected.ProcessTypes.Count > MaxProcessTypes)
            {
                throw new StagingFailedException(StagingFailureReasons.StagingError,
                    $"Staging error: the Procfile declares {detected.ProcessTypes.Count} process types; at most {MaxProcessTypes} are allowed");
            }
            using (var droplet = new ZipArchive(File.Create(dropletPath), ZipArchiveMode.Create))
            {
                foreach (var file in package.Entries)
                {
                    var copy = droplet.CreateEntry($"app/{file.FullName}", CompressionLevel.Fastest);
                    copy.ExternalAttributes = file.ExternalAttributes;
                    copy.LastWriteTime = file.LastWriteTime;
                    using var from = file.Open();
                    using var to = copy.Open();
                    from.CopyTo(to);
                }

                using var info = droplet.CreateEntry("staging_info.yml").Open();
                JsonSerializer.Serialize(info, new Dictionary<string, string>
                {
                    ["detected_buildpack"] = detected.Buildpack,
                    ["start_command"] = detected.StartCommand,
                });
            }

            using var stored = File.OpenRead(dropletPath);
            return new StagingOutcome(detected.Buildpack, detected.StartCommand, new PackageInfo(Guid.Empty, PackageBuilder.Sha1Of(stored), stored.Length), detected.ProcessTypes);
        }
        catch (InvalidDataException)
        {
            throw new StagingFailedException(StagingFailureReasons.StagingError, "Staging error: staging failed");
        }
    }
}
