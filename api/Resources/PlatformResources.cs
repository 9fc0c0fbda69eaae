using CloudController.Api.Platform;
using CloudController.GrainInterfaces.Buildpacks;

namespace CloudController.Api.Resources;

/// <summary>The v2 stack entity.</summary>
internal sealed record StackEntity(string Name, string Description)
{
    public static V2Resource<StackEntity> Resource(Stack s) =>
        V2Resource.Of("stacks", s.Guid, s.CreatedAt, null, new StackEntity(s.Name, s.Description));
}

/// <summary>The v2 buildpack entity.</summary>
internal sealed record BuildpackEntity(string Name, int Position, bool Enabled, bool Locked, string? Filename)
{
    public static V2Resource<BuildpackEntity> Resource(BuildpackSnapshot b) =>
        V2Resource.Of("buildpacks", b.Guid, b.CreatedAt, b.UpdatedAt, new BuildpackEntity(b.Name, b.Position, b.Enabled, b.Locked, b.Filename));
}
