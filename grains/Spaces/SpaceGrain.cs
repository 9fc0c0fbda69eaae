using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Indexes;
using CloudController.GrainInterfaces.Organizations;
using CloudController.GrainInterfaces.Spaces;
using CloudController.Grains.Indexes;
using CloudController.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace CloudController.Grains.Spaces;

[GrainType("space")]
public sealed partial class SpaceGrain(
    [PersistentState(StorageNames.State, StorageNames.CloudController)] IPersistentState<SpaceGrainState> state,
    TimeProvider clock,
    ILogger<SpaceGrain> logger) : Grain, ISpaceGrain
{
    private Guid Guid => this.GetPrimaryKey();

    private SpaceGrainState Current =>
        state.RecordExists ? state.State : throw CloudControllerException.SpaceNotFound(Guid);

    public async Task<SpaceSnapshot> CreateAsync(CreateSpace command)
    {
        if (state.RecordExists)
        {
            throw NameTaken(command.Name);
        }

        var next = SpaceRules.Create(command, clock.GetUtcNow());
        if (await GrainFactory.GetGrain<IOrganizationGrain>(command.OrganizationGuid).FindAsync() is null)
        {
            throw new CloudControllerException(CfErrorCode.InvalidRelation,
                $"Could not find VCAP::CloudController::Organization with guid: {command.OrganizationGuid}");
        }

        await IndexedWrite.ClaimThenStoreAsync(GrainFactory, IndexPlacement.Space(next.OrganizationGuid), Entry(next), () => NameTaken(next.Name), () => state.SaveAsync(next),
            HolderExistsAsync);
        LogCreated(Guid, next.Name, next.OrganizationGuid);
        return next.ToSnapshot(Guid);
    }

    public Task<SpaceSnapshot> GetAsync() => Task.FromResult(Current.ToSnapshot(Guid));

    public Task ReindexAsync() => state.RecordExists
        ? IndexedWrite.ReindexAsync(GrainFactory, IndexPlacement.Space(state.State.OrganizationGuid), Entry(state.State))
        : Task.CompletedTask;

    public Task<SpaceSnapshot?> FindAsync() =>
        Task.FromResult(state.RecordExists ? state.State.ToSnapshot(Guid) : null);

    public Task<Guid?> OrganizationAsync() => Task.FromResult(state.RecordExists ? state.State.OrganizationGuid : (Guid?)null);

    public async Task<SpaceSnapshot> UpdateAsync(UpdateSpace command)
    {
        var current = Current;
        var next = SpaceRules.Update(current, command, clock.GetUtcNow());
        await IndexedWrite.UpdateThenStoreAsync(GrainFactory, IndexPlacement.Space(current.OrganizationGuid), Entry(current),
            IndexPlacement.Space(next.OrganizationGuid), Entry(next), () => NameTaken(next.Name), () => state.SaveAsync(next));
        return next.ToSnapshot(Guid);
    }

    public async Task DeleteAsync(bool recursive)
    {
        var current = Current;
        await IndexedWrite.DeleteChildrenAsync(GrainFactory, IndexPlacement.App(Guid), recursive, "app", "space",
            app => GrainFactory.GetGrain<IAppGrain>(app).DeleteAsync(), CfErrorCode.AppNotFound);
        await IndexedWrite.DeleteChildrenAsync(GrainFactory, new IndexPlacement(IndexKeys.RoutesInSpace(Guid), null), recursive, "route", "space",
            route => GrainFactory.GetGrain<GrainInterfaces.Routes.IRouteGrain>(route).DeleteAsync(), CfErrorCode.RouteNotFound);
        await IndexedWrite.ClearThenReleaseAsync(GrainFactory, IndexPlacement.Space(current.OrganizationGuid), Guid, () => state.ClearStateAsync());
        await Users.RoleCleanup.SpaceDeletedAsync(GrainFactory, Guid);
        LogDeleted(Guid);
    }

    private IndexEntry Entry(SpaceGrainState s) =>
        new(Guid, s.Name, IndexKeys.Scope(s.OrganizationGuid), s.CreatedAt, []);

    private static CloudControllerException NameTaken(string name) =>
        new(CfErrorCode.SpaceNameTaken, $"The app space name is taken: {name}");

    private async Task<bool> HolderExistsAsync(Guid holder) =>
        await GrainFactory.GetGrain<ISpaceGrain>(holder).FindAsync() is not null;

    [LoggerMessage(Level = LogLevel.Information, Message = "Space {SpaceGuid} created as {Name} in organization {OrganizationGuid}")]
    private partial void LogCreated(Guid spaceGuid, string name, Guid organizationGuid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Space {SpaceGuid} deleted")]
    private partial void LogDeleted(Guid spaceGuid);
}
