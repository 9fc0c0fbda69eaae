namespace CloudController.GrainInterfaces.Jobs;

/// <summary>
/// What a job does. Exactly one kind: an uploaded app's bits to package, or another app's package to copy.
/// <see cref="Owner"/> is the user (or client) id that started it: only it, and admins, read the job.
/// </summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Jobs.JobWork")]
public sealed record JobWork(JobKind Kind, Guid AppGuid, Guid? UploadId, bool HasApplication, Guid? SourceAppGuid, string? Owner = null)
{
    public static JobWork Upload(Guid appGuid, Guid uploadId, bool hasApplication, string owner) =>
        new(JobKind.UploadBits, appGuid, uploadId, hasApplication, null, owner);

    public static JobWork CopyBits(Guid destinationAppGuid, Guid sourceAppGuid, string owner) =>
        new(JobKind.CopyBits, destinationAppGuid, null, false, sourceAppGuid, owner);
}

/// <summary>The kinds of v2 jobs.</summary>
public enum JobKind { UploadBits, CopyBits }
