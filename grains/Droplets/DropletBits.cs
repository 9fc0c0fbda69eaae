using CloudController.GrainInterfaces.Bits;
using CloudController.GrainInterfaces.Droplets;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Jobs;
using CloudController.Grains.Bits;
using CloudController.Storage;

namespace CloudController.Grains.Droplets;

/// <summary>
/// A droplet upload's work (the job of <c>POST /v3/droplets/:guid/upload</c>, which cf v7's <c>push --droplet</c>
/// sends): the uploaded tarball becomes the droplet's blob, as a zip (<see cref="DropletArchive"/>), and the droplet
/// is then STAGED with what its <c>staging_info.yml</c> says; an upload that is not a droplet leaves it FAILED and
/// fails the job with the reason. A transient storage failure keeps the upload for the job's next attempt.
/// </summary>
public static class DropletBits
{
    /// <summary>Stores the upload as the droplet's blob, converting it in a folder under <paramref name="workRoot"/> (the system temp folder when null).</summary>
    public static async Task<JobResult> StoreAsync(
        BitsContainers containers, IBitsService bits, IGrainFactory grains, Guid droplet, Guid uploadId, string? workRoot, CancellationToken cancellationToken)
    {
        var grain = grains.GetGrain<IDropletGrain>(droplet);
        if (await grain.FindAsync() is not { State: DropletState.ProcessingUpload })
        {
            // Done by an earlier attempt, or the droplet was deleted meanwhile.
            await bits.DeleteUploadAsync(uploadId, CancellationToken.None);
            return new JobResult(null);
        }

        var work = Path.Combine(workRoot ?? Path.GetTempPath(), $"cc-droplet-{uploadId:N}");
        Directory.CreateDirectory(work);
        try
        {
            var outcome = await ProcessAsync(containers, droplet, uploadId, work, cancellationToken);
            try
            {
                await grain.UploadProcessedAsync(outcome);
            }
            catch (CloudControllerException ex) when (ex.Code == CfErrorCode.ResourceNotFound)
            {
                // Deleted while its bits were processed: what this job stored goes too.
                await bits.DeleteDropletAsync(droplet, CancellationToken.None);
                await bits.DeleteUploadAsync(uploadId, CancellationToken.None);
                throw;
            }

            await bits.DeleteUploadAsync(uploadId, CancellationToken.None);
            return outcome.Error is { } error ? throw CloudControllerException.Unprocessable(error) : new JobResult(null);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<UploadedDroplet> ProcessAsync(BitsContainers containers, Guid droplet, Guid uploadId, string work, CancellationToken cancellationToken)
    {
        var uploads = await containers.GetAsync(BlobContainers.Uploads);
        var uploaded = Path.Combine(work, "upload");
        var zip = Path.Combine(work, "droplet.zip");
        try
        {
            await uploads.GetBlobClient(BitsBlobNames.UploadedZip(uploadId)).DownloadToAsync(uploaded, cancellationToken);
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            return UploadedDroplet.Invalid("The droplet upload is invalid: a file must be provided");
        }

        DropletArchive.StagingInfo info;
        try
        {
            info = DropletArchive.ToZip(uploaded, zip);
        }
        catch (InvalidDataException ex)
        {
            return UploadedDroplet.Invalid($"The droplet upload is invalid: {ex.Message}");
        }

        var blob = (await containers.GetAsync(BlobContainers.Droplets)).GetBlobClient(BitsBlobNames.Droplet(droplet));
        await blob.UploadAsync(zip, BlobTransfers.Overwrite(BlobTransfers.Bounded), cancellationToken);
        await using var stored = File.OpenRead(zip);
        return new UploadedDroplet(new PackageInfo(droplet, PackageBuilder.Sha1Of(stored), stored.Length), info.StartCommand, info.Buildpack, null);
    }
}
