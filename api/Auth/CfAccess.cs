namespace CloudController.Api.Auth;

/// <summary>What a route requires of the caller (judged by <see cref="CfAccessHandler"/>). Without metadata: GET/HEAD need <see cref="Read"/>, others <see cref="Write"/>.</summary>
internal enum CfAccess
{
    /// <summary>No token needed (info, root, token endpoints).</summary>
    Anonymous,

    /// <summary>cloud_controller.read, .admin_read_only or .admin.</summary>
    Read,

    /// <summary>cloud_controller.write or .admin.</summary>
    Write,

    /// <summary>cloud_controller.admin (platform-wide writes: orgs, buildpacks).</summary>
    Admin,

    /// <summary>Admins and platform-wide readers (admin_read_only, global_auditor): the list of every user.</summary>
    PlatformRead,

    /// <summary>UAA's scim.read or uaa.admin; refusals in UAA's error shape.</summary>
    ScimRead,

    /// <summary>UAA's scim.write or uaa.admin; refusals in UAA's error shape.</summary>
    ScimWrite,

    /// <summary>Any valid token, the route checking the rest (a user changing its own password); refusals in UAA's error shape.</summary>
    UaaSelf,
}

internal sealed record CfAccessMetadata(CfAccess Access);

internal static class CfAccessExtensions
{
    /// <summary>Declares what the route requires; an anonymous route is also exempt from the authorization policy.</summary>
    public static TBuilder RequireCf<TBuilder>(this TBuilder builder, CfAccess access)
        where TBuilder : IEndpointConventionBuilder =>
        access == CfAccess.Anonymous
            ? builder.WithMetadata(new CfAccessMetadata(access)).AllowAnonymous()
            : builder.WithMetadata(new CfAccessMetadata(access));

    /// <summary>The authenticated caller (set by <see cref="CfBearerEvents"/>); null on anonymous routes without a valid token.</summary>
    public static CfUser? CfUser(this HttpContext http) => http.Features.Get<CfUser>();
}
