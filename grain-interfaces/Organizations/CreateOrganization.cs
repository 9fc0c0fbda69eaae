namespace CloudController.GrainInterfaces.Organizations;

/// <summary>Creates an organization; the api fills defaults (status active, the default quota).</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Organizations.CreateOrganization")]
public sealed record CreateOrganization(string Name, bool BillingEnabled, string Status, Guid QuotaDefinitionGuid)
{
    [Id(4)] public Metadata.MetadataPatch? Metadata { get; init; }
}
