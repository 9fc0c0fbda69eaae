using CloudController.Api.Paging;
using CloudController.Api.Auth;
using CloudController.GrainInterfaces.Uaa;
using Microsoft.AspNetCore.Identity;

namespace CloudController.Api.Uaa;

/// <summary>
/// The UAA users kept in grains (those from configuration stay in <see cref="UaaOptions.Users"/>). Passwords are
/// hashed here with ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/> (PBKDF2, salted, iterated); only the
/// hash goes to the grain, and nothing here logs either.
/// </summary>
internal sealed class UaaDirectory(IGrainFactory grains, Microsoft.Extensions.Options.IOptions<UaaOptions> options)
{
    /// <summary>What a user created through SCIM may do, as UAA's default groups give.</summary>
    public static readonly string[] DefaultScopes = [Scopes.Read, Scopes.Write, "openid"];

    private static readonly PasswordHasher<string> Hasher = new();

    public static string Hash(string userName, string password) => Hasher.HashPassword(userName, password);

    public async Task<UaaCredentials?> FindByNameAsync(string userName)
    {
        if (userName.Length == 0)
        {
            return null;
        }

        return await grains.Lists().FindUaaUserAsync(userName) is { } id ? await grains.GetGrain<IUaaUserGrain>(id).CredentialsAsync() : null;
    }

    /// <summary>
    /// The token subject for a UAA user's name and password, or null (unknown name or wrong password alike). An unknown
    /// name costs the same hashing as a wrong password, so the time taken tells nothing about which names exist.
    /// </summary>
    public async Task<TokenSubject?> PasswordSubjectAsync(string clientId, string userName, string password)
    {
        if (await FindByNameAsync(userName) is not { } credentials)
        {
            Hasher.VerifyHashedPassword(userName, Decoy, password);
            return null;
        }

        var verified = Hasher.VerifyHashedPassword(credentials.User.UserName, credentials.PasswordHash, password);
        return verified == PasswordVerificationResult.Failed ? null : SubjectOf(credentials, clientId, "password");
    }

    /// <summary>A hash no password matches, verified for unknown names.</summary>
    private static readonly string Decoy = Hasher.HashPassword("decoy", Guid.NewGuid().ToString("N"));

    /// <summary>The token subject a refresh token still grants: its user by id, unless deleted or its password changed since.</summary>
    public async Task<TokenSubject?> RefreshSubjectAsync(RefreshClaims claims)
    {
        if (options.Value.Users.FirstOrDefault(u => TokenService.UserIdOf(u.Key) == claims.UserId) is { Key: not null } configured)
        {
            return new TokenSubject(configured.Key, claims.ClientId, "refresh_token", configured.Value.Scopes);
        }

        return Guid.TryParse(claims.UserId, out var id) && await grains.GetGrain<IUaaUserGrain>(id).CredentialsAsync() is { } credentials
            && credentials.TokenGeneration == claims.Generation
            ? SubjectOf(credentials, claims.ClientId, "refresh_token")
            : null;
    }

    /// <summary>
    /// What a name's failed logins count against: the user it resolves to (so every spelling of one user shares one
    /// count), or the name itself, lower-cased, for a name nobody has.
    /// </summary>
    public async Task<string> LockoutKeyAsync(string userName) =>
        await IdentityByNameAsync(userName) is { } identity ? $"user:{identity.Id:D}" : $"name:{userName.ToLowerInvariant()}";

    /// <summary>Sets a UAA user's password; its earlier refresh tokens stop working. False for an unknown user.</summary>
    public Task<bool> ChangePasswordAsync(Guid id, string userName, string password) =>
        grains.GetGrain<IUaaUserGrain>(id).ChangePasswordAsync(Hash(userName, password));

    /// <summary>Whether <paramref name="password"/> is the UAA user's current one.</summary>
    public static bool Verifies(UaaCredentials credentials, string password) =>
        Hasher.VerifyHashedPassword(credentials.User.UserName, credentials.PasswordHash, password) != PasswordVerificationResult.Failed;

    /// <summary>The id and name of a user named in a request: a configured user (its derived id) or a UAA user; null when neither.</summary>
    public async Task<(Guid Id, string Name)?> IdentityByNameAsync(string userName)
    {
        if (options.Value.Users.Keys.FirstOrDefault(name => string.Equals(name, userName, StringComparison.OrdinalIgnoreCase)) is { } configured)
        {
            return (Guid.Parse(TokenService.UserIdOf(configured)), configured);
        }

        return await FindByNameAsync(userName) is { } found ? (found.User.Id, found.User.UserName) : null;
    }

    /// <summary>The name a user id goes by, when configuration or UAA knows it.</summary>
    public async Task<string?> NameOfAsync(Guid id) =>
        options.Value.Users.Keys.FirstOrDefault(name => TokenService.UserIdOf(name) == id.ToString("D"))
        ?? (await grains.GetGrain<IUaaUserGrain>(id).FindAsync())?.UserName;

    public static TokenSubject SubjectOf(UaaCredentials credentials, string clientId, string grant) =>
        new(credentials.User.UserName, clientId, grant, [.. credentials.User.Scopes])
        {
            UserId = credentials.User.Id.ToString("D"),
            Origin = credentials.User.Origin,
            Generation = credentials.TokenGeneration,
        };
}
