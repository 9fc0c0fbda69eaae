namespace CloudController.Tests.CfCli;

/// <summary>What the real cf CLI does with users and roles: <c>create-user</c>, logging in, <c>create-org</c>, <c>create-space</c>, <c>set-space-role</c>, <c>space-users</c>, <c>org-users</c>.</summary>
[Collection(CfCliSuite.Name)]
public sealed class CfCliUserTests(CfCliFixture fixture)
{
    [SkippableFact]
    public async Task CreateUserMakesAUserWhoCanLogInAndASecondCreateSaysItExists()
    {
        Skip.If(CfCli.Binary is null, CfCli.MissingMessage);
        using var admin = new CfCli();
        using var dev = new CfCli();
        var name = $"dev-{Guid.NewGuid():N}"[..16];

        await ExpectAsync(admin, 0, "OK", "api", fixture.Url);
        await ExpectAsync(admin, 0, "OK", "auth", "admin", "admin");
        await ExpectAsync(admin, 0, "OK", "create-user", name, "Pa55-word");
        await ExpectAsync(admin, 0, "already exists", "create-user", name, "Pa55-word");
        await ExpectAsync(dev, 0, "OK", "api", fixture.Url);
        await ExpectAsync(dev, 0, "OK", "auth", name, "Pa55-word");
        var (code, _) = await dev.RunAsync("auth", name, "wrong-password");
        Assert.NotEqual(0, code);

        await ExpectAsync(admin, 0, "OK", "delete-user", name, "-f");
        var (afterDelete, _) = await dev.RunAsync("auth", name, "Pa55-word");
        Assert.NotEqual(0, afterDelete);
    }

    [SkippableFact]
    public async Task AnAdminCreatesAnOrgAndSpaceAndGivesAUserASpaceRole()
    {
        Skip.If(CfCli.Binary is null, CfCli.MissingMessage);
        using var admin = new CfCli();
        var (org, space, dev) = ($"org-{Guid.NewGuid():N}"[..12], "space", $"dev-{Guid.NewGuid():N}"[..12]);

        await ExpectAsync(admin, 0, "OK", "api", fixture.Url);
        await ExpectAsync(admin, 0, "OK", "auth", "admin", "admin");
        await ExpectAsync(admin, 0, "OK", "create-org", org);
        await ExpectAsync(admin, 0, $"org:            {org}", "target", "-o", org);
        await ExpectAsync(admin, 0, "OK", "create-space", space);
        await ExpectAsync(admin, 0, "OK", "create-user", dev, "Pa55-word");
        await ExpectAsync(admin, 0, "OK", "set-space-role", dev, org, space, "SpaceDeveloper");
        var (_, spaceUsers) = await admin.RunAsync("space-users", org, space);
        var (_, orgUsers) = await admin.RunAsync("org-users", "-a", org);

        var developers = spaceUsers[spaceUsers.IndexOf("SPACE DEVELOPER", StringComparison.Ordinal)..spaceUsers.IndexOf("SPACE AUDITOR", StringComparison.Ordinal)];
        Assert.Contains(dev, developers, StringComparison.Ordinal);
        Assert.Contains("admin", spaceUsers[..spaceUsers.IndexOf("SPACE DEVELOPER", StringComparison.Ordinal)], StringComparison.Ordinal);
        Assert.Contains(dev, orgUsers, StringComparison.Ordinal);

        await ExpectAsync(admin, 0, "OK", "delete-space", space, "-f");
        await ExpectAsync(admin, 0, "OK", "delete-org", org, "-f");
        var (_, orgs) = await admin.RunAsync("orgs");
        Assert.DoesNotContain(org, orgs, StringComparison.Ordinal);
    }

    private static async Task ExpectAsync(CfCli cf, int exitCode, string text, params string[] args)
    {
        var (code, output) = await cf.RunAsync(args);
        Assert.True(code == exitCode && output.Contains(text, StringComparison.Ordinal),
            $"cf {string.Join(' ', args)} exited {code}:\n{output}");
    }
}
