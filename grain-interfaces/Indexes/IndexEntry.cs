namespace CloudController.GrainInterfaces.Indexes;

/// <summary>What an index keeps of a resource: enough to filter, order and page without the resource's grain.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Indexes.IndexEntry")]
public sealed record IndexEntry(Guid Guid, string Name, string Scope, DateTimeOffset CreatedAt, DateTimeOffset? UpdatedAt);
