using CloudController.Grains.Indexes;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Indexes;
using CloudController.GrainInterfaces.Users;

namespace CloudController.Grains.Users;

/// <summary>When an organization or space is deleted, its role holders lose those roles (their membership records and the holder indexes).</summary>
internal static class RoleCleanup
{
    public static Task OrganizationDeletedAsync(IGrainFactory grains, Guid organization) =>
        Task.WhenAll(Enum.GetValues<OrgRole>().Select(role =>
            ForEachHolderAsync(grains, IndexKeys.RoleHolders(organization, role.ToString()), user => user.RevokeAsync(organization, role))));

    public static Task SpaceDeletedAsync(IGrainFactory grains, Guid space) =>
        Task.WhenAll(Enum.GetValues<SpaceRole>().Select(role =>
            ForEachHolderAsync(grains, IndexKeys.RoleHolders(space, role.ToString()), user => user.RevokeAsync(space, role))));

    private static async Task ForEachHolderAsync(IGrainFactory grains, string index, Func<IUserGrain, Task> revoke)
    {
        var holders = grains.GetGrain<IResourceIndexGrain>(index);
        var page = await holders.QueryAsync(IndexQuery.All(1, 100));
        while (page.TotalResults > 0)
        {
            await Task.WhenAll(page.Entries.Select(async entry =>
            {
                try
                {
                    if (await grains.GetGrain<IUserGrain>(entry.Guid).FindAsync() is not null)
                    {
                        await revoke(grains.GetGrain<IUserGrain>(entry.Guid));
                    }
                }
                catch (CloudControllerException)
                {
                    // The user went meanwhile: its record holds nothing more to take.
                }

                // The entry goes whatever the user's record said, so the walk always ends.
                await holders.ReleaseAsync(entry.Guid);
            }));
            page = await holders.QueryAsync(IndexQuery.All(1, 100));
        }
    }
}
