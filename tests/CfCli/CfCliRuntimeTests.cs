using CloudController.Tests.Infrastructure;

namespace CloudController.Tests.CfCli;

/// <summary>
/// The real cf CLI against the simulated runtime: a default <c>push</c> ends with a running instance; <c>app</c>,
/// <c>apps</c>, <c>scale</c>, <c>stop</c>, <c>start</c>, <c>restart</c>, <c>restage</c> and <c>logs --recent</c> work; a
/// Procfile's worker shows in <c>app</c> and scales with <c>v3-scale</c>; a crashing app makes <c>push</c> fail as CF
/// does and shows in <c>events</c>. No command warns that it could not read logs.
/// </summary>
[Collection(CfCliRuntimeSuite.Name)]
public sealed class CfCliRuntimeTests(CfCliFixture fixture)
{
    [SkippableFact]
    public async Task PushRunsTheAppAndTheLifecycleCommandsWork()
    {
        Skip.If(CfCli.Binary is null, CfCli.MissingMessage);
        using var cf = new CfCli();
        var id = System.Guid.NewGuid().ToString("N")[..8];
        var (org, app) = ($"org-{id}", $"web-{id}");
        await cf.ExpectAsync(0, "OK", "api", fixture.Url);
        await cf.ExpectAsync(0, "OK", "auth", "admin", "admin");
        await cf.ExpectAsync(0, "OK", "create-org", org);
        await cf.ExpectAsync(0, "OK", "create-space", "dev", "-o", org);
        await cf.ExpectAsync(0, "space:          dev", "target", "-o", org, "-s", "dev");
        var site = Directory.CreateTempSubdirectory("cf-push-");
        await File.WriteAllTextAsync(Path.Combine(site.FullName, "index.html"), "<p>hello</p>");

        var pushed = await Expect(cf, "#0   running", "push", app, "-p", site.FullName, "-m", "128M");
        Assert.Contains("Staging complete", pushed, StringComparison.Ordinal);
        Assert.Contains($"routes:            {app}.apps.localhost", pushed, StringComparison.Ordinal);
        Assert.Matches(@"stack:\s+cflinuxfs\d", pushed);
        Assert.Matches(@"buildpacks:\s+staticfile_buildpack", pushed);
        var shown = await Expect(cf, "instances:      1/1", "app", app);
        Assert.Contains("memory usage:   128M", shown, StringComparison.Ordinal);
        await Expect(cf, "1/1", "apps");
        var logs = await Expect(cf, "[STG/0] OUT Staging complete", "logs", app, "--recent");
        Assert.Contains("[CELL/0] OUT Creating container for instance 0", logs, StringComparison.Ordinal);

        await Expect(cf, "OK", "scale", app, "-i", "3");
        var scaled = await Eventually.ValueAsync("three running instances", () => Expect(cf, "instances:", "app", app),
            text => text.Contains("instances:      3/3", StringComparison.Ordinal), TimeSpan.FromSeconds(10));

        Assert.Contains("#2   running", scaled, StringComparison.Ordinal);
        await Expect(cf, "OK", "stop", app);
        await Expect(cf, "requested state:   stopped", "app", app);
        await Expect(cf, "#0   running", "start", app);
        await Expect(cf, "#0   running", "restart", app);
        var restaged = await Expect(cf, "#0   running", "restage", app);
        Assert.Contains("Staging complete", restaged, StringComparison.Ordinal);

        // A Procfile's worker is a second process: `app` shows it with no instances, and `v3-scale --process` runs it.
        var typed = Directory.CreateTempSubdirectory("cf-push-");
        await File.WriteAllTextAsync(Path.Combine(typed.FullName, "index.html"), "<p>typed</p>");
        await File.WriteAllTextAsync(Path.Combine(typed.FullName, "Procfile"), "web: ./serve\nworker: ./work\n");
        var withWorker = await Expect(cf, "type:            worker", "push", $"typed-{id}", "-p", typed.FullName, "-m", "64M", "--no-route");
        Assert.Contains("start command:   ./work", withWorker, StringComparison.Ordinal);
        Assert.Contains("instances:       0/0", withWorker, StringComparison.Ordinal);
        var workers = await Expect(cf, "type:           worker", "v3-scale", $"typed-{id}", "--process", "worker", "-i", "2");
        Assert.Matches(@"type:\s+worker\s+instances:\s+2/2", workers);
        await Expect(cf, "OK", "set-health-check", $"typed-{id}", "http", "--endpoint", "/health");
        Assert.Matches(@"endpoint \(for http type\):\s+/health", await Expect(cf, "health check type:          http", "get-health-check", $"typed-{id}"));

        // A crashing app, pushed with its manifest's environment: push fails as CF's does, and the crash is an event.
        var crashing = Directory.CreateTempSubdirectory("cf-push-");
        await File.WriteAllTextAsync(Path.Combine(crashing.FullName, "index.html"), "<p>crash</p>");
        await File.WriteAllTextAsync(Path.Combine(crashing.FullName, "manifest.yml"),
            $"applications:\n- name: crash-{id}\n  memory: 64M\n  no-route: true\n  path: .\n  env:\n    SIMULATED_RUNTIME_CRASH: \"true\"\n");
        var crashed = await cf.ExpectAsync(1, "Start unsuccessful", "push", "-f", Path.Combine(crashing.FullName, "manifest.yml"));
        Assert.DoesNotContain("Failed to retrieve logs", crashed, StringComparison.Ordinal);
        await Eventually.ValueAsync("the crash event", () => cf.ExpectAsync(0, "audit.app.start", "events", $"crash-{id}"),
            text => text.Contains("app.crash", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        await cf.ExpectAsync(0, "OK", "delete-org", org, "-f");
    }

    /// <summary>Exit 0 with the text, and no warning that logs could not be read.</summary>
    private static async Task<string> Expect(CfCli cf, string text, params string[] args)
    {
        var output = await cf.ExpectAsync(0, text, args);
        Assert.DoesNotContain("Failed to retrieve logs", output, StringComparison.Ordinal);
        return output;
    }
}
