using CloudController.GrainInterfaces.Access;

namespace CloudController.Api.Auth;

/// <summary>The caller a valid token names.</summary>
internal sealed record CfUser(string UserId, string? UserName, string ClientId, IReadOnlySet<string> Scopes)
{
    public bool IsAdmin => Scopes.Contains(Auth.Scopes.Admin);

    public bool CanRead => IsAdmin || Scopes.Contains(Auth.Scopes.Read) || Privilege != ReadPrivilege.None;

    public bool CanWrite => IsAdmin || Scopes.Contains(Auth.Scopes.Write);

    /// <summary>Platform-wide reading without roles: admin_read_only (everything) or global_auditor (everything but secrets).</summary>
    public ReadPrivilege Privilege =>
        Scopes.Contains(Auth.Scopes.AdminReadOnly) ? ReadPrivilege.AdminReadOnly
        : Scopes.Contains(Auth.Scopes.GlobalAuditor) ? ReadPrivilege.GlobalAuditor
        : ReadPrivilege.None;

    /// <summary>Admins and platform-wide readers see every resource in lists, without a role.</summary>
    public bool SeesEverything => IsAdmin || Privilege != ReadPrivilege.None;
}
