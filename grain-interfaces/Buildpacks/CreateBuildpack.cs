namespace CloudController.GrainInterfaces.Buildpacks;

/// <summary>Creates an admin buildpack.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Buildpacks.CreateBuildpack")]
public sealed record CreateBuildpack(string Name, int Position, bool Enabled, bool Locked);
