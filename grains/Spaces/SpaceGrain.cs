using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Events;
using CloudController.GrainInterfaces.Indexes;
using CloudController.GrainInterfaces.Organizations;
using CloudController.GrainInterfaces.Spaces;
using CloudController.Grains.Events;
using CloudController.Grains.Indexes;
using CloudController.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace CloudController.Grains.Spaces;

[GrainType("space")]
public sealed partial class SpaceGrain(
    [PersistentState(StorageNames.State, StorageNames.CloudController)] IPersistentState<SpaceGrainState> state,
    AuditTrail trail,
    TimeProvider clock,
    ILogger<SpaceGrain> logger) : Grain, ISpaceGrain
{
    private CommitPoint<SpaceGrainState>? _commit;

    private Guid Guid => this.GetPrimaryKey();

    private CommitPoint<SpaceGrainState> Commit => _commit ??= new(this, state, s => s.Outstanding, (s, o) => s with { Outstanding = o },
        (s, owed) => IndexedWrite.DeriveAsync(GrainFactory, Placement(s), Entry(s), owed.Releases), trail, logger);

    private SpaceGrainState Current =>
        state.RecordExists ? state.State : throw CloudControllerException.SpaceNotFound(Guid);

    public override Task OnActivateAsync(CancellationToken cancellationToken) => Commit.ResumeAsync();

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

        await IndexedWrite.ClaimAsync(GrainFactory, Placement(next).Index, Entry(next), () => NameTaken(next.Name), Holder);
        await Commit.StoreAsync(next, Outstanding.Work(events: [Event("audit.space.create", next)]));
        LogCreated(Guid, next.Name, next.OrganizationGuid);
        return next.ToSnapshot(Guid);
    }

    public Task<SpaceSnapshot> GetAsync() => Task.FromResult(Current.ToSnapshot(Guid));

    public Task ReindexAsync() => Commit.RepairAsync();

    public Task<bool> ConfirmEntryAsync(string index) =>
        IndexedWrite.ConfirmAsync(GrainFactory, index, Guid, state.RecordExists ? (Placement(state.State), Entry(state.State)) : null);

    public Task<SpaceSnapshot?> FindAsync() =>
        Task.FromResult(state.RecordExists ? state.State.ToSnapshot(Guid) : null);

    public Task<Guid?> OrganizationAsync() => Task.FromResult(state.RecordExists ? state.State.OrganizationGuid : (Guid?)null);

    public async Task<SpaceSnapshot> UpdateAsync(UpdateSpace command)
    {
        var current = Current;
        var next = SpaceRules.Update(current, command, clock.GetUtcNow());
        await IndexedWrite.ClaimChangeAsync(GrainFactory, Placement(current), Entry(current), Placement(next), Entry(next), () => NameTaken(next.Name), Holder);
        await Commit.StoreAsync(next, Outstanding.Work(IndexedWrite.Left(Placement(current), Placement(next), Guid), [Event("audit.space.update", next)]));
        return next.ToSnapshot(Guid);
    }

    public async Task DeleteAsync()
    {
        var current = Current;
        await IndexedWrite.RefuseChildrenAsync(GrainFactory, IndexKeys.AppsInSpace(Guid), "app", "space", g => GrainFactory.GetGrain<IAppGrain>(g));
        await IndexedWrite.RefuseChildrenAsync(GrainFactory, IndexKeys.RoutesInSpace(Guid), "route", "space",
            g => GrainFactory.GetGrain<GrainInterfaces.Routes.IRouteGrain>(g));
        await trail.AppendAsync([Event("audit.space.delete-request", current)]);
        await state.ClearStateAsync();
        await IndexedWrite.ReleaseAsync(GrainFactory, Placement(current), Guid);
        await Users.RoleCleanup.SpaceDeletedAsync(GrainFactory, Guid);
        LogDeleted(Guid);
    }

    private static IndexPlacement Placement(SpaceGrainState s) => IndexPlacement.Space(s.OrganizationGuid);

    private IndexEntry Entry(SpaceGrainState s) =>
        new(Guid, s.Name, IndexKeys.Scope(s.OrganizationGuid), s.CreatedAt, []);

    private AuditEvent Event(string type, SpaceGrainState space) =>
        AuditEvents.Of(type, new AuditActee(Guid, "space", space.Name, Guid, space.OrganizationGuid), clock.GetUtcNow());

    private IIndexedGrain Holder(Guid holder) => GrainFactory.GetGrain<ISpaceGrain>(holder);

    private static CloudControllerException NameTaken(string name) =>
        new(CfErrorCode.SpaceNameTaken, $"The app space name is taken: {name}");

    [LoggerMessage(Level = LogLevel.Information, Message = "Space {SpaceGuid} created as {Name} in organization {OrganizationGuid}")]
    private partial void LogCreated(Guid spaceGuid, string name, Guid organizationGuid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Space {SpaceGuid} deleted")]
    private partial void LogDeleted(Guid spaceGuid);
}
