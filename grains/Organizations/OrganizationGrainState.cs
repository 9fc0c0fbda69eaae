using CloudController.GrainInterfaces.Organizations;

namespace CloudController.Grains.Organizations;

/// <summary>Persisted form of an organization. Ids are permanent: add new ones, never renumber.</summary>
[GenerateSerializer, Alias("CloudController.Grains.Organizations.OrganizationGrainState")]
public sealed record OrganizationGrainState
{
    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public bool BillingEnabled { get; init; }
    [Id(2)] public string Status { get; init; } = OrganizationRules.Active;
    [Id(3)] public Guid QuotaDefinitionGuid { get; init; }
    [Id(4)] public DateTimeOffset CreatedAt { get; init; }
    [Id(5)] public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>Derived work the last stored change still owes (see <see cref="Storage.Outstanding"/>).</summary>
    [Id(6)] public Storage.Outstanding? Outstanding { get; init; }

    [Id(7)] public GrainInterfaces.Metadata.ResourceMetadata? Metadata { get; init; }

    /// <summary>Whether the organization's entry in its quota's organizations list has been derived (records stored before it had none).</summary>
    [Id(8)] public bool QuotaListed { get; init; }

    public OrganizationSnapshot ToSnapshot(Guid guid) =>
        new(guid, Name, BillingEnabled, Status, QuotaDefinitionGuid, CreatedAt, UpdatedAt)
        {
            Metadata = Metadata ?? GrainInterfaces.Metadata.ResourceMetadata.Empty,
        };
}
