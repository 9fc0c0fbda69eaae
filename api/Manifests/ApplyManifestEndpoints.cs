using System.Collections.Immutable;
using System.Text;
using System.Text.RegularExpressions;
using CloudController.Api.Auth;
using CloudController.Api.Endpoints;
using CloudController.Api.Errors;
using CloudController.Api.Paging;
using CloudController.Api.Platform;
using CloudController.GrainInterfaces.Access;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Domains;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Events;
using CloudController.GrainInterfaces.Hosting;
using CloudController.GrainInterfaces.Jobs;
using CloudController.GrainInterfaces.Lists;
using CloudController.GrainInterfaces.Manifests;
using CloudController.GrainInterfaces.Spaces;

namespace CloudController.Api.Manifests;

/// <summary>
/// <c>POST /v3/spaces/:guid/actions/apply_manifest</c>, as CC does it: the YAML is read and every name in it resolved
/// (stacks, buildpacks, route domains, the org's default domain) before anything changes, so a bad manifest answers one
/// 422 listing every problem and changes nothing; apps the manifest names and the space lacks are created (STOPPED) in
/// the request; the rest (settings, processes, routes) is a durable <c>space.apply_manifest</c> job (202 +
/// <c>Location</c>).
/// </summary>
internal static partial class ApplyManifestEndpoints
{
    private static readonly string[] Words = ["brave", "calm", "eager", "fancy", "gentle", "happy", "jolly", "kind", "lively", "proud", "quiet", "witty"];
    private static readonly string[] Animals = ["badger", "bison", "crane", "eland", "ferret", "gecko", "heron", "ibex", "koala", "lemur", "otter", "panda"];

    /// <summary>How long the request waits for its job before answering (the job goes on either way).</summary>
    private static readonly TimeSpan SettleBound = TimeSpan.FromSeconds(2);

    public static IEndpointRouteBuilder MapApplyManifest(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v3/spaces/{guid}/actions/apply_manifest", ApplyAsync).DisableAntiforgery().Guard(AccessKind.Space, AccessNeed.Develop);
        return routes;
    }

    private static async Task<IResult> ApplyAsync(string guid, HttpContext http, IGrainFactory grains, PlatformCatalog platform, PlatformSeed seed)
    {
        var space = await grains.GetGrain<ISpaceGrain>(RouteGuid.Parse(guid, CloudControllerException.SpaceNotFound)).GetAsync();
        if (http.Request.ContentType is not { } type || !type.Contains("yaml", StringComparison.OrdinalIgnoreCase))
        {
            throw new CloudControllerException(CfErrorCode.BadRequest, "Content-Type must be yaml");
        }

        var yaml = await ReadAsync(http);
        await seed.EnsureAsync();
        http.Carry();
        try
        {
            var (apps, problems) = ManifestParser.Parse(yaml);
            var plan = await PlanAsync(http, grains, platform, space, apps, problems);
            var job = await NewGrain.CallAsync(grains.GetGrain<IJobGrain>(Guid.NewGuid()),
                j => j.EnqueueAsync(JobWork.ApplyManifest(plan, http.CfUser()!.UserId, AuditContext.Actor, null), []));
            await Settle.UntilAsync(() => grains.GetGrain<IJobGrain>(job.Guid).FindAsync(), j => j?.Status is JobStatus.Finished or JobStatus.Failed,
                SettleBound, http.RequestAborted);
            return JobsEndpoints.Accepted(http, job.Guid);
        }
        catch (ManifestInvalidException e)
        {
            return TypedResults.Json(new V3ErrorBody([.. e.Problems.Select(p => new V3Error((int)CfErrorCode.UnprocessableEntity, "CF-UnprocessableEntity", p))]),
                Json.CfJson.Options, statusCode: StatusCodes.Status422UnprocessableEntity);
        }
    }

