using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Indexes;
using CloudController.GrainInterfaces.Users;
using CloudController.Grains.Indexes;
using CloudController.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace CloudController.Grains.Users;

/// <summary>A Cloud Controller user record; listed through its guid's catalog partition (its guid is its uniqueness).</summary>
[GrainType("user")]
public sealed partial class UserGrain(
    [PersistentState(StorageNames.State, StorageNames.CloudController)] IPersistentState<UserGrainState> state,
    TimeProvider clock,
    ILogger<UserGrain> logger) : Grain, IUserGrain
{
    private Guid Guid => this.GetPrimaryKey();

    private UserSnapshot Current => state.RecordExists && state.State.User is { } user
        ? user
        : throw new CloudControllerException(CfErrorCode.UserNotFound, $"The user could not be found: {Guid}");

    public async Task<UserSnapshot> CreateAsync(string? userName, Guid? defaultSpaceGuid)
    {
        if (state.RecordExists)
        {
            throw Taken();
        }

        var user = new UserSnapshot(Guid, userName, Admin: false, Active: false, defaultSpaceGuid, clock.GetUtcNow(), null);
        await IndexedWrite.ClaimThenStoreAsync(GrainFactory, Placement(Guid), Entry(user), Taken,
            () => state.SaveAsync(new UserGrainState { User = user }));
        LogCreated(Guid);
        return user;
    }

    public Task<UserSnapshot> GetAsync() => Task.FromResult(Current);

    public Task<UserSnapshot?> FindAsync() => Task.FromResult(state.RecordExists ? state.State.User : null);

    public async Task DeleteAsync()
    {
        _ = Current;
        await IndexedWrite.ClearThenReleaseAsync(GrainFactory, Placement(Guid), Guid, () => state.ClearStateAsync());
        LogDeleted(Guid);
    }

    private static IndexPlacement Placement(Guid guid) => new(IndexKeys.Catalog(IndexKeys.Users, guid), null);

    private static IndexEntry Entry(UserSnapshot user) => new(user.Guid, user.Guid.ToString("D"), string.Empty, user.CreatedAt, []);

    private CloudControllerException Taken() => new(CfErrorCode.UaaIdTaken, $"The UAA ID is taken: {Guid}");

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserGuid} recorded")]
    private partial void LogCreated(Guid userGuid);

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserGuid} deleted")]
    private partial void LogDeleted(Guid userGuid);
}

/// <summary>Persisted form of a Cloud Controller user.</summary>
[GenerateSerializer, Alias("CloudController.Grains.Users.UserGrainState")]
public sealed record UserGrainState
{
    [Id(0)] public UserSnapshot? User { get; init; }
}
