namespace CloudController.GrainInterfaces.Indexes;

/// <summary>Sort keys an index can page by; <see cref="Id"/> is creation order, CF's default.</summary>
public enum IndexOrder { Id, Name, CreatedAt, UpdatedAt }
