using CloudController.GrainInterfaces.Indexes;
using CloudController.GrainInterfaces.Uaa;
using CloudController.Grains.Indexes;
using CloudController.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace CloudController.Grains.Uaa;

/// <summary>A UAA user; its name is claimed (lower-cased) in a name partition before it is stored, as every indexed resource's is.</summary>
[GrainType("uaa-user")]
public sealed partial class UaaUserGrain(
    [PersistentState(StorageNames.State, StorageNames.CloudController)] IPersistentState<UaaUserGrainState> state,
    TimeProvider clock,
    ILogger<UaaUserGrain> logger) : Grain, IUaaUserGrain
{
    private Guid Id => this.GetPrimaryKey();

    public async Task<UaaUserSnapshot?> CreateAsync(CreateUaaUser command)
    {
        if (state.RecordExists)
        {
            return null;
        }

        var now = clock.GetUtcNow();
        var user = new UaaUserSnapshot(Id, command.UserName, command.Origin, command.GivenName, command.FamilyName,
            command.Emails, command.Scopes, now, now);
        try
        {
            await IndexedWrite.ClaimThenStoreAsync(GrainFactory, Placement(user.UserName), Entry(user), () => new NameTakenException(),
                () => state.SaveAsync(new UaaUserGrainState { User = user, PasswordHash = command.PasswordHash }),
                async holder => await GrainFactory.GetGrain<IUaaUserGrain>(holder).FindAsync() is not null);
        }
        catch (NameTakenException)
        {
            return null;
        }

        LogCreated(Id, user.Origin);
        return user;
    }

    public Task<UaaUserSnapshot?> FindAsync() => Task.FromResult(state.RecordExists ? state.State.User : null);

    public Task<UaaCredentials?> CredentialsAsync() =>
        Task.FromResult(state.RecordExists && state.State.User is { } user ? new UaaCredentials(user, state.State.PasswordHash) : null);

    public async Task<UaaUserSnapshot?> DeleteAsync()
    {
        if (!state.RecordExists || state.State.User is not { } user)
        {
            return null;
        }

        await IndexedWrite.ClearThenReleaseAsync(GrainFactory, Placement(user.UserName), Id, () => state.ClearStateAsync());
        LogDeleted(Id);
        return user;
    }

    private static IndexPlacement Placement(string userName) => new(IndexKeys.UaaUsers(userName), null);

    private static IndexEntry Entry(UaaUserSnapshot user) =>
        new(user.Id, user.UserName.ToLowerInvariant(), string.Empty, user.Created, []);

    private sealed class NameTakenException : Exception;

    [LoggerMessage(Level = LogLevel.Information, Message = "UAA user {UserId} created (origin {Origin})")]
    private partial void LogCreated(Guid userId, string origin);

    [LoggerMessage(Level = LogLevel.Information, Message = "UAA user {UserId} deleted")]
    private partial void LogDeleted(Guid userId);
}
