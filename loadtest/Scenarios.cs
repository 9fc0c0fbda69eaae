using System.Net;
using System.Text.Json;

namespace CloudController.LoadTest;

/// <summary>The scenarios: each unit of work (an app's lifecycle, a create, a read, ...) is a list of named operations.</summary>
internal sealed class Scenarios(LoadTestOptions options, CfClient cf, RunStatistics stats, string workDirectory, Func<CfClient> newClient)
{
    /// <summary>read-heavy-roles alternates admin and space-developer reads in phases this long, so both see the same server state.</summary>
    private static readonly TimeSpan RolePhase = TimeSpan.FromSeconds(2);
    private CfClient? _developer;
    private long _readsStarted;
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan PollBound = TimeSpan.FromMinutes(5);
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private const int ListPageSize = 100;
    private readonly List<string> _spaces = [];
    private AppBits? _sharedBits;
    private readonly List<string> _readTargets = [];
    private Abuse? _abuse;
    private V3Platform? _platform;
    private EventsRead? _events;
    private LifecycleV3? _lifecycleV3;

    /// <summary>Whether the scenario is a loop of reads for a duration (rather than N units of work).</summary>
    public bool ReadsForDuration => options.Scenario is "read-heavy" or "read-heavy-roles" or "list-heavy" or "space-summary" or "baseline-read" or "abuse" or "v3-platform" or "events";

    /// <summary>Lines the scenario adds to the report (the abuse scenario's account of the burst).</summary>
    public IEnumerable<string> Notes() => _abuse?.Notes() ?? _platform?.Notes() ?? [];

