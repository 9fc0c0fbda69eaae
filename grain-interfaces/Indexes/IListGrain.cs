using System.Collections.Immutable;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Buildpacks;
using CloudController.GrainInterfaces.Droplets;
using CloudController.GrainInterfaces.Organizations;
using CloudController.GrainInterfaces.Packages;
using CloudController.GrainInterfaces.Spaces;
using CloudController.GrainInterfaces.Users;

namespace CloudController.GrainInterfaces.Indexes;

/// <summary>
/// Lists, answered inside the cluster: one call from the front-end reads the indexes (merging several: an
/// organization's spaces, a kind's catalog partitions) and loads the page's resources from their grains next to
/// them, instead of one call per resource across the gateway. With <c>byUpdatedAt</c>, which no index keeps (update
/// time changes on every write), every match is loaded and sorted: O(matches) grain calls.
/// </summary>
[Alias("CloudController.GrainInterfaces.Indexes.IListGrain")]
public interface IListGrain : IGrainWithIntegerKey
{
    [Alias("EntriesAsync")]
    Task<IndexPage> EntriesAsync(ImmutableArray<string> indexes, IndexQuery query);

    [Alias("AppsAsync")]
    Task<ListPage<AppSnapshot>> AppsAsync(ImmutableArray<string> indexes, IndexQuery query, bool byUpdatedAt);

    [Alias("SpacesAsync")]
    Task<ListPage<SpaceSnapshot>> SpacesAsync(ImmutableArray<string> indexes, IndexQuery query, bool byUpdatedAt);

    [Alias("OrganizationsAsync")]
    Task<ListPage<OrganizationSnapshot>> OrganizationsAsync(ImmutableArray<string> indexes, IndexQuery query, bool byUpdatedAt);

    [Alias("PackagesAsync")]
    Task<ListPage<PackageSnapshot>> PackagesAsync(ImmutableArray<string> indexes, IndexQuery query, bool byUpdatedAt);

    [Alias("DropletsAsync")]
    Task<ListPage<DropletSnapshot>> DropletsAsync(ImmutableArray<string> indexes, IndexQuery query, bool byUpdatedAt);

    [Alias("UsersAsync")]
    Task<ListPage<UserSnapshot>> UsersAsync(ImmutableArray<string> indexes, IndexQuery query);

    [Alias("BuildpacksAsync")]
    Task<ListPage<BuildpackSnapshot>> BuildpacksAsync(ImmutableArray<string> indexes, IndexQuery query);
}

/// <summary>One page of resources and the count of all matches; a resource deleted meanwhile drops out of the page.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Indexes.ListPage`1")]
public sealed record ListPage<T>(int TotalResults, ImmutableArray<T> Items);
