using System.Net.Http.Json;

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
        var name = $"dev-{System.Guid.NewGuid():N}"[..16];

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
        var (org, space, dev) = ($"org-{System.Guid.NewGuid():N}"[..12], "space", $"dev-{System.Guid.NewGuid():N}"[..12]);

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

    /// <summary>
    /// A space developer, logged in from its own CF_HOME, targets its space (not one it has no role in), pushes into
    /// it with <c>--no-start</c> (the app is created there and its bits uploaded as that user), shows it with
    /// <c>cf app</c> and lists it with <c>cf apps</c>; once its role is gone, <c>cf apps</c> fails.
    /// </summary>
    [SkippableFact]
    public async Task ASpaceDeveloperTargetsAndPushesIntoItsSpaceOnly()
    {
        Skip.If(CfCli.Binary is null, CfCli.MissingMessage);
        using var admin = new CfCli();
        using var dev = new CfCli();
        var (org, name) = ($"org-{System.Guid.NewGuid():N}"[..12], $"dev-{System.Guid.NewGuid():N}"[..12]);
        await ExpectAsync(admin, 0, "OK", "api", fixture.Url);
        await ExpectAsync(admin, 0, "OK", "auth", "admin", "admin");
        await ExpectAsync(admin, 0, "OK", "create-org", org);
        await ExpectAsync(admin, 0, "OK", "create-space", "mine", "-o", org);
        await ExpectAsync(admin, 0, "OK", "create-space", "theirs", "-o", org);
        await ExpectAsync(admin, 0, "OK", "create-user", name, "Pa55-word");
        await ExpectAsync(admin, 0, "OK", "set-space-role", name, org, "mine", "SpaceDeveloper");

        await ExpectAsync(dev, 0, "OK", "api", fixture.Url);
        await ExpectAsync(dev, 0, "OK", "auth", name, "Pa55-word");
        var (foreign, refused) = await dev.RunAsync("target", "-o", org, "-s", "theirs");
        await ExpectAsync(dev, 0, "space:          mine", "target", "-o", org, "-s", "mine");
        var site = Directory.CreateTempSubdirectory("cf-push-");
        await File.WriteAllTextAsync(Path.Combine(site.FullName, "index.html"), "<p>hello</p>");
        var (pushCode, pushed) = await dev.RunAsync("push", "site", "-p", site.FullName, "--no-start", "--no-route");
        var (_, shown) = await dev.RunAsync("app", "site");
        await ExpectAsync(dev, 0, "site", "apps");
        await ExpectAsync(dev, 0, "site", "space", "mine");
        await ExpectAsync(dev, 0, "OK", "set-env", "site", "GREETING", "hello");
        await ExpectAsync(dev, 0, "GREETING: hello", "env", "site");
        await ExpectAsync(dev, 0, "OK", "unset-env", "site", "GREETING");
        var (_, unset) = await dev.RunAsync("env", "site");
        Assert.DoesNotContain("GREETING", unset, StringComparison.Ordinal);
        await ExpectAsync(admin, 0, "OK", "unset-space-role", name, org, "mine", "SpaceDeveloper");
        var (lostRole, afterLoss) = await dev.RunAsync("apps");

        Assert.NotEqual(0, foreign);
        Assert.Contains("Space 'theirs' not found", refused, StringComparison.Ordinal);
        Assert.True(pushCode == 0 && pushed.Contains("Uploading files", StringComparison.Ordinal), pushed);
        Assert.Contains("type:           web", shown, StringComparison.Ordinal);
        Assert.Contains("requested state:   stopped", shown, StringComparison.Ordinal);
        Assert.True(lostRole != 0 && afterLoss.Contains("FAILED", StringComparison.Ordinal), afterLoss);
        using var http = await fixture.Admin();
        var orgGuid = Guid(await ResourcesAsync(http, $"/v2/organizations?q=name:{org}"));
        var space = Guid(await ResourcesAsync(http, $"/v2/organizations/{orgGuid}/spaces?q=name:mine"));
        var apps = await ResourcesAsync(http, $"/v2/spaces/{space}/apps?q=name:site");
        Assert.Equal("STOPPED", apps[0].GetProperty("entity").GetProperty("state").GetString());
        var download = await http.GetAsync($"/v2/apps/{apps[0].GetProperty("metadata").GetProperty("guid").GetString()}/download");
        Assert.Equal(System.Net.HttpStatusCode.OK, download.StatusCode);
    }

    private static async Task<System.Text.Json.JsonElement> ResourcesAsync(HttpClient http, string url) =>
        (await (await http.GetAsync(url)).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("resources");

    private static string Guid(System.Text.Json.JsonElement resources) => resources[0].GetProperty("metadata").GetProperty("guid").GetString()!;

    private static Task<string> ExpectAsync(CfCli cf, int exitCode, string text, params string[] args) => cf.ExpectAsync(exitCode, text, args);
}
