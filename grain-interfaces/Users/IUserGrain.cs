namespace CloudController.GrainInterfaces.Users;

/// <summary>A Cloud Controller user (key: the UAA user id).</summary>
[Alias("CloudController.GrainInterfaces.Users.IUserGrain")]
public interface IUserGrain : IGrainWithGuidKey
{
    /// <summary>Records the user; raises UaaIdTaken when it exists. <paramref name="userName"/> is UAA's, when known.</summary>
    [Alias("CreateAsync")]
    Task<UserSnapshot> CreateAsync(string? userName, Guid? defaultSpaceGuid);

    /// <summary>The user; raises UserNotFound.</summary>
    [Alias("GetAsync")]
    Task<UserSnapshot> GetAsync();

    [Alias("FindAsync")]
    Task<UserSnapshot?> FindAsync();

    /// <summary>Removes the user; raises UserNotFound.</summary>
    [Alias("DeleteAsync")]
    Task DeleteAsync();
}
