using System.Text.RegularExpressions;
using CloudController.GrainInterfaces.Domains;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Indexes;
using CloudController.GrainInterfaces.Organizations;
using CloudController.GrainInterfaces.Quotas;
using CloudController.GrainInterfaces.Routes;
using CloudController.Grains.Indexes;
using CloudController.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace CloudController.Grains.Domains;

/// <summary>Persisted form of a domain. Ids are permanent: add new ones, never renumber.</summary>
[GenerateSerializer, Alias("CloudController.Grains.Domains.DomainGrainState")]
public sealed record DomainGrainState
{
    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public Guid? OwningOrganizationGuid { get; init; }
    [Id(2)] public bool Internal { get; init; }
    [Id(3)] public string? RouterGroupType { get; init; }
    [Id(4)] public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Derived work the last stored change still owes (see <see cref="Storage.Outstanding"/>).</summary>
    [Id(5)] public Storage.Outstanding? Outstanding { get; init; }

    public DomainSnapshot ToSnapshot(Guid guid) => new(guid, Name, OwningOrganizationGuid, Internal, RouterGroupType, CreatedAt);
}

[GrainType("domain")]
public sealed partial class DomainGrain(
    [PersistentState(StorageNames.State, StorageNames.CloudController)] IPersistentState<DomainGrainState> state,
    Events.AuditTrail trail,
    TimeProvider clock,
    ILogger<DomainGrain> logger) : Grain, IDomainGrain
{
    private CommitPoint<DomainGrainState>? _commit;

    private Guid Guid => this.GetPrimaryKey();

    private CommitPoint<DomainGrainState> Commit => _commit ??= new(this, state, s => s.Outstanding, (s, o) => s with { Outstanding = o },
        (s, owed) => Task.WhenAll(
            IndexedWrite.DeriveAsync(GrainFactory, Placement(s), Entry(s), owed.Releases),
            HostnameIndex(s).PutAsync(Hostnames.DomainEntry(s.Name, Guid, s.CreatedAt))), trail, logger);

    public override Task OnActivateAsync(CancellationToken cancellationToken) => Commit.ResumeAsync();

    private DomainGrainState Current => state.RecordExists ? state.State : throw CloudControllerException.DomainNotFound(Guid);

    public async Task<DomainSnapshot> CreateAsync(CreateDomain command)
    {
        if (state.RecordExists)
        {
            throw NameTaken(command.Name);
        }

        var next = DomainRules.Create(command, clock.GetUtcNow());
        if (next.OwningOrganizationGuid is { } org && await GrainFactory.GetGrain<IOrganizationGrain>(org).FindAsync() is null)
        {
            throw CloudControllerException.InvalidRelation($"Could not find VCAP::CloudController::Organization with guid: {org}");
        }

        if (next.OwningOrganizationGuid is { } owner)
        {
            await RefuseOverlapAsync(next.Name, owner);
        }

        // Claimed before the store, each healing if the store fails: the name among domains, the host name against
        // routes' URLs, a private domain's place in its organization's quota.
        await IndexedWrite.ClaimAsync(GrainFactory, Placement(next).Index, Entry(next), () => NameTaken(next.Name), Holder);
        if (!await Hostnames.ClaimForDomainAsync(GrainFactory, next.Name, Guid, next.CreatedAt))
        {
            throw new CloudControllerException(CfErrorCode.DomainInvalid,
                $"The domain is invalid: The domain name \"{next.Name}\" cannot be created because \"{next.Name}\" is already reserved by a route");
        }

        if (next.OwningOrganizationGuid is { } owning)
        {
            await GrainFactory.GetGrain<IOrganizationUsageGrain>(owning).ReserveDomainAsync(Guid);
        }

        await Commit.StoreAsync(next, Outstanding.Work());
        LogCreated(Guid, next.Name, next.OwningOrganizationGuid);
        return next.ToSnapshot(Guid);
    }

    public async Task<DomainSnapshot> EnsureAsync(CreateDomain command) =>
        state.RecordExists ? state.State.ToSnapshot(Guid) : await CreateAsync(command);

    public Task<DomainSnapshot> GetAsync() => Task.FromResult(Current.ToSnapshot(Guid));

    public Task<DomainSnapshot?> FindAsync() => Task.FromResult(state.RecordExists ? state.State.ToSnapshot(Guid) : null);

    public Task ReindexAsync() => Commit.RepairAsync();

    public async Task<bool> ConfirmEntryAsync(string index)
    {
        if (state.RecordExists && index == IndexKeys.Hostnames(state.State.Name))
        {
            await HostnameIndex(state.State).PutAsync(Hostnames.DomainEntry(state.State.Name, Guid, state.State.CreatedAt));
            return true;
        }

        return await IndexedWrite.ConfirmAsync(GrainFactory, index, Guid, state.RecordExists ? (Placement(state.State), Entry(state.State)) : null);
    }

    public async Task<bool> ConfirmUsageAsync(Guid organization)
    {
        if (state.RecordExists && state.State.OwningOrganizationGuid == organization)
        {
            return true;
        }

        await GrainFactory.GetGrain<IOrganizationUsageGrain>(organization).ReleaseDomainAsync(Guid);
        return false;
    }

    public async Task DeleteAsync()
    {
        var current = Current;
        await IndexedWrite.RefuseChildrenAsync(GrainFactory, IndexKeys.RoutesOfDomain(Guid), "route", "domain", g => GrainFactory.GetGrain<IRouteGrain>(g));
        await state.ClearStateAsync();
        await IndexedWrite.ReleaseAsync(GrainFactory, Placement(current), Guid);
        await HostnameIndex(current).ReleaseAsync(Guid);
        if (current.OwningOrganizationGuid is { } org)
        {
            await GrainFactory.GetGrain<IOrganizationUsageGrain>(org).ReleaseDomainAsync(Guid);
        }
        LogDeleted(Guid);
    }

    private static IndexPlacement Placement(DomainGrainState s) => IndexPlacement.Domain(s.Name, s.OwningOrganizationGuid);

    private IResourceIndexGrain HostnameIndex(DomainGrainState s) => GrainFactory.GetGrain<IResourceIndexGrain>(IndexKeys.Hostnames(s.Name));

    /// <summary>
    /// A private domain may not sit under a domain another organization owns, nor under a shared domain (whose host names
    /// are every tenant's routes): <c>login.a.example</c> is refused while another org owns <c>a.example</c>.
    /// </summary>
    private async Task RefuseOverlapAsync(string name, Guid owner)
    {
        var labels = name.Split('.');
        for (var i = 1; i < labels.Length - 1; i++)
        {
            var parent = string.Join('.', labels[i..]);
            var found = await GrainFactory.GetGrain<IResourceIndexGrain>(IndexKeys.Domains(parent))
                .QueryAsync(new IndexQuery([parent], [], [], IndexOrder.Id, false, 1, 1));
            if (found.Entries.FirstOrDefault() is { } entry && await GrainFactory.GetGrain<IDomainGrain>(entry.Guid).FindAsync() is { } domain
                && domain.OwningOrganizationGuid != owner)
            {
                throw new CloudControllerException(CfErrorCode.DomainInvalid,
                    $"The domain is invalid: name overlaps with {parent}, a domain {(domain.Shared ? "shared by every organization" : "of another organization")}");
            }
        }
    }

    private IndexEntry Entry(DomainGrainState s) =>
        new(Guid, s.Name, s.OwningOrganizationGuid is { } org ? IndexKeys.Scope(org) : string.Empty, s.CreatedAt, []);

    private static CloudControllerException NameTaken(string name) =>
        new(CfErrorCode.DomainNameTaken, $"The domain name is taken: {name}");

    private IIndexedGrain Holder(Guid holder) => GrainFactory.GetGrain<IDomainGrain>(holder);

    [LoggerMessage(Level = LogLevel.Information, Message = "Domain {DomainGuid} created as {Name} (owning organization {OrganizationGuid})")]
    private partial void LogCreated(Guid domainGuid, string name, Guid? organizationGuid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Domain {DomainGuid} deleted")]
    private partial void LogDeleted(Guid domainGuid);
}

/// <summary>Validation of domains. Pure.</summary>
internal static partial class DomainRules
{
    public static DomainGrainState Create(CreateDomain command, DateTimeOffset now)
    {
        var name = command.Name.Trim().ToLowerInvariant();
        if (name.Length is 0 or > 253 || !DomainName().IsMatch(name))
        {
            throw new CloudControllerException(CfErrorCode.DomainInvalid,
                "The domain is invalid: name can contain multiple subdomains, each having only alphanumeric characters and hyphens of up to 63 characters, see RFC 1035.");
        }

        if (command.RouterGroupType is not (null or "tcp"))
        {
            throw new CloudControllerException(CfErrorCode.DomainInvalid, "The domain is invalid: router_group_type must be tcp or absent");
        }

        if (command.Internal && command.OwningOrganizationGuid is not null)
        {
            throw new CloudControllerException(CfErrorCode.DomainInvalid, "The domain is invalid: only shared domains can be internal");
        }

        return new DomainGrainState
        {
            Name = name,
            OwningOrganizationGuid = command.OwningOrganizationGuid,
            Internal = command.Internal,
            RouterGroupType = command.RouterGroupType,
            CreatedAt = now,
        };
    }

    // RFC 1035 labels: letters, digits and inner hyphens, 1-63 characters each, at least two labels.
    [GeneratedRegex(@"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex DomainName();
}
