namespace CloudController.Tests.CfCli;

/// <summary>
/// What the real cf CLI does with orgs, spaces, domains, routes, quotas, events, environments and deletes, each
/// command checked for its exit code and output (and no API version warning).
/// </summary>
[Collection(CfCliSuite.Name)]
public sealed class CfCliRoutingTests(CfCliFixture fixture)
{
    [SkippableFact]
    public async Task AnAdminWalksOrgsSpacesDomainsQuotasAndEvents()
    {
        Skip.If(CfCli.Binary is null, CfCli.MissingMessage);
        using var cf = new CfCli();
        var id = System.Guid.NewGuid().ToString("N")[..8];
        var (org, quota, privateDomain, sharedDomain) = ($"org-{id}", $"quota-{id}", $"{id}.example.com", $"shared-{id}.example.com");

        var api = await cf.ExpectAsync(0, "OK", "api", fixture.Url);
        Assert.Contains("api version:", api, StringComparison.Ordinal);
        await cf.ExpectAsync(0, "OK", "auth", "admin", "admin");
        await cf.ExpectAsync(0, "OK", "create-org", org);
        await cf.ExpectAsync(0, org, "orgs");
        await cf.ExpectAsync(0, "OK", "create-space", "dev", "-o", org);
        await cf.ExpectAsync(0, "space:          dev", "target", "-o", org, "-s", "dev");
        await cf.ExpectAsync(0, "dev", "spaces");
        await cf.ExpectAsync(0, "name:", "space", "dev");

        await cf.ExpectAsync(0, "OK", "create-domain", org, privateDomain);
        await cf.ExpectAsync(0, "OK", "create-shared-domain", sharedDomain);
        var domains = await cf.ExpectAsync(0, "apps.localhost", "domains");
        Assert.Contains(privateDomain, domains, StringComparison.Ordinal);
        Assert.Contains(sharedDomain, domains, StringComparison.Ordinal);
        var shownOrg = await cf.ExpectAsync(0, "quota:                default", "org", org);
        Assert.Contains(privateDomain, shownOrg, StringComparison.Ordinal);

        await cf.ExpectAsync(0, "has been created", "create-route", "dev", privateDomain, "--hostname", "www");
        await cf.ExpectAsync(0, "already exists", "create-route", "dev", privateDomain, "--hostname", "www");
        await cf.ExpectAsync(0, $"Route www.{privateDomain} does exist", "check-route", "www", privateDomain);
        await cf.ExpectAsync(0, $"Route nope.{privateDomain} does not exist", "check-route", "nope", privateDomain);

        var site = Directory.CreateTempSubdirectory("cf-push-");
        await File.WriteAllTextAsync(Path.Combine(site.FullName, "index.html"), "<p>hello</p>");
        var pushed = await cf.ExpectAsync(0, $"routes:            site-{id}.apps.localhost", "push", $"site-{id}", "-p", site.FullName, "--no-start");
        Assert.Contains("Uploading files", pushed, StringComparison.Ordinal);
        await cf.ExpectAsync(0, "requested state:   stopped", "push", $"quiet-{id}", "-p", site.FullName, "--no-start", "--no-route");
        await cf.ExpectAsync(0, $"site-{id}.apps.localhost", "apps");

        await cf.ExpectAsync(0, "OK", "map-route", $"site-{id}", privateDomain, "--hostname", "www");
        var routes = await cf.ExpectAsync(0, privateDomain, "routes");
        Assert.Contains($"site-{id}", routes, StringComparison.Ordinal);
        await cf.ExpectAsync(0, $"www.{privateDomain}", "app", $"site-{id}");
        await cf.ExpectAsync(0, "OK", "unmap-route", $"site-{id}", privateDomain, "--hostname", "www");
        await cf.ExpectAsync(0, "OK", "delete-route", privateDomain, "--hostname", "www", "-f");
        var afterDelete = await cf.ExpectAsync(0, "Getting routes", "routes");
        Assert.DoesNotContain(privateDomain, afterDelete, StringComparison.Ordinal);

        await cf.ExpectAsync(0, "OK", "rename", $"quiet-{id}", $"renamed-{id}");
        await cf.ExpectAsync(0, "OK", "set-env", $"renamed-{id}", "GREETING", "hello");
        await cf.ExpectAsync(0, "GREETING: hello", "env", $"renamed-{id}");
        await cf.ExpectAsync(0, "OK", "unset-env", $"renamed-{id}", "GREETING");
        var events = await cf.ExpectAsync(0, "audit.app.create", "events", $"renamed-{id}");
        Assert.Contains("audit.app.update", events, StringComparison.Ordinal);
        Assert.Contains("[PRIVATE DATA HIDDEN]", events, StringComparison.Ordinal);

        await cf.ExpectAsync(0, "OK", "create-quota", quota, "-m", "20G", "-r", "50", "-s", "5");
        await cf.ExpectAsync(0, quota, "quotas");
        await cf.ExpectAsync(0, "Total Memory           20G", "quota", quota);
        await cf.ExpectAsync(0, "already exists", "create-quota", quota, "-m", "20G", "-r", "50", "-s", "5");

        await cf.ExpectAsync(0, "OK", "delete", $"site-{id}", "-r", "-f");
        var left = await cf.ExpectAsync(0, "Getting routes", "routes");
        Assert.DoesNotContain($"site-{id}", left, StringComparison.Ordinal);
        await cf.ExpectAsync(0, "does not exist", "delete", $"site-{id}", "-f");

        await cf.ExpectAsync(0, "OK", "create-space", "scratch", "-o", org);
        await cf.ExpectAsync(0, "OK", "delete-space", "scratch", "-o", org, "-f");
        await cf.ExpectAsync(0, "OK", "delete-org", org, "-f");
        var orgs = await cf.ExpectAsync(0, "Getting orgs", "orgs");
        Assert.DoesNotContain(org, orgs, StringComparison.Ordinal);
        var domainsAfter = await cf.RunAsync("check-route", "www", privateDomain);
        Assert.DoesNotContain("does exist", domainsAfter.Output, StringComparison.Ordinal);
    }
}
