namespace CloudController.GrainInterfaces.Spaces;

/// <summary>Changes to a space; null fields stay as they are (a space never moves between organizations).</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Spaces.UpdateSpace")]
public sealed record UpdateSpace(string? Name, bool? AllowSsh)
{
    [Id(2)] public Metadata.MetadataPatch? Metadata { get; init; }
}
