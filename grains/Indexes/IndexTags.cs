using CloudController.GrainInterfaces.Indexes;

namespace CloudController.Grains.Indexes;

/// <summary>The tags packages and droplets carry in their indexes, so state, type and package filters are index work.</summary>
internal static class IndexTags
{
    public static string State<TState>(TState state) where TState : struct, Enum => IndexEntry.Tag("state", state.ToString());

    public static string Type<TType>(TType type) where TType : struct, Enum => IndexEntry.Tag("type", type.ToString());

    public static string Package(Guid package) => IndexEntry.Tag("package", package.ToString("D"));
}
