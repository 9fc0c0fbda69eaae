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
            // The name partition is the only record a UAA user has besides its state: claimed before the store, it heals.
            await IndexedWrite.ClaimAsync(GrainFactory, Placement(user.UserName).Index, Entry(user), () => new NameTakenException(),
                g => GrainFactory.GetGrain<IUaaUserGrain>(g));
            await state.SaveAsync(new UaaUserGrainState { User = user, PasswordHash = command.PasswordHash });
        }
        catch (NameTakenException)
        {
            return null;
        }

        LogCreated(Id, user.Origin);
        return user;
    }

    public Task ReindexAsync() => state.RecordExists && state.State.User is { } user
        ? IndexedWrite.DeriveAsync(GrainFactory, Placement(user.UserName), Entry(user), [])
        : Task.CompletedTask;

    public Task<bool> ConfirmEntryAsync(string index) => IndexedWrite.ConfirmAsync(GrainFactory, index, Id,
        state.RecordExists && state.State.User is { } user ? (Placement(user.UserName), Entry(user)) : null);

    public Task<UaaUserSnapshot?> FindAsync() => Task.FromResult(state.RecordExists ? state.State.User : null);

    public Task<UaaCredentials?> CredentialsAsync() =>
        Task.FromResult(state.RecordExists && state.State.User is { } user ? new UaaCredentials(user, state.State.PasswordHash, state.State.TokenGeneration) : null);

    public async Task<bool> ChangePasswordAsync(string passwordHash)
    {
        if (!state.RecordExists || state.State.User is not { } user)
        {
            return false;
        }

        await state.SaveAsync(state.State with
        {
            PasswordHash = passwordHash,
            TokenGeneration = state.State.TokenGeneration + 1,
            User = user with { LastModified = clock.GetUtcNow() },
        });
        return true;
    }

    public async Task<UaaUserSnapshot?> DeleteAsync()
    {
        if (!state.RecordExists || state.State.User is not { } user)
        {
            return null;
        }

        await state.ClearStateAsync();
        await IndexedWrite.ReleaseAsync(GrainFactory, Placement(user.UserName), Id);
        LogDeleted(Id);
        return user;
    }

    private static IndexPlacement Placement(string userName) => IndexPlacement.Only(IndexKeys.UaaUsers(userName));

    private static IndexEntry Entry(UaaUserSnapshot user) =>
        new(user.Id, user.UserName.ToLowerInvariant(), string.Empty, user.Created, []);

    private sealed class NameTakenException : Exception;

    [LoggerMessage(Level = LogLevel.Information, Message = "UAA user {UserId} created (origin {Origin})")]
    private partial void LogCreated(Guid userId, string origin);

    [LoggerMessage(Level = LogLevel.Information, Message = "UAA user {UserId} deleted")]
    private partial void LogDeleted(Guid userId);
}
