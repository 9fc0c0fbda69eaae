namespace CloudController.Tests.CfCli;

/// <summary>
/// The cf CLI v7 pushing and running apps on the v3 API: a push without a manifest, a manifest with two processes,
/// env and two routes, the app commands a developer runs day to day, a rolling restart, the package-by-package flow
/// (create-app, create-package, stage-package, set-droplet, start, download-droplet, push --droplet), tasks, and delete with routes. Each checks the exit
/// code and what the user reads. The manifest and the package-by-package flow are in <see cref="Cf7ManifestAndPackageTests"/>.
/// </summary>
[Collection(Cf7PushSuite.Name)]
public sealed class Cf7PushTests(CfCliFixture fixture)
{
    [SkippableFact]
    public async Task PushRunsTheAppAndTheAppCommandsWork()
    {
        Skip.If(CfCli.V7Binary is null, CfCli.V7MissingMessage);
        using var cf = await Cf7Push.TargetedAsync(fixture);
        var app = $"web7-{Guid.NewGuid():N}"[..14];
        var site = Cf7Push.Site(("package.json", "{\"scripts\":{\"start\":\"node server.js\"}}"), ("server.js", "require('http')"));

        var pushed = await cf.ExpectAsync(0, "#0   running", "push", app, "-p", site, "-m", "64M");
        Assert.Contains("Staging complete", pushed, StringComparison.Ordinal);
        Assert.Contains($"routes:            {app}.apps.localhost", pushed, StringComparison.Ordinal);
        Assert.Contains("web:1/1", await cf.ExpectAsync(0, app, "apps"), StringComparison.Ordinal);
        await cf.ExpectAsync(0, "instances:      1/1", "app", app);
        await cf.ExpectAsync(0, "#1   ", "scale", app, "-i", "2");
        await cf.ExpectAsync(0, "memory usage:   128M", "scale", app, "-m", "128M", "-f");
        await cf.ExpectAsync(0, "OK", "set-env", app, "GREETING", "hello");
        await cf.ExpectAsync(0, "GREETING: hello", "env", app);
        await cf.ExpectAsync(0, "OK", "unset-env", app, "GREETING");
        var env = await cf.ExpectAsync(0, "", "env", app);
        Assert.DoesNotContain("GREETING", env, StringComparison.Ordinal);
        await cf.ExpectAsync(0, "#0   running", "restart", app);
        await cf.ExpectAsync(0, "Staging complete", "restage", app);
        await cf.ExpectAsync(0, "OK", "stop", app);
        await cf.ExpectAsync(0, "requested state:   stopped", "app", app);
        await cf.ExpectAsync(0, "#0   running", "start", app);
        await cf.ExpectAsync(0, "[STG/0] OUT Staging complete", "logs", app, "--recent");
        await cf.ExpectAsync(0, "audit.app.start", "events", app);
        await cf.ExpectAsync(0, "(current)", "droplets", app);
        await cf.ExpectAsync(0, "ready", "packages", app);
        await cf.ExpectAsync(0, "OK", "set-health-check", app, "http", "--endpoint", "/health");
        await cf.ExpectAsync(0, "/health", "get-health-check", app);
        await cf.ExpectAsync(0, "OK", "rename", app, $"{app}-b");

        // A rolling restart ends DEPLOYED with every instance running.
        var rolled = await cf.ExpectAsync(0, "instances:      2/2", "restart", $"{app}-b", "--strategy", "rolling");
        Assert.Contains("#1   running", rolled, StringComparison.Ordinal);
        await cf.ExpectAsync(0, "instances:       2/2", "push", $"{app}-b", "-p", site, "--strategy", "rolling");

        await cf.ExpectAsync(0, "task id:     1", "run-task", $"{app}-b", "--command", "rake db:migrate", "--name", "migrate");
        await cf.ExpectAsync(0, "migrate", "tasks", $"{app}-b");
        await cf.ExpectAsync(0, "OK", "delete", $"{app}-b", "-r", "-f");
        await cf.ExpectAsync(0, "does not exist", "delete", $"{app}-b", "-f");
        var routes = await cf.ExpectAsync(0, "", "routes");
        Assert.DoesNotContain(app, routes, StringComparison.Ordinal);
    }
}

