using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Indexes;
using CloudController.GrainInterfaces.Organizations;
using CloudController.GrainInterfaces.Spaces;
using CloudController.Grains.Indexes;
using CloudController.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace CloudController.Grains.Organizations;

[GrainType("organization")]
public sealed partial class OrganizationGrain(
    [PersistentState(StorageNames.State, StorageNames.CloudController)] IPersistentState<OrganizationGrainState> state,
    TimeProvider clock,
    ILogger<OrganizationGrain> logger) : Grain, IOrganizationGrain
{
    private Guid Guid => this.GetPrimaryKey();

    private OrganizationGrainState Current =>
        state.RecordExists ? state.State : throw CloudControllerException.OrganizationNotFound(Guid);

    public async Task<OrganizationSnapshot> CreateAsync(CreateOrganization command)
    {
        if (state.RecordExists)
        {
            throw NameTaken(command.Name);
        }

        var next = OrganizationRules.Create(command, clock.GetUtcNow());
        await IndexedWrite.ClaimThenStoreAsync(GrainFactory, IndexPlacement.Organization(next.Name), Entry(next), () => NameTaken(next.Name), () => state.SaveAsync(next),
            HolderExistsAsync);
        LogCreated(Guid, next.Name);
        return next.ToSnapshot(Guid);
    }

    public Task<OrganizationSnapshot> GetAsync() => Task.FromResult(Current.ToSnapshot(Guid));

    public Task ReindexAsync() => state.RecordExists
        ? IndexedWrite.ReindexAsync(GrainFactory, IndexPlacement.Organization(state.State.Name), Entry(state.State))
        : Task.CompletedTask;

    public Task<OrganizationSnapshot?> FindAsync() =>
        Task.FromResult(state.RecordExists ? state.State.ToSnapshot(Guid) : null);

    public Task<Guid?> QuotaDefinitionAsync() => Task.FromResult(state.RecordExists ? state.State.QuotaDefinitionGuid : (Guid?)null);

    public async Task<OrganizationSnapshot> UpdateAsync(UpdateOrganization command)
    {
        var current = Current;
        var next = OrganizationRules.Update(current, command, clock.GetUtcNow());
        await IndexedWrite.UpdateThenStoreAsync(GrainFactory, IndexPlacement.Organization(current.Name), Entry(current),
            IndexPlacement.Organization(next.Name), Entry(next), () => NameTaken(next.Name), () => state.SaveAsync(next));
        return next.ToSnapshot(Guid);
    }

    public async Task DeleteAsync(bool recursive)
    {
        var current = Current;
        await IndexedWrite.DeleteChildrenAsync(GrainFactory, IndexPlacement.Space(Guid), recursive, "space", "organization",
            space => GrainFactory.GetGrain<ISpaceGrain>(space).DeleteAsync(recursive: true), CfErrorCode.SpaceNotFound);
        await IndexedWrite.DeleteChildrenAsync(GrainFactory, new IndexPlacement(IndexKeys.PrivateDomainsOf(Guid), null), recursive, "private domain", "organization",
            domain => GrainFactory.GetGrain<GrainInterfaces.Domains.IDomainGrain>(domain).DeleteAsync(recursive: true), CfErrorCode.DomainNotFound);
        await IndexedWrite.ClearThenReleaseAsync(GrainFactory, IndexPlacement.Organization(current.Name), Guid, () => state.ClearStateAsync());
        await Users.RoleCleanup.OrganizationDeletedAsync(GrainFactory, Guid);
        LogDeleted(Guid);
    }

    private IndexEntry Entry(OrganizationGrainState s) => new(Guid, s.Name, string.Empty, s.CreatedAt, []);

    private static CloudControllerException NameTaken(string name) =>
        new(CfErrorCode.OrganizationNameTaken, $"The organization name is taken: {name}");

    private async Task<bool> HolderExistsAsync(Guid holder) =>
        await GrainFactory.GetGrain<IOrganizationGrain>(holder).FindAsync() is not null;

    [LoggerMessage(Level = LogLevel.Information, Message = "Organization {OrganizationGuid} created as {Name}")]
    private partial void LogCreated(Guid organizationGuid, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Organization {OrganizationGuid} deleted")]
    private partial void LogDeleted(Guid organizationGuid);
}
