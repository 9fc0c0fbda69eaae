using CloudController.GrainInterfaces.Bits;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Packages;

namespace CloudController.Grains.Packages;

/// <summary>The v3 package state machine (spec 4.3). Pure: no I/O, no clock, no Orleans.</summary>
internal static class PackageTransitions
{
    /// <summary>READY packages an app keeps; older ones expire (<c>packages.max_valid_packages_stored</c>).</summary>
    public const int MaxValidPackages = 5;

    public static PackageSnapshot Create(Guid guid, Guid appGuid, PackageType type, string? url, DateTimeOffset now) =>
        new(guid, appGuid, type, type == PackageType.Docker ? PackageState.Ready : PackageState.AwaitingUpload,
            type == PackageType.Docker ? url : null, null, null, now, null);

    public static PackageSnapshot Copy(Guid guid, Guid appGuid, PackageSnapshot source, DateTimeOffset now) =>
        source.Type == PackageType.Docker
            ? Create(guid, appGuid, PackageType.Docker, source.Url, now)
            : new(guid, appGuid, PackageType.Bits, PackageState.Copying, null, null, null, now, null);

    /// <summary>Bits stored by a v2 upload or copy, recorded READY as they are.</summary>
    public static PackageSnapshot Adopted(Guid guid, Guid appGuid, PackageInfo bits, DateTimeOffset now) =>
        new(guid, appGuid, PackageType.Bits, PackageState.Ready, null, bits, null, now, null);

    public static PackageSnapshot BeginUpload(PackageSnapshot current, DateTimeOffset now) => current switch
    {
        { Type: PackageType.Docker } => throw CloudControllerException.Unprocessable("Package type must be bits."),
        { State: PackageState.AwaitingUpload } => current with { State = PackageState.ProcessingUpload, UpdatedAt = now },
        _ => throw new CloudControllerException(CfErrorCode.PackageBitsAlreadyUploaded,
            "Bits may be uploaded only once. Create a new package to upload different bits."),
    };

    public static PackageSnapshot Complete(PackageSnapshot current, PackageInfo bits, DateTimeOffset now) =>
        current.State is PackageState.ProcessingUpload or PackageState.Copying
            ? current with { State = PackageState.Ready, Bits = bits, UpdatedAt = now }
            : current;

    public static PackageSnapshot Fail(PackageSnapshot current, string error, DateTimeOffset now) =>
        current.State is PackageState.ProcessingUpload or PackageState.Copying
            ? current with { State = PackageState.Failed, Error = error, UpdatedAt = now }
            : current;

    public static PackageSnapshot Expire(PackageSnapshot current, DateTimeOffset now) =>
        current.State == PackageState.Ready && current.Type == PackageType.Bits
            ? current with { State = PackageState.Expired, Bits = null, UpdatedAt = now }
            : current;

    /// <summary>Of an app's READY bits packages (newest first by creation), those beyond the newest five.</summary>
    public static IEnumerable<Guid> ToExpire(IEnumerable<PackageSnapshot> packages) =>
        packages.Where(p => p is { State: PackageState.Ready, Type: PackageType.Bits })
            .OrderByDescending(p => p.CreatedAt).ThenByDescending(p => p.Guid)
            .Skip(MaxValidPackages)
            .Select(p => p.Guid);
}
