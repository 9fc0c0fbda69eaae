namespace CloudController.Api.Auth;

/// <summary>The caller a valid token names.</summary>
internal sealed record CfUser(string UserId, string? UserName, string ClientId, IReadOnlySet<string> Scopes)
{
    public bool IsAdmin => Scopes.Contains(Auth.Scopes.Admin);

    public bool CanRead => IsAdmin || Scopes.Contains(Auth.Scopes.Read) || Scopes.Contains(Auth.Scopes.AdminReadOnly);

    public bool CanWrite => IsAdmin || Scopes.Contains(Auth.Scopes.Write);
}
