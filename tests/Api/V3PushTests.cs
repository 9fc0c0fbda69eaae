using System.Net;
using System.Text;
using System.Text.Json;
using CloudController.Tests.Infrastructure;

namespace CloudController.Tests.Api;

/// <summary>What cf v7's push and app commands send beyond the app itself: manifests, settings, matches, uploads.</summary>
[Collection(ApiTier4.Name)]
public sealed class V3PushTests(CloudControllerFixture fixture)
{
    [Fact]
    public async Task EnvironmentVariablesMergeAndANullRemovesAKey()
    {
        using var http = await fixture.As("writer");
        var app = await NewV3AppAsync(http, await AppsTests.NewSpaceAsync(await fixture.Admin()), "env", new { A = "1", B = "2" });

        var patched = await (await http.PatchAsync($"/v3/apps/{app}/environment_variables", HttpAssertions.Json(new { var = new { B = (string?)null, C = "3" } })))
            .JsonAsync(HttpStatusCode.OK);
        var read = await (await http.GetAsync($"/v3/apps/{app}/environment_variables")).JsonAsync(HttpStatusCode.OK);
        var vcap = await (await http.PatchAsync($"/v3/apps/{app}/environment_variables", HttpAssertions.Json(new { var = new { VCAP_X = "no" } })))
            .V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");

        Assert.Equal(["A", "C"], patched.GetProperty("var").EnumerateObject().Select(p => p.Name));
        Assert.Equal("3", read.GetProperty("var").GetProperty("C").GetString());
        Assert.EndsWith($"/v3/apps/{app}/environment_variables", read.GetProperty("links").GetProperty("self").GetProperty("href").GetString(), StringComparison.Ordinal);
        Assert.Contains("VCAP_", vcap.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var v2 = (await BitsTests.EntityAsync(http, app)).GetProperty("environment_json");
        Assert.Equal(["A", "C"], v2.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task FeaturesSshAndTheEmptyListsTheCliReads()
    {
        using var http = await fixture.As("writer");
        var app = await NewV3AppAsync(http, await AppsTests.NewSpaceAsync(await fixture.Admin()), "feat");

        var features = await (await http.GetAsync($"/v3/apps/{app}/features")).JsonAsync(HttpStatusCode.OK);
        var off = await (await http.PatchAsync($"/v3/apps/{app}/features/ssh", HttpAssertions.Json(new { enabled = false }))).JsonAsync(HttpStatusCode.OK);
        var ssh = await (await http.GetAsync($"/v3/apps/{app}/ssh_enabled")).JsonAsync(HttpStatusCode.OK);
        var revisions = await (await http.PatchAsync($"/v3/apps/{app}/features/revisions", HttpAssertions.Json(new { enabled = true })))
            .V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        var unknown = await (await http.GetAsync($"/v3/apps/{app}/features/nope")).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ResourceNotFound");
        var web = (await (await http.GetAsync($"/v3/apps/{app}/processes/web")).JsonAsync(HttpStatusCode.OK)).GetProperty("guid").GetString();
        var sidecars = await (await http.GetAsync($"/v3/processes/{web}/sidecars")).JsonAsync(HttpStatusCode.OK);
        var appSidecars = await (await http.GetAsync($"/v3/apps/{app}/sidecars")).JsonAsync(HttpStatusCode.OK);
        var revisionList = await (await http.GetAsync($"/v3/apps/{app}/revisions")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(["ssh", "revisions"], features.GetProperty("resources").EnumerateArray().Select(f => f.GetProperty("name").GetString()));
        Assert.False(off.GetProperty("enabled").GetBoolean());
        Assert.False(ssh.GetProperty("enabled").GetBoolean());
        Assert.Equal("App has SSH disabled", ssh.GetProperty("reason").GetString());
        Assert.Contains("Revisions", revisions.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("Feature not found", unknown.GetProperty("detail").GetString());
        Assert.Equal(0, sidecars.GetProperty("pagination").GetProperty("total_results").GetInt32());
        Assert.Empty(appSidecars.GetProperty("resources").EnumerateArray());
        Assert.Empty(revisionList.GetProperty("resources").EnumerateArray());
        await (await http.GetAsync($"/v3/processes/{Guid.NewGuid()}/sidecars")).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ProcessNotFound");
    }

    [Fact]
    public async Task TheCurrentDropletRelationshipTakesOnlyAStagedDropletOfTheApp()
    {
        using var http = await fixture.As("writer");
        var app = await new StagingTests(fixture).AppWithBitsAsync(http, ("package.json", "{}"));
        var package = (await (await http.GetAsync($"/v3/apps/{app}/packages")).JsonAsync(HttpStatusCode.OK)).GetProperty("resources")[0].GetProperty("guid").GetString();
        var build = await (await http.PostJsonAsync("/v3/builds", new { package = new { guid = package } })).JsonAsync(HttpStatusCode.Created);
        var staged = await Eventually.ValueAsync("the build stages",
            async () => await (await http.GetAsync($"/v3/builds/{build.GetProperty("guid").GetString()}")).JsonAsync(HttpStatusCode.OK),
            b => b.GetProperty("state").GetString() != "STAGING");
        var droplet = staged.GetProperty("droplet").GetProperty("guid").GetString();

        var empty = await (await http.GetAsync($"/v3/apps/{app}/relationships/current_droplet")).JsonAsync(HttpStatusCode.OK);
        var unknown = await (await http.PatchAsync($"/v3/apps/{app}/relationships/current_droplet", HttpAssertions.Json(new { data = new { guid = Guid.NewGuid() } })))
            .V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        var set = await (await http.PatchAsync($"/v3/apps/{app}/relationships/current_droplet", HttpAssertions.Json(new { data = new { guid = droplet } })))
            .JsonAsync(HttpStatusCode.OK);
        await (await http.PostAsync($"/v3/apps/{app}/actions/start", null)).JsonAsync(HttpStatusCode.OK);
        // As CC, today's relationship may be set under a started app (cf push sets it, then restarts).
        var again = await (await http.PatchAsync($"/v3/apps/{app}/relationships/current_droplet", HttpAssertions.Json(new { data = new { guid = droplet } })))
            .JsonAsync(HttpStatusCode.OK);

        var builds = await (await http.GetAsync($"/v3/apps/{app}/builds?states=STAGED")).JsonAsync(HttpStatusCode.OK);
        var notReady = (await (await http.PostJsonAsync("/v3/packages", new { type = "bits", relationships = new { app = new { data = new { guid = app } } } }))
            .JsonAsync(HttpStatusCode.Created)).GetProperty("guid").GetString();
        var refused = await (await http.PostJsonAsync("/v3/builds", new { package = new { guid = notReady } })).V3ErrorAsync(HttpStatusCode.BadRequest, 1004, "CF-BadRequest");

        Assert.Equal("STAGED", staged.GetProperty("state").GetString());
        Assert.Equal(build.GetProperty("guid").GetString(), builds.GetProperty("resources")[0].GetProperty("guid").GetString());
        Assert.Equal("Bad request: Cannot stage package whose state is not ready.", refused.GetProperty("detail").GetString());
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("data").ValueKind);
        Assert.Equal("Unable to assign current droplet. Ensure the droplet exists and belongs to this app.", unknown.GetProperty("detail").GetString());
        Assert.Equal(droplet, set.GetProperty("data").GetProperty("guid").GetString());
        Assert.Equal(droplet, again.GetProperty("data").GetProperty("guid").GetString());
        Assert.EndsWith($"/v3/apps/{app}/droplets/current", set.GetProperty("links").GetProperty("related").GetProperty("href").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AManifestCreatesAndConfiguresAppsWithProcessesAndRoutes()
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());
        var domain = await DefaultDomainAsync(http, space);
        var yaml = $"""
            applications:
            - name: mf-web
              memory: 64M
              disk_quota: 1G
              instances: 2
              env:
                GREETING: hello
              routes:
              - route: mf-web-{space[..8]}.{domain}
              - route: mf-web-{space[..8]}.{domain}/api
              processes:
              - type: worker
                command: ./work
                instances: 1
                memory: 32M
              metadata:
                labels:
                  tier: front
            - name: mf-plain
              default-route: true
            """;

        var job = await ApplyAsync(http, space, yaml);
        var apps = await (await http.GetAsync($"/v3/apps?space_guids={space}&order_by=name")).JsonAsync(HttpStatusCode.OK);
        var web = apps.GetProperty("resources").EnumerateArray().Single(a => a.GetProperty("name").GetString() == "mf-web").GetProperty("guid").GetString()!;
        var plain = apps.GetProperty("resources").EnumerateArray().Single(a => a.GetProperty("name").GetString() == "mf-plain").GetProperty("guid").GetString()!;
        var entity = await BitsTests.EntityAsync(http, web);
        var processes = await (await http.GetAsync($"/v3/apps/{web}/processes")).JsonAsync(HttpStatusCode.OK);
        var routes = await (await http.GetAsync($"/v3/apps/{web}/routes")).JsonAsync(HttpStatusCode.OK);
        var plainRoutes = await (await http.GetAsync($"/v3/apps/{plain}/routes")).JsonAsync(HttpStatusCode.OK);
        var manifest = await (await http.GetAsync($"/v3/apps/{web}/manifest")).Content.ReadAsStringAsync();
        var again = await ApplyAsync(http, space, yaml);
        var routesAfter = await (await http.GetAsync($"/v3/apps/{web}/routes")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal("space.apply_manifest", job.GetProperty("operation").GetString());
        Assert.Equal("STOPPED", apps.GetProperty("resources")[0].GetProperty("state").GetString());
        Assert.Equal(64, entity.GetProperty("memory").GetInt32());
        Assert.Equal(1024, entity.GetProperty("disk_quota").GetInt32());
        Assert.Equal(2, entity.GetProperty("instances").GetInt32());
        Assert.Equal("hello", entity.GetProperty("environment_json").GetProperty("GREETING").GetString());
        var worker = processes.GetProperty("resources").EnumerateArray().Single(p => p.GetProperty("type").GetString() == "worker");
        Assert.Equal("./work", worker.GetProperty("command").GetString());
        Assert.Equal(32, worker.GetProperty("memory_in_mb").GetInt32());
        Assert.Equal(2, routes.GetProperty("resources").GetArrayLength());
        Assert.Contains(routes.GetProperty("resources").EnumerateArray(), r => r.GetProperty("path").GetString() == "/api");
        Assert.Equal($"mf-plain.{domain}", plainRoutes.GetProperty("resources")[0].GetProperty("url").GetString());
        Assert.Contains("name: mf-web", manifest, StringComparison.Ordinal);
        Assert.Contains("memory: 64M", manifest, StringComparison.Ordinal);
        Assert.Contains($"route: mf-web-{space[..8]}.{domain}/api", manifest, StringComparison.Ordinal);
        Assert.Contains("tier: front", manifest, StringComparison.Ordinal);
        // Applying it again changes nothing: no second app, no second route.
        Assert.Equal("COMPLETE", again.GetProperty("state").GetString());
        Assert.Equal(2, routesAfter.GetProperty("resources").GetArrayLength());
        Assert.Equal(2, (await (await http.GetAsync($"/v3/apps?space_guids={space}")).JsonAsync(HttpStatusCode.OK)).GetProperty("pagination").GetProperty("total_results").GetInt32());
    }

    [Fact]
    public async Task AnInvalidManifestListsEveryProblemAndChangesNothing()
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());
        var yaml = """
            applications:
            - name: bad-one
              memory: 12Q
              colour: blue
              routes:
              - route: x.no-such-domain.example
            - name: good-one
              instances: -1
              services: [db]
            - name: fine
            """;

        var response = await http.PostAsync($"/v3/spaces/{space}/actions/apply_manifest", Yaml(yaml));
        var errors = (await response.JsonAsync(HttpStatusCode.UnprocessableEntity)).GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("detail").GetString()!).ToList();
        var apps = await (await http.GetAsync($"/v3/apps?space_guids={space}")).JsonAsync(HttpStatusCode.OK);

        Assert.Contains("For application 'bad-one': Memory must use a supported unit: B, K, KB, M, MB, G, GB, T, or TB", errors);
        Assert.Contains("For application 'bad-one': Unknown field(s): 'colour'", errors);
        Assert.Contains("For application 'bad-one': The route 'x.no-such-domain.example' did not match any existing domains.", errors);
        Assert.Contains("For application 'good-one': Instances must be greater than or equal to 0", errors);
        Assert.Contains("For application 'good-one': Service instance 'db' not found", errors);
        Assert.Equal(0, apps.GetProperty("pagination").GetProperty("total_results").GetInt32());
    }

    [Fact]
    public async Task ManifestBoundsAndFormAreCheckedBeforeAnythingIsRead()
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());
        var many = "applications:\n" + string.Concat(Enumerable.Range(0, 101).Select(i => $"- name: a{i}\n"));
        var huge = "applications:\n- name: big\n  env:\n    X: " + new string('x', 1024 * 1024 + 10) + "\n";

        var json = await (await http.PostAsync($"/v3/spaces/{space}/actions/apply_manifest", HttpAssertions.Json(new { applications = Array.Empty<object>() })))
            .V3ErrorAsync(HttpStatusCode.BadRequest, 1004, "CF-BadRequest");
        var broken = await (await http.PostAsync($"/v3/spaces/{space}/actions/apply_manifest", Yaml("applications: [ {name: x"))).V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        var none = await (await http.PostAsync($"/v3/spaces/{space}/actions/apply_manifest", Yaml("version: 1\n"))).V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        var tooMany = await (await http.PostAsync($"/v3/spaces/{space}/actions/apply_manifest", Yaml(many))).V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        var tooBig = await (await http.PostAsync($"/v3/spaces/{space}/actions/apply_manifest", Yaml(huge))).V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        using var reader = await fixture.As("reader");
        await (await reader.PostAsync($"/v3/spaces/{space}/actions/apply_manifest", Yaml("applications:\n- name: x\n"))).V3ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");

        Assert.Equal("Content-Type must be yaml", json.GetProperty("detail").GetString());
        Assert.StartsWith("Manifest is not valid YAML", broken.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("Cannot parse manifest with no 'applications' field.", none.GetProperty("detail").GetString());
        Assert.Contains("at most 100 applications", tooMany.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("at most 1048576 bytes", tooBig.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, (await (await http.GetAsync($"/v3/apps?space_guids={space}")).JsonAsync(HttpStatusCode.OK)).GetProperty("pagination").GetProperty("total_results").GetInt32());
    }

    [Fact]
    public async Task NoRouteUnmapsAndARouteOfAnotherSpaceFailsTheJob()
    {
        using var http = await fixture.As("writer");
        var admin = await fixture.Admin();
        var space = await AppsTests.NewSpaceAsync(admin);
        var domain = await DefaultDomainAsync(http, space);
        var host = $"mf-{Guid.NewGuid():N}"[..20];
        await ApplyAsync(http, space, $"applications:\n- name: routed\n  routes:\n  - route: {host}.{domain}\n");
        var app = (await (await http.GetAsync($"/v3/apps?space_guids={space}&names=routed")).JsonAsync(HttpStatusCode.OK)).GetProperty("resources")[0].GetProperty("guid").GetString();

        await ApplyAsync(http, space, "applications:\n- name: routed\n  no-route: true\n");
        var routes = await (await http.GetAsync($"/v3/apps/{app}/routes")).JsonAsync(HttpStatusCode.OK);
        var other = await AppsTests.NewSpaceAsync(admin);
        var response = await http.PostAsync($"/v3/spaces/{other}/actions/apply_manifest", Yaml($"applications:\n- name: thief\n  routes:\n  - route: {host}.{domain}\n"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var failed = await Eventually.ValueAsync("the job ends", async () => await (await http.GetAsync(response.Headers.Location)).JsonAsync(HttpStatusCode.OK),
            j => j.GetProperty("state").GetString() is "COMPLETE" or "FAILED");

        Assert.Equal(0, routes.GetProperty("pagination").GetProperty("total_results").GetInt32());
        Assert.Equal("FAILED", failed.GetProperty("state").GetString());
        Assert.Equal("For application 'thief': Routes cannot be mapped to destinations in different spaces",
            failed.GetProperty("errors")[0].GetProperty("detail").GetString());
    }

    [Fact]
    public async Task ResourceMatchesAnswerWhatTheCacheHoldsAndAnUploadMayBeResourcesOnly()
    {
        using var http = await fixture.As("writer");
        var app = await NewV3AppAsync(http, await AppsTests.NewSpaceAsync(await fixture.Admin()), "matched");
        var big = Zips.Random(70 * 1024);
        var sha1 = Zips.Sha1(big);
        var fingerprint = new { path = "big.bin", mode = "644", checksum = new { value = sha1 }, size_in_bytes = big.Length };

        var before = await (await http.PostJsonAsync("/v3/resource_matches", new { resources = new[] { fingerprint } })).JsonAsync(HttpStatusCode.Created);
        var first = await DropletsTests.ReadyPackageAsync(http, app, ("index.html", Zips.Text("<p>")), ("big.bin", big));
        var after = await (await http.PostJsonAsync("/v3/resource_matches", new { resources = new[] { fingerprint } })).JsonAsync(HttpStatusCode.Created);
        var second = (await (await http.PostJsonAsync("/v3/packages", new { type = "bits", relationships = new { app = new { data = new { guid = app } } } }))
            .JsonAsync(HttpStatusCode.Created)).GetProperty("guid").GetString();
        using var form = new MultipartFormDataContent { { new StringContent(JsonSerializer.Serialize(new[] { fingerprint })), "resources" } };
        await (await http.PostAsync($"/v3/packages/{second}/upload", form)).JsonAsync(HttpStatusCode.OK);
        var ready = await Eventually.ValueAsync("the package is processed", async () => await (await http.GetAsync($"/v3/packages/{second}")).JsonAsync(HttpStatusCode.OK),
            p => p.GetProperty("state").GetString() is "READY" or "FAILED");
        var bits = await (await http.GetAsync($"/v3/packages/{second}/download")).Content.ReadAsByteArrayAsync();
        using var empty = new MultipartFormDataContent { { new StringContent("x"), "other" } };
        var third = (await (await http.PostJsonAsync("/v3/packages", new { type = "bits", relationships = new { app = new { data = new { guid = app } } } }))
            .JsonAsync(HttpStatusCode.Created)).GetProperty("guid").GetString();

        Assert.Empty(before.GetProperty("resources").EnumerateArray());
        Assert.NotNull(first);
        Assert.Equal(sha1, after.GetProperty("resources")[0].GetProperty("checksum").GetProperty("value").GetString());
        Assert.Equal("READY", ready.GetProperty("state").GetString());
        Assert.Contains("big.bin", Zips.Names(bits));
        var refused = await (await http.PostAsync($"/v3/packages/{third}/upload", empty)).V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        Assert.Equal("Upload must include either resources or bits", refused.GetProperty("detail").GetString());
        await (await http.PostJsonAsync("/v3/resource_matches", new { resources = Array.Empty<object>() })).V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        await (await http.PostJsonAsync("/v3/resource_matches", new { resources = Enumerable.Repeat(fingerprint, 5001) }))
            .V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
    }

    [Fact]
    public async Task ARollingDeploymentNeverRunsFewerInstancesThanAskedAndEndsDeployed()
    {
        using var http = await fixture.As("writer");
        var app = await new StagingTests(fixture).AppWithBitsAsync(http, ("package.json", "{}"));
        await (await http.PutJsonAsync($"/v2/apps/{app}", new { state = "STARTED", instances = 3, memory = 64 })).JsonAsync(HttpStatusCode.Created);
        await StagingTests.WaitForStagingAsync(http, app);
        await Eventually.HoldsAsync("three instances run", async () => await RunningAsync(http, app) == 3);
        var droplet = (await (await http.GetAsync($"/v3/apps/{app}/droplets/current")).JsonAsync(HttpStatusCode.OK)).GetProperty("guid").GetString();

        var created = await (await http.PostJsonAsync("/v3/deployments", new { droplet = new { guid = droplet }, relationships = new { app = new { data = new { guid = app } } } }))
            .JsonAsync(HttpStatusCode.Created);
        var guid = created.GetProperty("guid").GetString();
        var fewest = int.MaxValue;
        var ended = await Eventually.ValueAsync("the deployment ends", async () =>
        {
            fewest = Math.Min(fewest, await RunningAsync(http, app));
            return await (await http.GetAsync($"/v3/deployments/{guid}")).JsonAsync(HttpStatusCode.OK);
        }, d => d.GetProperty("status").GetProperty("value").GetString() == "FINALIZED", TimeSpan.FromSeconds(60));
        var listed = await (await http.GetAsync($"/v3/deployments?app_guids={app}&status_values=FINALIZED")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal("ACTIVE", created.GetProperty("status").GetProperty("value").GetString());
        Assert.Equal("DEPLOYED", ended.GetProperty("status").GetProperty("reason").GetString());
        Assert.True(fewest >= 3, $"only {fewest} instances ran during the roll");
        Assert.Equal(3, (await BitsTests.EntityAsync(http, app)).GetProperty("instances").GetInt32());
        Assert.Equal(guid, listed.GetProperty("resources")[0].GetProperty("guid").GetString());
        await (await http.GetAsync($"/v3/deployments/{Guid.NewGuid()}")).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ResourceNotFound");
        await (await http.PostAsync($"/v3/deployments/{guid}/actions/cancel", null)).V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
    }

    [Fact]
    public async Task TasksRunOnTheDropletSucceedOrFailAndCanBeCanceled()
    {
        using var http = await fixture.As("writer");
        var app = await new StagingTests(fixture).AppWithBitsAsync(http, ("package.json", "{}"));
        var bare = await NewV3AppAsync(http, await AppsTests.NewSpaceAsync(await fixture.Admin()), "bare");
        var noDroplet = await (await http.PostJsonAsync($"/v3/apps/{bare}/tasks", new { command = "x" })).V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        await (await http.PutJsonAsync($"/v2/apps/{app}", new { state = "STARTED" })).JsonAsync(HttpStatusCode.Created);
        await StagingTests.WaitForStagingAsync(http, app);

        var ok = await (await http.PostJsonAsync($"/v3/apps/{app}/tasks", new { command = "rake db:migrate", name = "migrate", memory_in_mb = 64 })).JsonAsync(HttpStatusCode.Accepted);
        var bad = await (await http.PostJsonAsync($"/v3/apps/{app}/tasks", new { command = "exit 1" })).JsonAsync(HttpStatusCode.Accepted);
        var long_ = await (await http.PostJsonAsync($"/v3/apps/{app}/tasks", new { command = "sleep 1000", name = "long" })).JsonAsync(HttpStatusCode.Accepted);
        var canceled = await (await http.PostAsync($"/v3/tasks/{long_.GetProperty("guid").GetString()}/actions/cancel", null)).JsonAsync(HttpStatusCode.Accepted);
        var succeeded = await Eventually.ValueAsync("the task ends", async () => await (await http.GetAsync($"/v3/tasks/{ok.GetProperty("guid").GetString()}")).JsonAsync(HttpStatusCode.OK),
            t => t.GetProperty("state").GetString() is "SUCCEEDED" or "FAILED");
        var failed = await Eventually.ValueAsync("the task ends", async () => await (await http.GetAsync($"/v3/tasks/{bad.GetProperty("guid").GetString()}")).JsonAsync(HttpStatusCode.OK),
            t => t.GetProperty("state").GetString() is "SUCCEEDED" or "FAILED");
        var listed = await (await http.GetAsync($"/v3/apps/{app}/tasks?sequence_ids=1,3")).JsonAsync(HttpStatusCode.OK);
        var logs = await (await http.GetAsync($"/api/v1/read/{app}?envelope_types=LOG&limit=1000")).Content.ReadAsStringAsync();

        Assert.Equal("Task must have a droplet. Assign current droplet to app.", noDroplet.GetProperty("detail").GetString());
        Assert.Equal("PENDING", ok.GetProperty("state").GetString());
        Assert.Equal(1, ok.GetProperty("sequence_id").GetInt32());
        Assert.Equal(64, ok.GetProperty("memory_in_mb").GetInt32());
        Assert.Equal("SUCCEEDED", succeeded.GetProperty("state").GetString());
        Assert.Equal("FAILED", failed.GetProperty("state").GetString());
        Assert.Equal("FAILED", canceled.GetProperty("state").GetString());
        Assert.Equal("task was cancelled", canceled.GetProperty("result").GetProperty("failure_reason").GetString());
        Assert.Equal(["migrate", "long"], listed.GetProperty("resources").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        Assert.Contains("APP/TASK/migrate", logs, StringComparison.Ordinal);
        await (await http.PostAsync($"/v3/tasks/{long_.GetProperty("guid").GetString()}/actions/cancel", null)).V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        await (await http.GetAsync($"/v3/tasks/{Guid.NewGuid()}")).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ResourceNotFound");
    }

    private static async Task<int> RunningAsync(HttpClient http, string app) =>
        (await (await http.GetAsync($"/v3/apps/{app}/processes/web/stats")).JsonAsync(HttpStatusCode.OK))
            .GetProperty("resources").EnumerateArray().Count(i => i.GetProperty("state").GetString() == "RUNNING");

    internal static StringContent Yaml(string yaml) => new(yaml, Encoding.UTF8, "application/x-yaml");

    /// <summary>Applies a manifest and waits for its job, which must complete.</summary>
    internal static async Task<JsonElement> ApplyAsync(HttpClient http, string space, string yaml)
    {
        var response = await http.PostAsync($"/v3/spaces/{space}/actions/apply_manifest", Yaml(yaml));
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return await V3PlatformTests.PollJobAsync(http, response.Headers.Location!);
    }

    internal static async Task<string> DefaultDomainAsync(HttpClient http, string space)
    {
        var org = (await (await http.GetAsync($"/v3/spaces/{space}")).JsonAsync(HttpStatusCode.OK))
            .GetProperty("relationships").GetProperty("organization").GetProperty("data").GetProperty("guid").GetString();
        return (await (await http.GetAsync($"/v3/organizations/{org}/domains/default")).JsonAsync(HttpStatusCode.OK)).GetProperty("name").GetString()!;
    }

    private static async Task<string> NewV3AppAsync(HttpClient http, string space, string name, object? env = null) =>
        (await (await http.PostJsonAsync("/v3/apps", new { name, relationships = new { space = new { data = new { guid = space } } }, environment_variables = env ?? new { } }))
            .JsonAsync(HttpStatusCode.Created)).GetProperty("guid").GetString()!;
}
