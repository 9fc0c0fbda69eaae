namespace CloudController.GrainInterfaces.Uaa;

/// <summary>One UAA user (key: its id). The user name is unique, case-insensitively, through its name index.</summary>
[Alias("CloudController.GrainInterfaces.Uaa.IUaaUserGrain")]
public interface IUaaUserGrain : Indexes.IIndexedGrain
{
    /// <summary>Stores the user; answers null when the name is taken (nothing is stored then).</summary>
    [Alias("CreateAsync")]
    Task<UaaUserSnapshot?> CreateAsync(CreateUaaUser command);

    [Alias("FindAsync")]
    Task<UaaUserSnapshot?> FindAsync();

    /// <summary>The user with its password hash, for the password grant.</summary>
    [Alias("CredentialsAsync")]
    Task<UaaCredentials?> CredentialsAsync();

    /// <summary>Replaces the password (already hashed) and ends every refresh token issued before; answers false for an unknown user.</summary>
    [Alias("ChangePasswordAsync")]
    Task<bool> ChangePasswordAsync(string passwordHash);

    /// <summary>Removes the user and frees the name; answers the removed user, or null when there was none.</summary>
    [Alias("DeleteAsync")]
    Task<UaaUserSnapshot?> DeleteAsync();
}
