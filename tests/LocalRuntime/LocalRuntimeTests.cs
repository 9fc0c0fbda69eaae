using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CloudController.Tests.Api;
using Cli = CloudController.Tests.CfCli.CfCli;
using CloudController.Tests.Infrastructure;

namespace CloudController.Tests.LocalRuntime;

/// <summary>
/// Apps really run: pushed through the HTTP API (and the cf CLI), staged by buildpacks, run as processes, and reached
/// through the router. Each test checks what a user sees: pages through the router, instances and their states,
/// crash events, staging errors.
/// </summary>
[Collection(LocalRuntimeSuite.Name)]
public sealed class LocalRuntimeTests(LocalRuntimeFixture fixture)
{
    private static readonly TimeSpan Running = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AStaticSiteIsServedThroughTheRouterUntilTheAppStops()
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());
        var (app, host) = await PushAsync(http, space, "site", new { },
            ("index.html", Zips.Text("<h1>served for real</h1>"), 420), ("docs/page.html", Zips.Text("a page"), 420));

        var staged = await BitsTests.EntityAsync(http, app);
        Assert.Equal("staticfile_buildpack", staged.GetProperty("detected_buildpack").GetString());
        var page = await Eventually.ValueAsync("the site answers through the router", () => BodyAsync(host, "/"), b => b.Contains("served for real", StringComparison.Ordinal), Running);
        Assert.Contains("served for real", page, StringComparison.Ordinal);
        using (var response = await fixture.ViaRouterAsync(host, "/docs/page.html"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("a page", await response.Content.ReadAsStringAsync());
            Assert.True(response.Headers.Contains("X-Vcap-Request-Id"));
        }

        using (var unknown = await fixture.ViaRouterAsync($"nothing-{Guid.NewGuid():N}.apps.localhost"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Equal("unknown_route", unknown.Headers.GetValues("X-Cf-Routererror").Single());
        }

        // Stats come from the operating system: the instance's resident memory, its host and port.
        var stats = await Eventually.ValueAsync("the instance's memory is measured",
            async () => (await (await http.GetAsync($"/v2/apps/{app}/stats")).JsonAsync(HttpStatusCode.OK)).GetProperty("0").GetProperty("stats"),
            s => s.GetProperty("usage").GetProperty("mem").GetInt64() > 0);
        Assert.Equal("127.0.0.1", stats.GetProperty("host").GetString());
        Assert.True(stats.GetProperty("port").GetInt32() > 0);
        await Eventually.HoldsAsync("the cell's line in the log", async () => (await LogsAsync(http, app)).Any(l => l.Contains("Container became healthy", StringComparison.Ordinal)));

        await (await http.PutJsonAsync($"/v2/apps/{app}", new { state = "STOPPED" })).JsonAsync(HttpStatusCode.Created);
        await Eventually.HoldsAsync("the stopped app's route is unknown to the router", async () =>
        {
            using var response = await fixture.ViaRouterAsync(host);
            return response.StatusCode == HttpStatusCode.NotFound && response.Headers.GetValues("X-Cf-Routererror").Single() == "unknown_route";
        }, TimeSpan.FromSeconds(10));
        await Eventually.HoldsAsync("no process of the stopped app is left", () => Task.FromResult(InstancePids(app).Count == 0), TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task EveryInstanceRunsWithCfsEnvironmentAsItsOwnUserAndAnswers()
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());
        var command = "printenv > public/env.txt && echo $CF_INSTANCE_INDEX > public/index.txt && id -u > public/uid.txt && exec ./boot.sh";
        var (app, host) = await PushAsync(http, space, "shell",
            new { buildpack = "staticfile_buildpack", command, environment_json = new { GREETING = "hello" } },
            ("index.html", Zips.Text("shell"), 420));
        await WaitForStatesAsync(http, app, "RUNNING");
        await (await http.PutJsonAsync($"/v2/apps/{app}", new { instances = 3 })).JsonAsync(HttpStatusCode.Created);

        var seen = new HashSet<string>();
        await Eventually.HoldsAsync("all three instances answer through the router", async () =>
        {
            using var response = await fixture.ViaRouterAsync(host, "/index.txt");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                seen.Add((await response.Content.ReadAsStringAsync()).Trim());
            }

            return seen.SetEquals(["0", "1", "2"]);
        }, Running);

        var environment = await BodyAsync(host, "/env.txt");
        var variables = environment.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).Where(p => p.Length == 2)
            .GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.First()[1]);
        Assert.Equal("hello", variables["GREETING"]);
        Assert.Equal("128m", variables["MEMORY_LIMIT"]);
        Assert.Equal("{}", variables["VCAP_SERVICES"]);
        Assert.Equal($"127.0.0.1:{variables["PORT"]}", variables["CF_INSTANCE_ADDR"]);
        using (var vcap = JsonDocument.Parse(variables["VCAP_APPLICATION"]))
        {
            Assert.Equal(app, vcap.RootElement.GetProperty("application_id").GetString());
            Assert.Equal(space, vcap.RootElement.GetProperty("space_id").GetString());
            Assert.Contains($"{host}", vcap.RootElement.GetProperty("application_uris")[0].GetString(), StringComparison.Ordinal);
        }

        // Nothing of the silo's own environment reaches the app (its storage keys above all).
        Assert.DoesNotContain("AccountKey", environment, StringComparison.Ordinal);
        Assert.DoesNotContain("ORLEANS", environment, StringComparison.Ordinal);
        if (Environment.UserName == "root")
        {
            Assert.NotEqual("0", (await BodyAsync(host, "/uid.txt")).Trim());
        }
    }

    [Fact]
    public async Task AKilledInstanceCrashesIsRestartedAndTheRouteKeepsAnswering()
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());
        var (app, host) = await PushAsync(http, space, "killed", new { instances = 2 }, ("index.html", Zips.Text("still here"), 420));
        await WaitForStatesAsync(http, app, "RUNNING", "RUNNING");
        await Eventually.HoldsAsync("the route answers", async () => (await BodyAsync(host, "/")).Contains("still here", StringComparison.Ordinal), Running);

        var victim = Assert.Single(InstancePids(app, index: 0));
        System.Diagnostics.Process.GetProcessById(victim).Kill(entireProcessTree: true);

        // The router tries the other instance when the dead one refuses the connection.
        for (var i = 0; i < 5; i++)
        {
            Assert.Contains("still here", await BodyAsync(host, "/"), StringComparison.Ordinal);
        }

        var crash = await Eventually.ValueAsync("an app.crash event", () => CrashEventAsync(http, app), e => e is not null);
        Assert.Equal(0, crash!.Value.GetProperty("index").GetInt32());
        Assert.Contains("Exited with status", crash.Value.GetProperty("exit_description").GetString(), StringComparison.Ordinal);
        await WaitForStatesAsync(http, app, "RUNNING", "RUNNING");
        Assert.NotEqual(victim, Assert.Single(InstancePids(app, index: 0)));
    }

    [Fact]
    public async Task AFailingHttpHealthCheckCrashesTheInstance()
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());
        var (app, host) = await PushAsync(http, space, "unhealthy",
            new { health_check_type = "http", health_check_http_endpoint = "/missing", health_check_timeout = 1 }, ("index.html", Zips.Text("x"), 420));

        // Mapped and desired, but never RUNNING: the router knows the route and has no instance for it.
        await Eventually.HoldsAsync("the route has no endpoints", async () =>
        {
            using var response = await fixture.ViaRouterAsync(host);
            return response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.GetValues("X-Cf-Routererror").Single() == "no_endpoints";
        });

        var crash = await Eventually.ValueAsync("an app.crash event", () => CrashEventAsync(http, app), e => e is not null, Running);
        Assert.Contains("never healthy", crash!.Value.GetProperty("exit_description").GetString(), StringComparison.Ordinal);
        Assert.Contains("/missing answered 404", crash.Value.GetProperty("exit_description").GetString(), StringComparison.Ordinal);
        await WaitForStatesAsync(http, app, "CRASHED");
    }

    [Fact]
    public async Task AMemoryHogIsKilledAsOutOfMemory()
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());
        // tail keeps a line that never ends: its memory grows until the runtime stops it.
        var (app, _) = await PushAsync(http, space, "hog", new { buildpack = "binary_buildpack", memory = 64, health_check_type = "process" },
            ("Procfile", Zips.Text("web: exec tail /dev/zero\n"), 420));

        var crash = await Eventually.ValueAsync("an app.crash event", () => CrashEventAsync(http, app), e => e is not null, Running);
        Assert.Contains("out of memory", crash!.Value.GetProperty("exit_description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUploadedBuildpackStagesAndRunsTheAppAndAFailingCompileFailsStaging()
    {
        using var admin = await fixture.Admin();
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(admin);
        var id = Guid.NewGuid().ToString("N")[..8];
        var good = await BuildpackAsync(admin, $"marker-{id}",
            detect: "[ -f \"$1/marker.txt\" ]",
            compile: "echo \"-----> compiling $(cat $1/marker.txt)\"; echo built > \"$1/built.txt\"",
            release: "printf -- '---\\ndefault_process_types:\\n  web: cat built.txt && exec sleep 100000\\n'");
        await BuildpackAsync(admin, $"broken-{id}", detect: "[ -f \"$1/broken.txt\" ]", compile: "echo 'compile is going to fail' >&2; exit 3", release: "true", v3: true);

        // Not a zip: refused as CF refuses it.
        using (var bad = new MultipartFormDataContent { { new ByteArrayContent(Zips.Text("not a zip")), "buildpack", "bp.zip" } })
        {
            await (await admin.PutAsync($"/v2/buildpacks/{good}/bits", bad)).V2ErrorAsync(HttpStatusCode.BadRequest, 290002, "CF-BuildpackBitsUploadInvalid");
        }

        var (app, _) = await PushAsync(http, space, "bp", new { health_check_type = "process" }, ("marker.txt", Zips.Text("the marker"), 420));
        var staged = await BitsTests.EntityAsync(http, app);
        Assert.Equal("STAGED", staged.GetProperty("package_state").GetString());
        Assert.Equal($"marker-{id}", staged.GetProperty("detected_buildpack").GetString());
        Assert.Equal("cat built.txt && exec sleep 100000", staged.GetProperty("detected_start_command").GetString());
        await WaitForStatesAsync(http, app, "RUNNING");
        // Staging's output reaches the app's log as it is printed (a batch every few hundred milliseconds).
        await Eventually.HoldsAsync("the compile step's output in the log", async () => (await LogsAsync(http, app)).Any(l => l.Contains("-----> compiling the marker", StringComparison.Ordinal)));
        await Eventually.HoldsAsync("the app printed what its buildpack built", async () => (await LogsAsync(http, app)).Contains("built"));

        var (failing, _) = await PushAsync(http, space, "broken", new { }, ("broken.txt", Zips.Text("x"), 420));
        var failed = await BitsTests.EntityAsync(http, failing);
        Assert.Equal("FAILED", failed.GetProperty("package_state").GetString());
        Assert.Equal("BuildpackCompileFailed", failed.GetProperty("staging_failed_reason").GetString());
        await Eventually.HoldsAsync("the failed compile's error output in the log", async () => (await LogsAsync(http, failing)).Any(l => l.Contains("compile is going to fail", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task TasksRunAsProcessesAndTheirExitStatusDecidesTheirState()
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());
        var (app, _) = await PushAsync(http, space, "tasks", new { buildpack = "binary_buildpack", health_check_type = "process" },
            ("Procfile", Zips.Text("web: exec sleep 100000\n"), 420), ("greeting.txt", Zips.Text("from the droplet"), 420));

        var succeeded = await TaskAsync(http, app, "echo \"task says $(cat greeting.txt) as $CF_INSTANCE_GUID\"");
        Assert.Equal("SUCCEEDED", (await TaskEndAsync(http, succeeded)).GetProperty("state").GetString());
        await Eventually.HoldsAsync("the task's output in the log", async () => (await LogsAsync(http, app)).Any(l => l.Contains("task says from the droplet as " + succeeded, StringComparison.Ordinal)));

        var failed = await TaskEndAsync(http, await TaskAsync(http, app, "exit 7"));
        Assert.Equal("FAILED", failed.GetProperty("state").GetString());
        Assert.EndsWith("exited with status 7", failed.GetProperty("result").GetProperty("failure_reason").GetString(), StringComparison.Ordinal);

        var sleeper = await TaskAsync(http, app, "echo sleeping; exec sleep 100001");
        await Eventually.HoldsAsync("the long task runs", () => Task.FromResult(CloudController.Grains.Runtime.Local.OsProcesses.WithEnvironment($"CF_INSTANCE_GUID={sleeper}").Count > 0));
        await (await http.PostAsync($"/v3/tasks/{sleeper}/actions/cancel", null)).JsonAsync(HttpStatusCode.Accepted);
        Assert.Equal("FAILED", (await TaskEndAsync(http, sleeper)).GetProperty("state").GetString());
        await Eventually.HoldsAsync("the canceled task's process is gone", () => Task.FromResult(CloudController.Grains.Runtime.Local.OsProcesses.WithEnvironment($"CF_INSTANCE_GUID={sleeper}").Count == 0), TimeSpan.FromSeconds(10));
    }

    private static async Task<string> TaskAsync(HttpClient http, string app, string command) =>
        (await (await http.PostJsonAsync($"/v3/apps/{app}/tasks", new { command })).JsonAsync(HttpStatusCode.Accepted)).GetProperty("guid").GetString()!;

    private static Task<JsonElement> TaskEndAsync(HttpClient http, string task) =>
        Eventually.ValueAsync($"task {task} ends", async () => await (await http.GetAsync($"/v3/tasks/{task}")).JsonAsync(HttpStatusCode.OK),
            t => t.GetProperty("state").GetString() is "SUCCEEDED" or "FAILED", Running);

    [SkippableFact]
    public async Task TheCfCliV7PushesASiteThatAnswersThroughTheRouterAndRollsWithoutAFailedRequest()
    {
        Skip.If(Cli.V7Binary is null, Cli.V7MissingMessage);
        using var cf = Cli.V7();
        var id = Guid.NewGuid().ToString("N")[..8];
        await cf.TargetNewSpaceAsync(fixture.Url, $"local-{id}");
        var site = Directory.CreateTempSubdirectory("cf7-local-");
        await File.WriteAllTextAsync(Path.Combine(site.FullName, "index.html"), "<p>pushed with cf v7</p>");
        var app = $"site-{id}";

        var pushed = await cf.ExpectAsync(0, "requested state:   started", "push", app, "-p", site.FullName, "-i", "2", "-m", "128M");
        Assert.Contains("staticfile_buildpack", pushed, StringComparison.Ordinal);
        var hostname = $"{app}.apps.localhost";
        await Eventually.HoldsAsync("the pushed site answers", async () => (await BodyAsync(hostname, "/")).Contains("pushed with cf v7", StringComparison.Ordinal), Running);

        // A rolling restart under a steady stream of requests: not one fails.
        using var stop = new CancellationTokenSource();
        var (ok, failed) = (0, new List<string>());
        var load = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await fixture.ViaRouterAsync(hostname);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    ok++;
                }
                else
                {
                    failed.Add($"{(int)response.StatusCode} {string.Join(",", response.Headers.TryGetValues("X-Cf-Routererror", out var e) ? e : [])}");
                }
            }
        });
        await cf.ExpectAsync(0, "requested state:   started", "restart", app, "--strategy", "rolling");
        await stop.CancelAsync();
        await load;
        Assert.True(ok > 20, $"only {ok} requests were made during the rolling restart");
        Assert.Empty(failed);
    }

    [SkippableFact]
    public async Task TheCfCliV6PushesASiteThatAnswersThroughTheRouter()
    {
        Skip.If(Cli.Binary is null, Cli.MissingMessage);
        using var cf = new Cli();
        var id = Guid.NewGuid().ToString("N")[..8];
        await cf.TargetNewSpaceAsync(fixture.Url, $"local6-{id}");
        var site = Directory.CreateTempSubdirectory("cf6-local-");
        await File.WriteAllTextAsync(Path.Combine(site.FullName, "index.html"), "<p>pushed with cf v6</p>");
        var app = $"site6-{id}";

        await cf.ExpectAsync(0, "#0   running", "push", app, "-p", site.FullName, "-m", "128M");
        var hostname = $"{app}.apps.localhost";
        await Eventually.HoldsAsync("the pushed site answers", async () => (await BodyAsync(hostname, "/")).Contains("pushed with cf v6", StringComparison.Ordinal), Running);
        await cf.ExpectAsync(0, "OK", "stop", app);
        await Eventually.HoldsAsync("the stopped site is an unknown route", async () => await BodyAsync(hostname, "/") == "404", TimeSpan.FromSeconds(5));
    }

    /// <summary>An app from <paramref name="fields"/> and <paramref name="files"/>, its own route, started and staged.</summary>
    private static async Task<(string App, string Host)> PushAsync(HttpClient http, string space, string name, object fields, params (string Path, byte[] Content, int Mode)[] files)
    {
        var body = JsonSerializer.SerializeToNode(fields)!.AsObject();
        body["name"] = $"{name}-{Guid.NewGuid():N}"[..20];
        body["space_guid"] = space;
        body["memory"] ??= 128;
        var created = await (await http.PostAsync("/v2/apps", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"))).JsonAsync(HttpStatusCode.Created);
        var app = created.GetProperty("metadata").GetProperty("guid").GetString()!;
        var host = body["name"]!.GetValue<string>();
        var route = await RoutingTests.NewRouteAsync(http, host, await RoutingTests.SharedDomainAsync(http), space);
        await (await http.PutAsync($"/v2/routes/{route}/apps/{app}", null)).JsonAsync(HttpStatusCode.Created);
        await BitsTests.Upload201Async(http, app, [], Zips.Create(files));
        await (await http.PutJsonAsync($"/v2/apps/{app}", new { state = "STARTED" })).JsonAsync(HttpStatusCode.Created);
        await StagingTests.WaitForStagingAsync(http, app);
        return (app, $"{host}.apps.localhost");
    }

    private async Task<string> BodyAsync(string hostname, string path)
    {
        using var response = await fixture.ViaRouterAsync(hostname, path);
        return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsStringAsync() : $"{(int)response.StatusCode}";
    }

    private static async Task WaitForStatesAsync(HttpClient http, string app, params string[] states) =>
        await Eventually.HoldsAsync($"instances {string.Join(",", states)}", async () =>
        {
            var response = await http.GetAsync($"/v2/apps/{app}/instances");
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return false;
            }

            var instances = await response.JsonAsync(HttpStatusCode.OK);
            return states.Select((state, i) => instances.TryGetProperty(i.ToString(CultureInfo.InvariantCulture), out var instance)
                && instance.GetProperty("state").GetString() == state).All(x => x);
        }, Running);

    private static async Task<JsonElement?> CrashEventAsync(HttpClient http, string app)
    {
        var events = await (await http.GetAsync($"/v2/events?q=actee:{app}&q=type:app.crash")).JsonAsync(HttpStatusCode.OK);
        return events.GetProperty("total_results").GetInt32() > 0 ? events.GetProperty("resources")[0].GetProperty("entity").GetProperty("metadata").Clone() : null;
    }

    private static async Task<List<string>> LogsAsync(HttpClient http, string app)
    {
        var read = await (await http.GetAsync($"/api/v1/read/{app}?limit=1000&envelope_types=LOG")).JsonAsync(HttpStatusCode.OK);
        return [.. read.GetProperty("envelopes").GetProperty("batch").EnumerateArray()
            .Select(e => Encoding.UTF8.GetString(Convert.FromBase64String(e.GetProperty("log").GetProperty("payload").GetString()!)))];
    }

    /// <summary>An admin buildpack with bits: <c>bin/detect</c>, <c>bin/compile</c> and <c>bin/release</c> shell scripts.</summary>
    private static async Task<string> BuildpackAsync(HttpClient admin, string name, string detect, string compile, string release, bool v3 = false)
    {
        var guid = v3
            ? (await (await admin.PostJsonAsync("/v3/buildpacks", new { name, position = 1 })).JsonAsync(HttpStatusCode.Created)).GetProperty("guid").GetString()!
            : (await (await admin.PostJsonAsync("/v2/buildpacks", new { name, position = 1 })).JsonAsync(HttpStatusCode.Created)).GetProperty("metadata").GetProperty("guid").GetString()!;
        var zip = Zips.Create(
            ("bin/detect", Zips.Text($"#!/bin/sh\n{detect}\n"), 493),
            ("bin/compile", Zips.Text($"#!/bin/sh\n{compile}\n"), 493),
            ("bin/release", Zips.Text($"#!/bin/sh\n{release}\n"), 493));
        using var content = new MultipartFormDataContent();
        var file = new ByteArrayContent(zip);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        content.Add(file, v3 ? "bits" : "buildpack", $"{name}.zip");
        if (v3)
        {
            // cf v7: the upload answers with a job, and the buildpack is READY once the job completes.
            var accepted = await admin.PostAsync($"/v3/buildpacks/{guid}/upload", content);
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            var job = accepted.Headers.Location!;
            await Eventually.HoldsAsync("the upload job completes", async () =>
                (await (await admin.GetAsync(job)).JsonAsync(HttpStatusCode.OK)).GetProperty("state").GetString() == "COMPLETE");
            var ready = await (await admin.GetAsync($"/v3/buildpacks/{guid}")).JsonAsync(HttpStatusCode.OK);
            Assert.Equal("READY", ready.GetProperty("state").GetString());
            Assert.Equal($"{name}.zip", ready.GetProperty("filename").GetString());
            return guid;
        }

        var uploaded = await (await admin.PutAsync($"/v2/buildpacks/{guid}/bits", content)).JsonAsync(HttpStatusCode.Created);
        Assert.Equal($"{name}.zip", uploaded.GetProperty("entity").GetProperty("filename").GetString());
        return guid;
    }

    /// <summary>The pids of the app's instance processes (their environment names the app), optionally of one index.</summary>
    private static List<int> InstancePids(string app, int? index = null)
    {
        var pids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var variables = File.ReadAllText(Path.Combine(dir, "environ")).Split('\0');
                if (variables.Any(v => v.StartsWith("VCAP_APPLICATION=", StringComparison.Ordinal) && v.Contains(app, StringComparison.Ordinal))
                    && (index is null || variables.Contains($"CF_INSTANCE_INDEX={index}"))
                    && File.ReadAllText(Path.Combine(dir, "stat")).Split(' ') is var stat && stat.Length > 4 && stat[4] == pid.ToString(CultureInfo.InvariantCulture))
                {
                    // The group leader: the instance's own process (its children share its group).
                    pids.Add(pid);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile.
            }
        }

        return pids;
    }
}