    /// <summary>Log in and create the org and space the run works in (not part of the measured units).</summary>
    public async Task SetUpAsync()
    {
        if (options.Scenario.StartsWith("baseline-", StringComparison.Ordinal))
        {
            if (options.Scenario == "baseline-read")
            {
                for (var i = 0; i < Math.Min(options.Apps, 1000); i++)
                {
                    var entry = await cf.PostJsonAsync("setup", "/dict", new { name = $"app-{i}" }, HttpStatusCode.Created, j => Shapes.HasString(j, "guid"));
                    _readTargets.Add(entry.GetProperty("guid").GetString()!);
                }
            }

            return;
        }

        await cf.LogInAsync(options.User, options.Password);
        // The default quota (10 GB) would refuse most of a thousand started apps, as CF's does: the run's org gets its own.
        var quota = await cf.PostJsonAsync("setup", "/v2/quota_definitions", new
        {
            name = $"loadtest-{_run}",
            non_basic_services_allowed = true,
            total_services = -1,
            total_routes = -1,
            memory_limit = 100_000_000,
        }, HttpStatusCode.Created, Shapes.V2Resource);
        var org = await cf.PostJsonAsync("setup", "/v2/organizations", new { name = $"loadtest-{_run}", quota_definition_guid = Shapes.Guid(quota) },
            HttpStatusCode.Created, Shapes.V2Resource);
        for (var s = 0; s < options.Spaces; s++)
        {
            var space = await cf.PostJsonAsync("setup", "/v2/spaces", new { name = $"load-{s}", organization_guid = Shapes.Guid(org) }, HttpStatusCode.Created, Shapes.V2Resource);
            _spaces.Add(Shapes.Guid(space));
        }

        if (options.Scenario == "start-many")
        {
            // Every app gets bits, is staged and stopped (not measured): the units only start them.
            using var bits = AppBits.Create(workDirectory, options.Files, options.BitsSize, seed: 2);
            var staged = new System.Collections.Concurrent.ConcurrentBag<string>();
            var setup = new SetupRate(Console.Out);
            await Parallel.ForEachAsync(Enumerable.Range(0, options.Apps), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
            {
                var app = await CreateAppAsync($"start-{i}");
                await PollJobAsync(await cf.SendAsync("setup", () => new HttpRequestMessage(HttpMethod.Put, $"/v2/apps/{app}/bits?async=true")
                {
                    Content = bits.V2Body([], withZip: true),
                }, HttpStatusCode.Created, Shapes.V2Job));
                await cf.PutJsonAsync("setup", $"/v2/apps/{app}", new { state = "STARTED", memory = 64 }, HttpStatusCode.Created, Shapes.V2Resource);
                await PollStagedAsync(app);
                await cf.PutJsonAsync("setup", $"/v2/apps/{app}", new { state = "STOPPED" }, HttpStatusCode.Created, Shapes.V2Resource);
                staged.Add(app);
                setup.Done();
            });
            _readTargets.AddRange(staged);
        }

        if (options.Scenario is "lifecycle" or "lifecycle-v3")
        {
            _sharedBits = AppBits.Create(workDirectory, options.Files, options.BitsSize, seed: 1);
            _lifecycleV3 = new LifecycleV3(cf, _sharedBits, _spaces, _run);
        }

        if (options.Scenario == "abuse")
        {
            // The burst comes from a tenant of its own client; it starts once the loop has run undisturbed for a while.
            var abuser = newClient();
            await abuser.LogInAsync(options.User, options.Password);
            _abuse = new Abuse(abuser.Http, _spaces[0], _run, workDirectory);
            _ = _abuse.RunAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        }

        if (options.Scenario == "events")
        {
            _events = new EventsRead(cf, options, _run, newClient);
            await _events.SetUpAsync();
        }

        if (options.Scenario == "v3-platform")
        {
            _platform = new V3Platform(cf, options, _run);
            await _platform.SetUpAsync();
        }

        if (options.Scenario is "read-heavy" or "read-heavy-roles")
        {
            foreach (var i in Enumerable.Range(0, Math.Min(options.Apps, 1000)))
            {
                _readTargets.Add(await CreateAppAsync($"read-{i}"));
            }
        }

        if (options.Scenario == "read-heavy-roles")
        {
            _developer = await NewDeveloperAsync(Shapes.Guid(org));
        }

        if (options.Scenario is "list-heavy" or "space-summary")
        {
            // Fill the first space (at 64 creates in flight; not measured), then list it page by page. For the summary
            // each app also gets a route of its own on the default shared domain, as `cf push` gives it.
            var domain = options.Scenario == "space-summary"
                ? Shapes.Guid((await cf.GetAsync("setup", "/v2/shared_domains", j => j.GetProperty("total_results").GetInt32() > 0)).GetProperty("resources")[0])
                : null;
            await Parallel.ForEachAsync(Enumerable.Range(0, options.Apps), new ParallelOptions { MaxDegreeOfParallelism = 64 },
                async (i, _) =>
                {
                    var app = await CreateAppAsync($"list-{i}", space: 0);
                    if (domain is not null)
                    {
                        var route = Shapes.Guid(await cf.PostJsonAsync("setup", "/v2/routes",
                            new { host = $"lt-{_run}-{i}", domain_guid = domain, space_guid = _spaces[0] }, HttpStatusCode.Created, Shapes.V2Resource));
                        await cf.PutJsonAsync("setup", $"/v2/routes/{route}/apps/{app}", new { }, HttpStatusCode.Created, Shapes.V2Resource);
                    }
                });
        }
    }

    /// <summary>Unit of work number <paramref name="i"/>.</summary>
    public Task RunUnitAsync(int i) => options.Scenario switch
    {
        "lifecycle" => LifecycleAsync(i),
        "lifecycle-v3" => _lifecycleV3!.RunAsync(i),
        "create-only" => CreateAppAsync($"app-{i}"),
        "abuse" => TimedCreateAsync(i),
        "read-heavy" or "read-heavy-roles" => ReadAsync(i),
        "list-heavy" => ListAsync(i),
        "v3-platform" => _platform!.ReadRolesAsync(i),
        "events" => _events!.ReadAsync(i),
        "space-summary" => cf.GetAsync("space-summary", $"/v2/spaces/{_spaces[0]}/summary",
            j => j.GetProperty("apps").GetArrayLength() == options.Apps
                && j.GetProperty("apps").EnumerateArray().All(a => a.GetProperty("routes").GetArrayLength() == 1), keep: false),
        "upload" => UploadAsync(i),
        "start-many" => StartToRunningAsync(i),
        "baseline-blob" => cf.PostJsonAsync("blob-write", "/blob", new { name = $"app-{i}", memory = 1024 }, HttpStatusCode.Created, j => Shapes.HasString(j, "name")),
        _ => cf.GetAsync("dict-read", $"/dict/{_readTargets[i % _readTargets.Count]}", j => Shapes.HasString(j, "guid")),
    };

