namespace CloudController.GrainInterfaces.Jobs;

/// <summary>What a job does. Exactly one kind: an uploaded app's bits to package, or another app's package to copy.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Jobs.JobWork")]
public sealed record JobWork(JobKind Kind, Guid AppGuid, Guid? UploadId, bool HasApplication, Guid? SourceAppGuid)
{
    public static JobWork Upload(Guid appGuid, Guid uploadId, bool hasApplication) => new(JobKind.UploadBits, appGuid, uploadId, hasApplication, null);

    public static JobWork CopyBits(Guid destinationAppGuid, Guid sourceAppGuid) => new(JobKind.CopyBits, destinationAppGuid, null, false, sourceAppGuid);
}

/// <summary>The kinds of v2 jobs.</summary>
public enum JobKind { UploadBits, CopyBits }
