using CloudController.GrainInterfaces.Bits;
using CloudController.GrainInterfaces.Buildpacks;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Jobs;
using CloudController.Storage;

namespace CloudController.Grains.Buildpacks;

/// <summary>
/// A buildpack upload's work (its job's, for cf v6's <c>PUT /v2/buildpacks/:guid/bits</c> and cf v7's
/// <c>POST /v3/buildpacks/:guid/upload</c>): the uploaded file must be a zip; it becomes the blob named by the
/// buildpack's guid in the <c>buildpacks</c> container, and only then does the buildpack record its filename.
/// </summary>
public static class BuildpackBits
{
    public static async Task<JobResult> StoreAsync(BitsContainers containers, IGrainFactory grains, Guid buildpack, Guid uploadId, CancellationToken cancellationToken)
    {
        var grain = grains.GetGrain<IBuildpackGrain>(buildpack);
        var snapshot = await grain.GetAsync();
        var uploads = await containers.GetAsync(BlobContainers.Uploads);
        var uploaded = uploads.GetBlobClient(BitsBlobNames.UploadedZip(uploadId));
        try
        {
            if (!(await uploaded.ExistsAsync(cancellationToken)).Value)
            {
                throw new CloudControllerException(CfErrorCode.BuildpackBitsUploadInvalid, "The buildpack upload is invalid: a file must be provided");
            }

            await using (var zip = await uploaded.OpenReadAsync(cancellationToken: cancellationToken))
            {
                var magic = new byte[4];
                if (await zip.ReadAtLeastAsync(magic, 4, throwOnEndOfStream: false, cancellationToken) < 4 || magic[0] != 'P' || magic[1] != 'K')
                {
                    throw new CloudControllerException(CfErrorCode.BuildpackBitsUploadInvalid, "The buildpack upload is invalid: only zip files allowed");
                }
            }

            var stored = (await containers.GetAsync(BlobContainers.Buildpacks)).GetBlobClient(buildpack.ToString("D"));
            await using (var zip = await uploaded.OpenReadAsync(cancellationToken: cancellationToken))
            {
                await stored.UploadAsync(zip, overwrite: true, cancellationToken);
            }

            await grain.BitsUploadedAsync($"{snapshot.Name}.zip");
            return new JobResult(null);
        }
        finally
        {
            await uploaded.DeleteIfExistsAsync(cancellationToken: CancellationToken.None);
            await uploads.GetBlobClient(BitsBlobNames.UploadedResources(uploadId)).DeleteIfExistsAsync(cancellationToken: CancellationToken.None);
        }
    }
}
