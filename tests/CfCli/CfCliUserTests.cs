namespace CloudController.Tests.CfCli;

/// <summary>What the real cf CLI does with users today: <c>create-user</c> (UAA, then <c>/v2/users</c>) and logging in as the new user.</summary>
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
    }

    private static async Task ExpectAsync(CfCli cf, int exitCode, string text, params string[] args)
    {
        var (code, output) = await cf.RunAsync(args);
        Assert.True(code == exitCode && output.Contains(text, StringComparison.Ordinal),
            $"cf {string.Join(' ', args)} exited {code}:\n{output}");
    }
}