    public void TearDown() => _sharedBits?.Dispose();

    /// <summary>The abuse scenario's steady loop: one create, its time handed to the burst's account.</summary>
    private async Task TimedCreateAsync(int i)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await CreateAppAsync($"steady-{i}");
        _abuse!.CreateTook(System.Diagnostics.Stopwatch.GetTimestamp(), clock.Elapsed.TotalMilliseconds);
    }

    private async Task<string> CreateAppAsync(string name, int? space = null)
    {
        var spaceGuid = _spaces[space ?? (int)((uint)name.GetHashCode() % (uint)_spaces.Count)];
        return Shapes.Guid(await cf.PostJsonAsync("create-app", "/v2/apps", new { name = $"lt-{_run}-{name}", space_guid = spaceGuid }, HttpStatusCode.Created,
            Shapes.V2App($"lt-{_run}-{name}")));
    }

    /// <summary>One page of the filled space's apps, v3 and v2 in turn, walking every page.</summary>
    private Task<JsonElement> ListAsync(int i)
    {
        var pages = Math.Max(1, (options.Apps + ListPageSize - 1) / ListPageSize);
        var page = (i / 2 % pages) + 1;
        var expected = Math.Min(ListPageSize, options.Apps - ((page - 1) * ListPageSize));
        return i % 2 == 0
            ? cf.GetAsync("list-v3-apps", $"/v3/apps?space_guids={_spaces[0]}&per_page={ListPageSize}&page={page}",
                j => j.GetProperty("resources").GetArrayLength() == expected, keep: false)
            : cf.GetAsync("list-v2-apps", $"/v2/apps?q=space_guid:{_spaces[0]}&results-per-page={ListPageSize}&page={page}",
                j => j.GetProperty("resources").GetArrayLength() == expected, keep: false);
    }

    private async Task ReadAsync(int i)
    {
        var app = _readTargets[i % _readTargets.Count];
        var (client, who) = (cf, options.Scenario == "read-heavy-roles" ? "-admin" : "");
        if (_developer is not null)
        {
            Interlocked.CompareExchange(ref _readsStarted, System.Diagnostics.Stopwatch.GetTimestamp(), 0);
            if (System.Diagnostics.Stopwatch.GetElapsedTime(Interlocked.Read(ref _readsStarted)).Ticks / RolePhase.Ticks % 2 == 1)
            {
                (client, who) = (_developer, "-developer");
            }
        }

        await client.GetAsync($"get-v2-app{who}", $"/v2/apps/{app}", Shapes.V2Resource);
        await client.GetAsync($"get-v3-app{who}", $"/v3/apps/{app}", Shapes.V3App);
    }

    /// <summary>A UAA user made a developer of every space of the run (org user first, as CF requires), logged in on its own client.</summary>
    private async Task<CfClient> NewDeveloperAsync(string org)
    {
        var (name, password) = ($"lt-dev-{_run}", $"pw-{Guid.NewGuid():N}");
        await cf.PostJsonAsync("setup", "/Users", new { userName = name, password }, HttpStatusCode.Created, j => Shapes.HasString(j, "id"));
        await cf.PutJsonAsync("setup", $"/v2/organizations/{org}/users", new { username = name }, HttpStatusCode.Created, Shapes.V2Resource);
        foreach (var space in _spaces)
        {
            await cf.PutJsonAsync("setup", $"/v2/spaces/{space}/developers", new { username = name }, HttpStatusCode.Created, Shapes.V2Resource);
        }

        var developer = newClient();
        await developer.LogInAsync(name, password);
        return developer;
    }

    /// <summary>create → resource_match → async upload → job → start → STAGED → restage → STAGED → copy_bits → v3 package → delete.</summary>
    private async Task LifecycleAsync(int i)
    {
        var bits = _sharedBits!;
        var app = await CreateAppAsync($"app-{i}");
        await cf.PutJsonAsync("resource-match", "/v2/resource_match", Fingerprints(bits.Files), HttpStatusCode.OK, Shapes.ResourceList);
        var job = await cf.SendAsync("upload-bits", () => new HttpRequestMessage(HttpMethod.Put, $"/v2/apps/{app}/bits?async=true")
        {
            Content = bits.V2Body([], withZip: true),
        }, HttpStatusCode.Created, Shapes.V2Job);
        await PollJobAsync(job);
        await cf.PutJsonAsync("start-app", $"/v2/apps/{app}", new { state = "STARTED" }, HttpStatusCode.Created, Shapes.V2Resource);
        await PollStagedAsync(app);
        await PollRunningAsync(app);
        await cf.PostJsonAsync("restage-app", $"/v2/apps/{app}/restage", new { }, HttpStatusCode.Created, Shapes.V2Resource);
        await PollStagedAsync(app);
        await PollRunningAsync(app);
        var sibling = await CreateAppAsync($"app-{i}-copy");
        await PollJobAsync(await cf.PostJsonAsync("copy-bits", $"/v2/apps/{sibling}/copy_bits", new { source_app_guid = app }, HttpStatusCode.Created, Shapes.V2Job));
        var package = await cf.PostJsonAsync("create-package", $"/v3/apps/{app}/packages", new { type = "bits" }, HttpStatusCode.Created, Shapes.V3Package);
        var packageGuid = Shapes.Guid(package);
        await cf.SendAsync("upload-package", () => new HttpRequestMessage(HttpMethod.Post, $"/v3/packages/{packageGuid}/upload") { Content = bits.V3Body() },
            HttpStatusCode.OK, Shapes.V3Package);
        await PollAsync("poll-package", $"/v3/packages/{packageGuid}", Shapes.V3Package, j => j.GetProperty("state").GetString() switch
        {
            "READY" => true,
            "FAILED" => throw Failed("poll-package", "package-failed"),
            _ => false,
        });
        await cf.DeleteAsync("delete-app", $"/v2/apps/{sibling}", HttpStatusCode.NoContent);
        await cf.DeleteAsync("delete-app", $"/v2/apps/{app}", HttpStatusCode.NoContent);
    }

    /// <summary>A full upload, then the same files again as fingerprints only: what <c>cf push</c> of an unchanged app sends.</summary>
    private async Task UploadAsync(int i)
    {
        using var bits = AppBits.Create(workDirectory, options.Files, options.BitsSize, seed: HashCode.Combine(_run, i));
        var app = await CreateAppAsync($"app-{i}");
        await cf.PutJsonAsync("resource-match", "/v2/resource_match", Fingerprints(bits.Files), HttpStatusCode.OK, Shapes.ResourceList);
        await cf.SendAsync("upload-full", () => new HttpRequestMessage(HttpMethod.Put, $"/v2/apps/{app}/bits") { Content = bits.V2Body([], withZip: true) },
            HttpStatusCode.Created, Shapes.EmptyObject);
        var cacheable = bits.Files.Where(f => AppBits.Matchable(f.Size)).ToList();
        var matched = await cf.PutJsonAsync("resource-match", "/v2/resource_match", Fingerprints(bits.Files), HttpStatusCode.OK,
            j => Shapes.ResourceList(j) && j.GetArrayLength() == cacheable.Count);
        if (cacheable.Count == bits.Files.Count)
        {
            await cf.SendAsync("upload-fingerprinted", () => new HttpRequestMessage(HttpMethod.Put, $"/v2/apps/{app}/bits")
            {
                Content = bits.V2Body(cacheable, withZip: false),
            }, HttpStatusCode.Created, Shapes.EmptyObject);
        }

        _ = matched;
    }

    private Task PollJobAsync(JsonElement job) =>
        PollAsync("poll-job", job.GetProperty("metadata").GetProperty("url").GetString()!, Shapes.V2Job, j => j.GetProperty("entity").GetProperty("status").GetString() switch
        {
            "finished" => true,
            "failed" => throw Failed("poll-job", "job-failed"),
            _ => false,
        });

    private Task PollStagedAsync(string app) =>
        PollAsync("poll-staged", $"/v2/apps/{app}", Shapes.V2Resource, j => Shapes.State(j) switch
        {
            "STAGED" => true,
            "FAILED" => throw Failed("poll-staged", "staging-failed"),
            _ => false,
        });

    /// <summary>Polls <c>/v2/apps/:guid/instances</c> as <c>cf start</c> does until an instance is RUNNING; a crash fails the unit.</summary>
    private Task PollRunningAsync(string app) =>
        PollAsync("poll-running", $"/v2/apps/{app}/instances", j => j.ValueKind == JsonValueKind.Object, j =>
            j.EnumerateObject().Any(p => p.Value.GetProperty("state").GetString() == "CRASHED")
                ? throw Failed("poll-running", "crashed")
                : j.EnumerateObject().Any(p => p.Value.GetProperty("state").GetString() == "RUNNING"));

    /// <summary>
    /// The start benchmark's unit: an app staged and stopped during setup is started, then polled until its instance
    /// runs (<c>start-to-running</c> times the whole of it).
    /// </summary>
    private async Task StartToRunningAsync(int i)
    {
        var app = _readTargets[i % _readTargets.Count];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await cf.PutJsonAsync("start-app", $"/v2/apps/{app}", new { state = "STARTED" }, HttpStatusCode.Created, Shapes.V2Resource);
        await PollRunningAsync(app);
        cf.Record("start-to-running", clock.Elapsed);
    }

    private async Task PollAsync(string operation, string url, Func<JsonElement, bool> shape, Func<JsonElement, bool> done)
    {
        var started = DateTime.UtcNow;
        while (!done(await cf.GetAsync(operation, url, shape)))
        {
            if (DateTime.UtcNow - started > PollBound)
            {
                throw Failed(operation, "poll-timeout");
            }

            await Task.Delay(PollEvery);
        }
    }

    private OperationFailedException Failed(string operation, string kind)
    {
        stats.For(operation).Error(kind);
        return new OperationFailedException($"{operation}: {kind}");
    }

    private static object[] Fingerprints(IEnumerable<Fingerprint> files) =>
        [.. files.Select(f => new { fn = f.Fn, sha1 = f.Sha1, size = f.Size, mode = f.Mode })];
}

/// <summary>
/// The set-up's pace as the store grows: a line per 1,000 apps set up, with the rate over that thousand and over all
/// so far (the first and the last thousand are what "cost grows with the store" compares).
/// </summary>
internal sealed class SetupRate(TextWriter output)
{
    private const int Every = 1000;
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private readonly object _gate = new();
    private int _done;
    private TimeSpan _lastAt;

    public void Done()
    {
        lock (_gate)
        {
            _done++;
            if (_done % Every != 0)
            {
                return;
            }

            var now = _clock.Elapsed;
            output.WriteLine(System.FormattableString.Invariant(
                $"setup: {_done} apps set up in {now.TotalSeconds:0} s; the last {Every} at {Every / (now - _lastAt).TotalSeconds:0.0} apps/s, all at {_done / now.TotalSeconds:0.0} apps/s"));
            _lastAt = now;
        }
    }
}
