namespace CloudController.GrainInterfaces.Users;

/// <summary>A Cloud Controller user: the CC's record of a UAA identity (same guid), as <c>/v2/users</c> shows it.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Users.UserSnapshot")]
public sealed record UserSnapshot(Guid Guid, string? UserName, bool Admin, bool Active, Guid? DefaultSpaceGuid, DateTimeOffset CreatedAt, DateTimeOffset? UpdatedAt);
