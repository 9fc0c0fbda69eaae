using CloudController.GrainInterfaces.Users;
using CloudController.Grains.Storage;

namespace CloudController.Grains.Users;

/// <summary>Persisted form of a role pointer. Ids are permanent: add new ones, never renumber.</summary>
[GenerateSerializer, Alias("CloudController.Grains.Users.RolePointerState")]
public sealed record RolePointerState
{
    [Id(0)] public RoleSnapshot? Role { get; init; }
}

/// <summary>
/// A role's pointer (key: the role guid): written by the user's grain after its membership stores the role, cleared
/// after it stores the role's end. Reads ask the user whether it still holds the role, so a pointer left behind by a
/// lost silo never answers for a role that is gone.
/// </summary>
[GrainType("role")]
public sealed class RoleGrain(
    [PersistentState(StorageNames.State, StorageNames.CloudController)] IPersistentState<RolePointerState> state) : Grain, IRoleGrain
{
    public async Task<RoleSnapshot?> FindAsync()
    {
        if (!state.RecordExists || state.State.Role is not { } role)
        {
            return null;
        }

        var held = await GrainFactory.GetGrain<IUserGrain>(role.UserGuid).RolesAsync();
        return held.FirstOrDefault(r => r.Guid == role.Guid);
    }

    public async Task PutAsync(RoleSnapshot role)
    {
        if (state.RecordExists && state.State.Role == role)
        {
            return;
        }

        state.State = new RolePointerState { Role = role };
        await state.WriteStateAsync();
    }

    public async Task ClearAsync()
    {
        if (state.RecordExists)
        {
            await state.ClearStateAsync();
        }
    }
}
