using CloudController.Api.Auth;
using CloudController.Api.Hosting;
using CloudController.Api.Resources;
using CloudController.GrainInterfaces.Access;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Jobs;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CloudController.Api.Endpoints;

/// <summary>
/// v3 jobs: <c>GET /v3/jobs/:guid</c> reads the durable job v2's <c>/v2/jobs/:guid</c> reads, and every v3 asynchronous
/// operation answers 202 with its <c>Location</c>.
/// </summary>
internal static class JobsEndpoints
{
    public static IEndpointRouteBuilder MapJobs(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v3/jobs/{guid}", GetAsync).Guard(AccessKind.Job, AccessNeed.Read);
        return routes;
    }

    /// <summary>Starts the durable deletion of <paramref name="target"/> and answers 202 with the job's <c>Location</c>.</summary>
    public static async Task<IResult> AcceptedAsync(HttpContext http, IGrainFactory grains, JobKind kind, Guid target)
    {
        var job = await AsyncDeletion.StartAsync(http, grains, kind, target);
        return Accepted(http, job.Guid);
    }

    /// <summary>202 with an empty body and the job's absolute <c>Location</c>, which the cf CLI polls.</summary>
    public static IResult Accepted(HttpContext http, Guid job)
    {
        http.Response.Headers.Location = $"{http.RequestServices.GetRequiredService<BaseUrl>().Of(http)}/v3/jobs/{job}";
        return TypedResults.StatusCode(StatusCodes.Status202Accepted);
    }

    private static async Task<Ok<V3Job>> GetAsync(string guid, HttpContext http, IGrainFactory grains, BaseUrl baseUrl)
    {
        var job = RouteGuid.TryParse(guid, out var g) ? await grains.GetGrain<IJobGrain>(g).FindAsync() : null;
        return TypedResults.Ok(V3Job.From(job ?? throw new CloudControllerException(CfErrorCode.ResourceNotFound, "Job not found"), baseUrl.Of(http)));
    }
}
