namespace CloudController.Tests.CfCli;

/// <summary>
/// The cf CLI v7 on the v3 platform API: an admin's day (orgs, spaces, users, roles, domains, routes, quotas, feature
/// flags, deletes) and a space developer's, each in its own CF_HOME; exit codes and output as the CLI prints them, and
/// never a version warning.
/// </summary>
[Collection(Cf7PlatformSuite.Name)]
public sealed class Cf7PlatformTests(CfCliFixture fixture)
{
    [SkippableFact]
    public async Task AnAdminRunsThePlatformCommandsAndDeletesWhatItMade()
    {
        Skip.If(CfCli.V7Binary is null, CfCli.V7MissingMessage);
        using var admin = CfCli.V7();
        var id = Guid.NewGuid().ToString("N")[..8];
        var (org, space, user, quota) = ($"org7-{id}", "space7", $"user7-{id}", $"quota7-{id}");
        var (privateDomain, sharedDomain) = ($"p{id}.example.com", $"s{id}.example.com");

        await admin.ExpectAsync(0, "API version:    3.", "api", fixture.Url);
        await admin.ExpectAsync(0, "OK", "auth", "admin", "admin");
        await admin.ExpectAsync(0, "OK", "create-org", org);
        await admin.ExpectAsync(0, "already exists", "create-org", org);
        await admin.ExpectAsync(0, org, "orgs");
        await admin.ExpectAsync(0, $"org:            {org}", "target", "-o", org);
        await admin.ExpectAsync(0, "OK", "create-space", space);
        await admin.ExpectAsync(0, "already exists", "create-space", space);
        await admin.ExpectAsync(0, "quota:", "org", org);
        await admin.ExpectAsync(0, $"name:                      {space}", "space", space);
        await admin.ExpectAsync(0, "OK", "create-user", user, "Pa55-word");
        await admin.ExpectAsync(0, "already exists", "create-user", user, "Pa55-word");
        await admin.ExpectAsync(0, "OK", "set-org-role", user, org, "OrgAuditor");
        await admin.ExpectAsync(0, "OK", "set-space-role", user, org, space, "SpaceDeveloper");
        await admin.ExpectAsync(0, "OK", "set-space-role", user, org, space, "SpaceDeveloper");
        var orgUsers = await admin.ExpectAsync(0, "ORG AUDITOR", "org-users", org);
        Assert.Contains(user, orgUsers[orgUsers.IndexOf("ORG AUDITOR", StringComparison.Ordinal)..], StringComparison.Ordinal);
        var spaceUsers = await admin.ExpectAsync(0, "SPACE DEVELOPER", "space-users", org, space);
        Assert.Contains(user, spaceUsers[spaceUsers.IndexOf("SPACE DEVELOPER", StringComparison.Ordinal)..spaceUsers.IndexOf("SPACE AUDITOR", StringComparison.Ordinal)], StringComparison.Ordinal);

        await admin.ExpectAsync(0, "OK", "create-private-domain", org, privateDomain);
        await admin.ExpectAsync(0, "OK", "create-shared-domain", sharedDomain);
        var domains = await admin.ExpectAsync(0, privateDomain, "domains");
        Assert.Contains(sharedDomain, domains, StringComparison.Ordinal);
        await admin.ExpectAsync(0, $"org:            {org}", "target", "-o", org, "-s", space);
        await admin.ExpectAsync(0, "has been created", "create-route", privateDomain, "--hostname", "web", "--path", "/api");
        await admin.ExpectAsync(0, "already exists", "create-route", privateDomain, "--hostname", "web", "--path", "/api");
        await admin.ExpectAsync(0, "does exist", "check-route", privateDomain, "--hostname", "web", "--path", "/api");
        await admin.ExpectAsync(0, "does not exist", "check-route", privateDomain, "--hostname", "nothing");
        var routes = await admin.ExpectAsync(0, "web", "routes");
        Assert.Contains(privateDomain, routes, StringComparison.Ordinal);
        await admin.ExpectAsync(0, "OK", "delete-route", privateDomain, "--hostname", "web", "--path", "/api", "-f");
        await admin.ExpectAsync(0, "No routes found", "routes");

        await admin.ExpectAsync(0, "OK", "create-org-quota", quota, "-m", "2G", "-r", "10");
        await admin.ExpectAsync(0, "OK", "set-org-quota", org, quota);
        await admin.ExpectAsync(0, quota, "org-quotas");
        await admin.ExpectAsync(0, $"quota:                {quota}", "org", org);
        await admin.ExpectAsync(0, "user_org_creation", "feature-flags");
        await admin.ExpectAsync(0, "OK", "disable-feature-flag", "route_creation");
        await admin.ExpectAsync(0, "disabled", "feature-flag", "route_creation");
        await admin.ExpectAsync(0, "OK", "enable-feature-flag", "route_creation");

        await admin.ExpectAsync(0, "OK", "delete-private-domain", privateDomain, "-f");
        await admin.ExpectAsync(0, "OK", "delete-shared-domain", sharedDomain, "-f");
        await admin.ExpectAsync(0, "OK", "delete-space", space, "-o", org, "-f");
        await admin.ExpectAsync(0, "OK", "delete-org", org, "-f");
        await admin.ExpectAsync(0, "does not exist", "delete-org", org, "-f");
        await admin.ExpectAsync(0, "OK", "delete-org-quota", quota, "-f");
        await admin.ExpectAsync(0, "OK", "delete-user", user, "-f");
        var orgs = await admin.ExpectAsync(0, "", "orgs");
        Assert.DoesNotContain(org, orgs, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task ASpaceDeveloperWorksInItsSpaceIsRefusedEverythingElseAndLosesItWithItsRole()
    {
        Skip.If(CfCli.V7Binary is null, CfCli.V7MissingMessage);
        using var admin = CfCli.V7();
        using var dev = CfCli.V7();
        var id = Guid.NewGuid().ToString("N")[..8];
        var (org, space, user, other) = ($"devorg7-{id}", "work", $"dev7-{id}", $"other7-{id}");

        await admin.ExpectAsync(0, "OK", "api", fixture.Url);
        await admin.ExpectAsync(0, "OK", "auth", "admin", "admin");
        await admin.ExpectAsync(0, "OK", "create-org", org);
        await admin.ExpectAsync(0, "OK", "create-space", space, "-o", org);
        await admin.ExpectAsync(0, "OK", "create-user", user, "Pa55-word");
        await admin.ExpectAsync(0, "OK", "create-user", other, "Pa55-word");
        await admin.ExpectAsync(0, "OK", "set-space-role", user, org, space, "SpaceDeveloper");
        await admin.ExpectAsync(0, "OK", "set-org-role", other, org, "OrgAuditor");

        await dev.ExpectAsync(0, "OK", "api", fixture.Url);
        await dev.ExpectAsync(0, "OK", "auth", user, "Pa55-word");
        await dev.ExpectAsync(0, $"space:          {space}", "target", "-o", org, "-s", space);
        await dev.ExpectAsync(0, "has been created", "create-route", "apps.localhost", "--hostname", $"dev7-{id}");
        await dev.ExpectAsync(0, $"dev7-{id}", "routes");
        await dev.ExpectAsync(1, "not authorized", "create-org", $"mine7-{id}");
        await dev.ExpectAsync(1, "not authorized", "set-space-role", other, org, space, "SpaceAuditor");
        await dev.ExpectAsync(1, "not authorized", "unset-org-role", other, org, "OrgAuditor");

        await admin.ExpectAsync(0, "OK", "unset-space-role", user, org, space, "SpaceDeveloper");
        await dev.ExpectAsync(1, $"Space '{space}' not found", "target", "-o", org, "-s", space);

        await admin.ExpectAsync(0, "OK", "delete-org", org, "-f");
        await admin.ExpectAsync(0, "OK", "delete-user", user, "-f");
        await admin.ExpectAsync(0, "OK", "delete-user", other, "-f");
    }
}
