using CloudController.Api.Auth;
using CloudController.GrainInterfaces.Lists;

namespace CloudController.Api.Paging;

/// <summary>
/// How an endpoint asks for a list: one <see cref="IListGrain"/> call with the caller, the filters and the page; the
/// silo plans it (see its summary).
/// </summary>
internal static class ListCalls
{
    public static IListGrain Lists(this IGrainFactory grains) => grains.GetGrain<IListGrain>(0);

    /// <summary>Who is listing: everything for admins and platform-wide readers, the caller's roles otherwise.</summary>
    public static ListCaller ListCaller(this HttpContext http) =>
        http.CfUser() is { SeesEverything: false } caller ? GrainInterfaces.Lists.ListCaller.User(caller.UserId) : GrainInterfaces.Lists.ListCaller.Everything;
}
