using CloudController.GrainInterfaces.Events;

namespace CloudController.GrainInterfaces.Jobs;

/// <summary>
/// What a job does: an uploaded app's bits to package, another app's package to copy, or a resource to delete with
/// everything in it (<see cref="Target"/>). <see cref="Owner"/> is the user (or client) id that started it: only it, and
/// admins, read the job. A deletion carries its request's <see cref="Actor"/> and <see cref="RequestJson"/>, so the
/// audit events it causes name who asked.
/// </summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Jobs.JobWork")]
public sealed record JobWork(JobKind Kind, Guid AppGuid, Guid? UploadId, bool HasApplication, Guid? SourceAppGuid, string? Owner = null)
{
    /// <summary>The resource a deletion removes.</summary>
    [Id(6)] public Guid? Target { get; init; }

    [Id(7)] public AuditActor? Actor { get; init; }

    [Id(8)] public string? RequestJson { get; init; }

    /// <summary>What an <c>apply_manifest</c> job changes.</summary>
    [Id(9)] public Manifests.ManifestPlan? Manifest { get; init; }

    /// <summary>The job's v3 <c>operation</c>.</summary>
    public string Operation => Kind switch
    {
        JobKind.UploadBits => "app.upload_bits",
        JobKind.CopyBits => "app.copy_bits",
        JobKind.DeleteOrganization => "organization.delete",
        JobKind.DeleteSpace => "space.delete",
        JobKind.DeleteDomain => "domain.delete",
        JobKind.DeleteApp => "app.delete",
        JobKind.DeleteRoute => "route.delete",
        JobKind.DeleteUnmappedRoutes => "space.delete_unmapped_routes",
        JobKind.DeleteUser => "user.delete",
        JobKind.DeleteRole => "role.delete",
        JobKind.DeleteOrganizationQuota => "organization_quota.delete",
        JobKind.ApplyManifest => "space.apply_manifest",
        JobKind.UploadBuildpack => "buildpack.upload",
        JobKind.UploadDroplet => "droplet.upload",
        _ => Kind.ToString(),
    };

    public static JobWork Upload(Guid appGuid, Guid uploadId, bool hasApplication, string owner) =>
        new(JobKind.UploadBits, appGuid, uploadId, hasApplication, null, owner);

    public static JobWork CopyBits(Guid destinationAppGuid, Guid sourceAppGuid, string owner) =>
        new(JobKind.CopyBits, destinationAppGuid, null, false, sourceAppGuid, owner);

    /// <summary>Stores the zip of upload <paramref name="uploadId"/> as the bits of buildpack <paramref name="buildpack"/>.</summary>
    public static JobWork UploadBuildpack(Guid buildpack, Guid uploadId, string owner) =>
        new(JobKind.UploadBuildpack, Guid.Empty, uploadId, true, null, owner) { Target = buildpack };

    /// <summary>Stores the archive of upload <paramref name="uploadId"/> as the bits of droplet <paramref name="droplet"/>.</summary>
    public static JobWork UploadDroplet(Guid droplet, Guid uploadId, string owner) =>
        new(JobKind.UploadDroplet, Guid.Empty, uploadId, true, null, owner) { Target = droplet };

    /// <summary>Applies a resolved manifest to the apps of <see cref="Manifests.ManifestPlan.SpaceGuid"/>.</summary>
    public static JobWork ApplyManifest(Manifests.ManifestPlan plan, string owner, AuditActor actor, string? requestJson) =>
        new(JobKind.ApplyManifest, Guid.Empty, null, false, null, owner) { Target = plan.SpaceGuid, Actor = actor, RequestJson = requestJson, Manifest = plan };

    /// <summary>Deletes <paramref name="target"/> (of the kind <paramref name="kind"/> names) and everything in it.</summary>
    public static JobWork Delete(JobKind kind, Guid target, string owner, AuditActor actor, string? requestJson) =>
        new(kind, Guid.Empty, null, false, null, owner) { Target = target, Actor = actor, RequestJson = requestJson };
}

/// <summary>The kinds of jobs. Stored by name: add new ones, never rename.</summary>
public enum JobKind
{
    UploadBits, CopyBits, DeleteOrganization, DeleteSpace, DeleteDomain, DeleteApp, DeleteRoute, DeleteUnmappedRoutes, DeleteUser, DeleteRole,
    DeleteOrganizationQuota, ApplyManifest, UploadBuildpack, UploadDroplet,
}

/// <summary>What a job's work produced: the package a bits job stored (nothing for a deletion).</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Jobs.JobResult")]
public sealed record JobResult([property: Id(0)] Bits.PackageInfo? Package);
