using System.Collections.Immutable;
using CloudController.GrainInterfaces.Indexes;

namespace CloudController.Api.Paging;

/// <summary>Which indexes a list reads; the reading itself is one <see cref="IListGrain"/> call inside the cluster.</summary>
internal static class Lists
{
    public static IListGrain Of(IGrainFactory grains) => grains.GetGrain<IListGrain>(0);

    /// <summary>The catalog partitions a platform-wide list asks: those of the guids filtered on, or all.</summary>
    public static ImmutableArray<string> Catalog(string kind, ImmutableArray<Guid> guids) =>
        guids.IsDefaultOrEmpty ? [.. IndexKeys.Catalogs(kind)] : [.. guids.Select(g => IndexKeys.Catalog(kind, g)).Distinct()];
}