    /// <summary>The body as text, refused beyond <see cref="ManifestLimits.MaxBytes"/> without reading further.</summary>
    private static async Task<string> ReadAsync(HttpContext http)
    {
        if (http.Request.ContentLength > ManifestLimits.MaxBytes)
        {
            throw TooLarge();
        }

        var buffer = new byte[ManifestLimits.MaxBytes + 1];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await http.Request.Body.ReadAsync(buffer.AsMemory(read), http.RequestAborted)) > 0)
        {
            read += n;
        }

        return read > ManifestLimits.MaxBytes ? throw TooLarge() : Encoding.UTF8.GetString(buffer, 0, read);
    }

    private static CloudControllerException TooLarge() =>
        CloudControllerException.Unprocessable($"The manifest must be at most {ManifestLimits.MaxBytes} bytes");

    /// <summary>Every name resolved and every app present; any problem of any app is reported with the others.</summary>
    private static async Task<ManifestPlan> PlanAsync(
        HttpContext http, IGrainFactory grains, PlatformCatalog platform, SpaceSnapshot space, IReadOnlyList<ManifestApplication> apps, List<string> errors)
    {
        var domains = (await grains.Lists().DomainsAsync(ListCaller.Everything, new ListFilter { OrganizationGuids = [space.OrganizationGuid] }, ListWindow.All))
            .Items.Where(d => d.UsableBy(space.OrganizationGuid) && !d.Internal).ToList();
        var defaultDomain = domains.FirstOrDefault(d => d.Shared) ?? domains.FirstOrDefault();
        var existing = (await grains.Lists().AppsAsync(ListCaller.Everything,
                new ListFilter { SpaceGuids = [space.Guid], Names = [.. apps.Select(a => a.Name)] }, ListWindow.All))
            .Items.ToDictionary(a => a.Name, StringComparer.OrdinalIgnoreCase);
        var planned = new List<(ManifestApplication App, AppFields Settings, ImmutableArray<ManifestProcessPlan> Processes, ManifestRouteMode Mode, ImmutableArray<PlannedRoute> Routes)>();
        foreach (var app in apps)
        {
            var problems = new List<string>();
            var settings = await SettingsAsync(grains, platform, app, problems);
            var (mode, routes) = Routes(http, app, domains, defaultDomain, problems);
            errors.AddRange(problems.Select(p => $"For application '{app.Name}': {p}"));
            planned.Add((app, settings, [.. app.Processes.Where(p => p.Type != AppProcess.Web).Select(p => new ManifestProcessPlan(p.Type, ProcessFieldsOf(p)))], mode, routes));
        }

        if (errors.Count > 0)
        {
            throw new ManifestInvalidException(errors);
        }

        var plans = ImmutableArray.CreateBuilder<ManifestAppPlan>();
        foreach (var (app, settings, processes, mode, routes) in planned)
        {
            var guid = existing.TryGetValue(app.Name, out var found) ? found.Guid : await CreateAsync(grains, space, app, settings with { StackGuid = settings.StackGuid ?? platform.DefaultStack.Guid });
            plans.Add(new ManifestAppPlan(guid, app.Name, settings, processes, mode, routes));
        }

        return new ManifestPlan(space.Guid, plans.ToImmutable());
    }

    /// <summary>A missing app, created STOPPED with the manifest's lifecycle (CC's skeleton); the job applies the rest.</summary>
    private static async Task<Guid> CreateAsync(IGrainFactory grains, SpaceSnapshot space, ManifestApplication app, AppFields settings)
    {
        try
        {
            var created = await NewGrain.CallAsync(grains.GetGrain<IAppGrain>(Guid.NewGuid()), a => a.CreateAsync(new AppFields
            {
                Name = app.Name,
                SpaceGuid = space.Guid,
                StackGuid = settings.StackGuid,
                Buildpack = settings.Buildpack,
                EnableSsh = space.AllowSsh,
                State = AppState.Stopped,
            }));
            return created.Guid;
        }
        catch (CloudControllerException e)
        {
            throw new ManifestInvalidException([$"For application '{app.Name}': {(e.Code == CfErrorCode.AppNameTaken ? $"App with the name '{app.Name}' already exists." : e.Message)}"]);
        }
    }

    private static async Task<AppFields> SettingsAsync(IGrainFactory grains, PlatformCatalog platform, ManifestApplication app, List<string> problems)
    {
        Guid? stack = null;
        if (app.Stack is { } stackName)
        {
            stack = platform.Stacks.FirstOrDefault(s => s.Name.Equals(stackName, StringComparison.OrdinalIgnoreCase))?.Guid;
            if (stack is null)
            {
                problems.Add($"Stack '{stackName}' must be an existing stack");
            }
        }

        if (app.Buildpacks is [var buildpack] && (buildpack.Length > 4096 || !await BuildpackNames.IsValidAsync(grains, buildpack)))
        {
            problems.Add($"Buildpack \"{buildpack}\" must be an existing admin buildpack or a valid git URI");
        }

        if (app.DockerImage is not null)
        {
            problems.Add("Docker support has not been enabled");
        }

        // The web process's settings: the top level, then a `processes` entry of type web over it.
        var web = app.Processes.FirstOrDefault(p => p.Type == AppProcess.Web);
        var command = web is { HasCommand: true } ? web : app.Web.HasCommand ? app.Web : null;
        return new AppFields
        {
            StackGuid = stack,
            Buildpack = app.Buildpacks is [var only] ? only : null,
            Cleared = [.. (app.Buildpacks is [] ? [AppSetting.Buildpack] : Array.Empty<AppSetting>()),
                .. (command is { Command: null } ? [AppSetting.Command] : Array.Empty<AppSetting>())],
            Memory = web?.Memory ?? app.Web.Memory,
            DiskQuota = web?.DiskQuota ?? app.Web.DiskQuota,
            Instances = web?.Instances ?? app.Web.Instances,
            Command = command?.Command,
            HealthCheckType = web?.HealthCheckType ?? app.Web.HealthCheckType,
            HealthCheckTimeout = web?.Timeout ?? app.Web.Timeout,
            HealthCheckHttpEndpoint = web?.HealthCheckEndpoint ?? app.Web.HealthCheckEndpoint,
            EnvironmentPatch = app.Environment?.ToJsonString(),
            Metadata = app.Metadata,
        };
    }

    private static ProcessFields ProcessFieldsOf(ManifestProcess process) => new()
    {
        Instances = process.Instances,
        Memory = process.Memory,
        DiskQuota = process.DiskQuota,
        Command = process.Command,
        ClearCommand = process is { HasCommand: true, Command: null },
        HealthCheckType = process.HealthCheckType,
        HealthCheckTimeout = process.Timeout,
        HealthCheckHttpEndpoint = process.HealthCheckEndpoint,
        CreateMissing = true,
    };

    /// <summary>
    /// The routes: <c>no-route</c> unmaps all; listed routes are each a domain the org may use (the longest name that
    /// ends the URL) with the host before it and the path after; otherwise a default or random route on the org's
    /// default domain, used only when the app has no route.
    /// </summary>
    private static (ManifestRouteMode, ImmutableArray<PlannedRoute>) Routes(
        HttpContext http, ManifestApplication app, List<DomainSnapshot> domains, DomainSnapshot? defaultDomain, List<string> problems)
    {
        if (app.NoRoute)
        {
            return (ManifestRouteMode.None, []);
        }

        if (app.Routes is { } urls)
        {
            var routes = ImmutableArray.CreateBuilder<PlannedRoute>();
            foreach (var url in urls)
            {
                if (Resolve(url, domains) is not { } route)
                {
                    problems.Add($"The route '{url}' did not match any existing domains.");
                    continue;
                }

                if (route.Host == "*" && !http.CfUser()!.IsAdmin && domains.First(d => d.Guid == route.DomainGuid).Shared)
                {
                    problems.Add($"The route '{url}' is a wildcard route on a shared domain, which only an admin may create.");
                    continue;
                }

                routes.Add(route);
            }

            return (ManifestRouteMode.Listed, routes.ToImmutable());
        }

        if (!app.DefaultRoute && !app.RandomRoute)
        {
            return (ManifestRouteMode.Keep, []);
        }

        if (defaultDomain is null)
        {
            problems.Add("No default domains available");
            return (ManifestRouteMode.Keep, []);
        }

        var host = app.Name.ToLowerInvariant();
        if (app.RandomRoute)
        {
            host = $"{host}-{Words[Random.Shared.Next(Words.Length)]}-{Animals[Random.Shared.Next(Animals.Length)]}-{Random.Shared.Next(10, 100)}";
        }

        if (!DnsLabel().IsMatch(host))
        {
            problems.Add($"Failed to create default route from app name: Host must be a DNS label (letters, digits and hyphens, at most 63), was '{host}'");
            return (ManifestRouteMode.Keep, []);
        }

        // An app already routed keeps its routes: the job maps this one only when the app has none then.
        return (ManifestRouteMode.IfUnrouted, [new PlannedRoute(defaultDomain.Guid, host, "", $"{host}.{defaultDomain.Name}")]);
    }

    /// <summary><c>host.domain/path</c> (an optional scheme dropped) on the longest usable domain that ends it.</summary>
    private static PlannedRoute? Resolve(string url, List<DomainSnapshot> domains)
    {
        var text = url.Contains("://", StringComparison.Ordinal) ? url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..] : url;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var (name, path) = slash < 0 ? (text, "") : (text[..slash], text[slash..]);
        if (name.Contains(':', StringComparison.Ordinal))
        {
            // A TCP route (host:port): no router groups here.
            return null;
        }

        path = path == "/" ? "" : path;

        name = name.ToLowerInvariant();
        if (domains.FirstOrDefault(d => d.Name.Equals(name, StringComparison.OrdinalIgnoreCase)) is { } hostless)
        {
            return new PlannedRoute(hostless.Guid, "", path, url);
        }

        var dot = name.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && domains.FirstOrDefault(d => d.Name.Equals(name[(dot + 1)..], StringComparison.OrdinalIgnoreCase)) is { } domain
            ? new PlannedRoute(domain.Guid, name[..dot], path, url)
            : null;
    }

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabel();
}