/// <summary>
/// The cf CLI v7 pushing a manifest, and the package-by-package flow: a class of their own so that they run beside
/// <see cref="Cf7PushTests"/> on a system of their own.
/// </summary>
[Collection(Cf7ManifestSuite.Name)]
public sealed class Cf7ManifestAndPackageTests(CfCliFixture fixture)
{
    [SkippableFact]
    public async Task AManifestWithTwoProcessesEnvAndTwoRoutesIsPushedAsWritten()
    {
        Skip.If(CfCli.V7Binary is null, CfCli.V7MissingMessage);
        using var cf = await Cf7Push.TargetedAsync(fixture);
        var app = $"mf7-{Guid.NewGuid():N}"[..12];
        var site = Cf7Push.Site(("package.json", "{}"), ("manifest.yml", $"""
            applications:
            - name: {app}
              memory: 64M
              env:
                MODE: manifest
              routes:
              - route: {app}.apps.localhost
              - route: {app}-api.apps.localhost/v1
              processes:
              - type: web
                instances: 2
              - type: worker
                command: node worker.js
                instances: 1
                memory: 32M
            """));

        var pushed = await cf.ExpectAsync(0, "Manifest applied", "push", "-f", Path.Combine(site, "manifest.yml"), "-p", site);
        Assert.Contains("type:            worker", pushed, StringComparison.Ordinal);
        Assert.Contains($"{app}-api.apps.localhost/v1", pushed, StringComparison.Ordinal);
        var apps = await cf.ExpectAsync(0, app, "apps");
        Assert.Contains("web:2/2, worker:1/1", apps, StringComparison.Ordinal);
        await cf.ExpectAsync(0, "MODE: manifest", "env", app);

        var stopped = $"{app}-ns";
        await cf.ExpectAsync(0, "requested state:   stopped", "push", stopped, "-p", site, "--no-start", "--no-manifest", "-m", "32M");
        var unrouted = await cf.ExpectAsync(0, "#0   running", "push", $"{app}-nr", "-p", site, "--no-route", "--no-manifest", "-m", "32M");
        Assert.DoesNotContain($"{app}-nr.apps.localhost", unrouted, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task ThePackageByPackageFlowStagesSetsTheDropletAndStarts()
    {
        Skip.If(CfCli.V7Binary is null, CfCli.V7MissingMessage);
        using var cf = await Cf7Push.TargetedAsync(fixture);
        var app = $"pkg7-{Guid.NewGuid():N}"[..13];
        var site = Cf7Push.Site(("index.html", "<p>bits</p>"));

        await cf.ExpectAsync(0, "OK", "create-app", app);
        await cf.ExpectAsync(0, "already exists", "create-app", app);
        var package = await cf.ExpectAsync(0, "has been created", "create-package", app, "-p", site);
        Assert.Matches("Package with guid '[0-9a-f-]{36}'", package);
        var staged = await cf.ExpectAsync(0, "Package staged", "stage-package", app);
        var droplet = System.Text.RegularExpressions.Regex.Match(staged, "droplet guid:\\s+([0-9a-f-]{36})").Groups[1].Value;
        await cf.ExpectAsync(0, "OK", "set-droplet", app, droplet);
        await cf.ExpectAsync(0, "#0   running", "start", app);
        await cf.ExpectAsync(0, "(current)", "droplets", app);

        // The droplet travels as a tarball: downloaded, then pushed as another app's droplet without staging.
        var tarball = Path.Combine(Directory.CreateTempSubdirectory("cf7-droplet-").FullName, "droplet.tgz");
        await cf.ExpectAsync(0, "Droplet downloaded successfully", "download-droplet", app, "--path", tarball);
        var pushed = await cf.ExpectAsync(0, "#0   running", "push", $"{app}-d", "--droplet", tarball);
        Assert.DoesNotContain("Staging app", pushed, StringComparison.Ordinal);
    }
}

/// <summary>What the cf v7 push tests share: a CLI targeted at a fresh org and space, and a folder of files.</summary>
internal static class Cf7Push
{
    public static async Task<CfCli> TargetedAsync(CfCliFixture fixture)
    {
        var cf = CfCli.V7();
        var id = Guid.NewGuid().ToString("N")[..8];
        await cf.ExpectAsync(0, "API version:    3.", "api", fixture.Url);
        await cf.ExpectAsync(0, "OK", "auth", "admin", "admin");
        await cf.ExpectAsync(0, "OK", "create-org", $"push7-{id}");
        await cf.ExpectAsync(0, "OK", "create-space", "dev", "-o", $"push7-{id}");
        await cf.ExpectAsync(0, "space:          dev", "target", "-o", $"push7-{id}", "-s", "dev");
        return cf;
    }

    public static string Site(params (string Name, string Content)[] files)
    {
        var site = Directory.CreateTempSubdirectory("cf7-push-");
        foreach (var (name, content) in files)
        {
            File.WriteAllText(Path.Combine(site.FullName, name), content);
        }

        return site.FullName;
    }
}
