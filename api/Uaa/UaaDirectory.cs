using CloudController.Api.Auth;
using CloudController.GrainInterfaces.Indexes;
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

        var page = await grains.GetGrain<IResourceIndexGrain>(IndexKeys.UaaUsers(userName))
            .QueryAsync(new IndexQuery([userName.ToLowerInvariant()], [], [], IndexOrder.Id, false, 1, 1));
        return page.Entries.IsEmpty ? null : await grains.GetGrain<IUaaUserGrain>(page.Entries[0].Guid).CredentialsAsync();
    }

    /// <summary>The token subject for a UAA user's name and password, or null (unknown name or wrong password alike).</summary>
    public async Task<TokenSubject?> PasswordSubjectAsync(string clientId, string userName, string password)
    {
        if (await FindByNameAsync(userName) is not { } credentials)
        {
            return null;
        }

        var verified = Hasher.VerifyHashedPassword(credentials.User.UserName, credentials.PasswordHash, password);
        return verified == PasswordVerificationResult.Failed ? null : SubjectOf(credentials.User, clientId, "password");
    }

    /// <summary>The id and name of a user named in a request: a configured user (its derived id) or a UAA user; null when neither.</summary>
    public async Task<(Guid Id, string Name)?> IdentityByNameAsync(string userName)
    {
        if (options.Value.Users.ContainsKey(userName))
        {
            return (Guid.Parse(TokenService.UserIdOf(userName)), userName);
        }

        return await FindByNameAsync(userName) is { } found ? (found.User.Id, found.User.UserName) : null;
    }

    /// <summary>The name a user id goes by, when configuration or UAA knows it.</summary>
    public async Task<string?> NameOfAsync(Guid id) =>
        options.Value.Users.Keys.FirstOrDefault(name => TokenService.UserIdOf(name) == id.ToString("D"))
        ?? (await grains.GetGrain<IUaaUserGrain>(id).FindAsync())?.UserName;

    public static TokenSubject SubjectOf(UaaUserSnapshot user, string clientId, string grant) =>
        new(user.UserName, clientId, grant, [.. user.Scopes]) { UserId = user.Id.ToString("D"), Origin = user.Origin };
}
