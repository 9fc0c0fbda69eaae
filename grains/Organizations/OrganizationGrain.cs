using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Events;
using CloudController.GrainInterfaces.Indexes;
using CloudController.GrainInterfaces.Organizations;
using CloudController.GrainInterfaces.Spaces;
using CloudController.Grains.Events;
using CloudController.Grains.Indexes;
using CloudController.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace CloudController.Grains.Organizations;

[GrainType("organization")]
public sealed partial class OrganizationGrain(
    [PersistentState(StorageNames.State, StorageNames.CloudController)] IPersistentState<OrganizationGrainState> state,
    AuditTrail trail,
    TimeProvider clock,
    ILogger<OrganizationGrain> logger) : Grain, IOrganizationGrain
{
    private CommitPoint<OrganizationGrainState>? _commit;

    private Guid Guid => this.GetPrimaryKey();

    private CommitPoint<OrganizationGrainState> Commit => _commit ??= new(this, state, s => s.Outstanding, (s, o) => s with { Outstanding = o },
        (s, owed) => IndexedWrite.DeriveAsync(GrainFactory, Placement(s), Entry(s), owed.Releases), trail, logger);

    private OrganizationGrainState Current =>
        state.RecordExists ? state.State : throw CloudControllerException.OrganizationNotFound(Guid);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await Commit.ResumeAsync();
        if (state.RecordExists && !state.State.QuotaListed)
        {
            // Stored before quotas listed their organizations: derived once, from the stored state.
            await Commit.StoreAsync(state.State with { QuotaListed = true }, Outstanding.Work());
        }
    }

    public async Task<OrganizationSnapshot> CreateAsync(CreateOrganization command)
    {
        if (state.RecordExists)
        {
            throw NameTaken(command.Name);
        }

        var next = OrganizationRules.Create(command, clock.GetUtcNow());
        await IndexedWrite.ClaimAsync(GrainFactory, Placement(next).Index, Entry(next), () => NameTaken(next.Name), Holder);
        await Commit.StoreAsync(next, Outstanding.Work(events: [Event("audit.organization.create", next)]));
        LogCreated(Guid, next.Name);
        return next.ToSnapshot(Guid);
    }

    public Task<OrganizationSnapshot> GetAsync() => Task.FromResult(Current.ToSnapshot(Guid));

    public Task ReindexAsync() => Commit.RepairAsync();

    public Task<bool> ConfirmEntryAsync(string index) =>
        IndexedWrite.ConfirmAsync(GrainFactory, index, Guid, state.RecordExists ? (Placement(state.State), Entry(state.State)) : null);

    public Task<OrganizationSnapshot?> FindAsync() =>
        Task.FromResult(state.RecordExists ? state.State.ToSnapshot(Guid) : null);

    public Task<Guid?> QuotaDefinitionAsync() => Task.FromResult(state.RecordExists ? state.State.QuotaDefinitionGuid : (Guid?)null);

    public async Task<OrganizationSnapshot> UpdateAsync(UpdateOrganization command)
    {
        var current = Current;
        var next = OrganizationRules.Update(current, command, clock.GetUtcNow());
        await IndexedWrite.ClaimChangeAsync(GrainFactory, Placement(current), Entry(current), Placement(next), Entry(next), () => NameTaken(next.Name), Holder);
        await Commit.StoreAsync(next, Outstanding.Work(IndexedWrite.Left(Placement(current), Placement(next), Guid), [Event("audit.organization.update", next)]));
        return next.ToSnapshot(Guid);
    }

    public async Task DeleteAsync()
    {
        var current = Current;
        await IndexedWrite.RefuseChildrenAsync(GrainFactory, IndexKeys.SpacesInOrganization(Guid), "space", "organization", g => GrainFactory.GetGrain<ISpaceGrain>(g));
        await IndexedWrite.RefuseChildrenAsync(GrainFactory, IndexKeys.PrivateDomainsOf(Guid), "private domain", "organization",
            g => GrainFactory.GetGrain<GrainInterfaces.Domains.IDomainGrain>(g));

        // The request is recorded before the deletion it asks for (CF's delete-request), then the state goes.
        await trail.AppendAsync([Event("audit.organization.delete-request", current)]);
        await state.ClearStateAsync();
        await IndexedWrite.ReleaseAsync(GrainFactory, Placement(current), Guid);
        await Users.RoleCleanup.OrganizationDeletedAsync(GrainFactory, Guid);
        LogDeleted(Guid);
    }

    private static IndexPlacement Placement(OrganizationGrainState s) => IndexPlacement.Organization(s.Name, s.QuotaDefinitionGuid);

    private IndexEntry Entry(OrganizationGrainState s) => new(Guid, s.Name, string.Empty, s.CreatedAt, []);

    private AuditEvent Event(string type, OrganizationGrainState org) =>
        AuditEvents.Of(type, new AuditActee(Guid, "organization", org.Name, null, Guid), clock.GetUtcNow());

    private IIndexedGrain Holder(Guid holder) => GrainFactory.GetGrain<IOrganizationGrain>(holder);

    private static CloudControllerException NameTaken(string name) =>
        new(CfErrorCode.OrganizationNameTaken, $"The organization name is taken: {name}");

    [LoggerMessage(Level = LogLevel.Information, Message = "Organization {OrganizationGuid} created as {Name}")]
    private partial void LogCreated(Guid organizationGuid, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Organization {OrganizationGuid} deleted")]
    private partial void LogDeleted(Guid organizationGuid);
}
