using System.Net;
using System.Text.Json;

namespace CloudController.LoadTest;

/// <summary>
/// The events scenario: an owner's space gathers <c>--apps</c> audit events (space renames), a tenant's space in another
/// organization gathers 100 (app creates); the loop reads the first page of <c>/v2/events</c> and
/// <c>/v3/audit_events</c>, newest first, as the tenant and as the owner in turn (each a space developer, logged in on
/// its own client), so the tenant's figures stand beside the owner's.
/// </summary>
internal sealed class EventsRead(CfClient admin, LoadTestOptions options, string run, Func<CfClient> newClient)
{
    private const int TenantEvents = 100;
    private CfClient? _owner;
    private CfClient? _tenant;

    public async Task SetUpAsync()
    {
        var (ownerSpace, ownerOrg) = await SpaceAsync("owner");
        var (tenantSpace, tenantOrg) = await SpaceAsync("tenant");
        _owner = await DeveloperAsync("owner", ownerOrg, ownerSpace);
        _tenant = await DeveloperAsync("tenant", tenantOrg, tenantSpace);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 64 };
        await Parallel.ForEachAsync(Enumerable.Range(0, options.Apps), parallel, async (i, _) =>
            await admin.PutJsonAsync("setup", $"/v2/spaces/{ownerSpace}", new { name = $"busy-{i % 2}" }, HttpStatusCode.Created, Shapes.V2Resource));
        await Parallel.ForEachAsync(Enumerable.Range(0, TenantEvents), parallel, async (i, _) =>
            await admin.PostJsonAsync("setup", "/v2/apps", new { name = $"lt-{run}-t-{i}", space_guid = tenantSpace }, HttpStatusCode.Created, Shapes.V2Resource));
    }

    /// <summary>One first page: the tenant's and the owner's, v2 and v3, in turn.</summary>
    public Task<JsonElement> ReadAsync(int i)
    {
        var (client, who) = i % 4 < 2 ? (_tenant!, "tenant") : (_owner!, "owner");
        return i % 2 == 0
            ? client.GetAsync($"v2-events-{who}", "/v2/events?order-direction=desc&results-per-page=50",
                j => j.GetProperty("resources").GetArrayLength() == 50, keep: false)
            : client.GetAsync($"v3-audit-events-{who}", "/v3/audit_events?order_by=-created_at&per_page=50",
                j => j.GetProperty("resources").GetArrayLength() == 50, keep: false);
    }

    private async Task<(string Space, string Org)> SpaceAsync(string who)
    {
        var org = Shapes.Guid(await admin.PostJsonAsync("setup", "/v2/organizations", new { name = $"lt-{run}-{who}" }, HttpStatusCode.Created, Shapes.V2Resource));
        var space = Shapes.Guid(await admin.PostJsonAsync("setup", "/v2/spaces", new { name = "events", organization_guid = org }, HttpStatusCode.Created, Shapes.V2Resource));
        return (space, org);
    }

    private async Task<CfClient> DeveloperAsync(string who, string org, string space)
    {
        var (name, password) = ($"lt-{run}-{who}", $"pw-{Guid.NewGuid():N}");
        await admin.PostJsonAsync("setup", "/Users", new { userName = name, password }, HttpStatusCode.Created, j => Shapes.HasString(j, "id"));
        await admin.PutJsonAsync("setup", $"/v2/organizations/{org}/users", new { username = name }, HttpStatusCode.Created, Shapes.V2Resource);
        await admin.PutJsonAsync("setup", $"/v2/spaces/{space}/developers", new { username = name }, HttpStatusCode.Created, Shapes.V2Resource);
        var client = newClient();
        await client.LogInAsync(name, password);
        return client;
    }
}
