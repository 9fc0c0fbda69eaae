using Azure.Storage.Blobs;
using CloudController.Hosting;
using CloudController.Storage;
using CloudController.Api.Auth;
using CloudController.Api.Endpoints;
using CloudController.Api.Uaa;
using CloudController.Api.Errors;
using CloudController.Api.Http;
using CloudController.Api.Manifests;
using CloudController.GrainInterfaces.Errors;
using Microsoft.AspNetCore.Diagnostics;

namespace CloudController.Api.Hosting;

internal static class ApiApplicationExtensions
{
    /// <summary>Listens on <c>http://127.0.0.1:CC_API_PORT</c> (9022) unless ASP.NET Core's own <c>urls</c> is set.</summary>
    public static WebApplicationBuilder UseCloudControllerUrls(this WebApplicationBuilder builder)
    {
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls($"http://127.0.0.1:{builder.Configuration.GetValue("CC_API_PORT", 9022)}");
        }

        // Above RequestLimitsMiddleware's limits, so that an over-long request gets a CF error body from it.
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestLineSize = RequestLimitsMiddleware.KestrelLine;
            kestrel.Limits.MaxRequestHeadersTotalSize = RequestLimitsMiddleware.KestrelHeaders;
        });
        return builder;
    }

    /// <summary>The request pipeline: request id → CF errors → routing → bearer token → scope and role checks → endpoints.</summary>
    public static WebApplication UseCloudControllerApi(this WebApplication app)
    {
        app.UseMiddleware<RequestIdMiddleware>();
        app.UseMiddleware<RequestLimitsMiddleware>();
        app.UseExceptionHandler();
        app.UseStatusCodePages(MethodNotAllowedIsNotFoundAsync);
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapGet("/healthz", () => TypedResults.Text("ok")).RequireCf(CfAccess.Anonymous);
        app.MapGet("/readyz", ReadyAsync).RequireCf(CfAccess.Anonymous);
        // Storage requests, grain calls and request times, in Prometheus' text format (a platform reader's token).
        app.MapMetrics().RequireCf(CfAccess.PlatformRead).Unguarded("platform-wide readers only");
        app.MapRoot();
        app.MapUaa();
        app.MapScim();
        app.MapOrganizations();
        app.MapSpaces();
        app.MapUsers();
        app.MapRoles();
        app.MapV3Roles();
        app.MapJobs();
        app.MapFeatureFlags();
        app.MapPlatform();
        app.MapApps();
        app.MapBits();
        app.MapV3Apps();
        app.MapV3AppSettings();
        app.MapApplyManifest();
        app.MapDeployments();
        app.MapTasks();
        app.MapPackages();
        app.MapDroplets();
        app.MapProcesses();
        app.MapNotBacked();
        app.MapUsageEvents();
        app.MapDomains();
        app.MapQuotas();
        app.MapRoutes();
        app.MapV3Routing();
        app.MapV3Quotas();
        app.MapEvents();
        app.MapEnvironmentGroups();
        app.MapLogCache();
        app.MapFallback(UnknownRoute).RequireCf(CfAccess.Anonymous);
        return app;
    }

    /// <summary>Ready when the silo cluster answers (at least one active silo) and blob storage answers.</summary>
    private static async Task<IResult> ReadyAsync(IGrainFactory grains, BlobServiceClient blobs, CancellationToken cancellationToken)
    {
        var silos = await ClusterReadiness.ActiveSilosAsync(grains, TimeSpan.FromSeconds(3));
        var storage = await StorageReadiness.AnswersAsync(blobs, TimeSpan.FromSeconds(3), cancellationToken);
        var ready = silos > 0 && storage;
        return TypedResults.Json(
            new { status = ready ? "ready" : "not ready", active_silos = silos, storage = storage ? "ok" : "unreachable" },
            statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    private static IResult UnknownRoute() =>
        throw new CloudControllerException(CfErrorCode.NotFound, "Unknown request");

    // CF has no 405: a known path with an unsupported method is an unknown request.
    private static Task MethodNotAllowedIsNotFoundAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        if (http.Response.StatusCode != StatusCodes.Status405MethodNotAllowed)
        {
            return Task.CompletedTask;
        }

        http.Response.Headers.Allow = default;
        return CfErrorWriter.WriteAsync(http, new CloudControllerException(CfErrorCode.NotFound, "Unknown request"));
    }
}
