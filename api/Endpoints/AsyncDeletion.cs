using System.Text.Json.Nodes;
using CloudController.Api.Auth;
using CloudController.Api.Json;
using CloudController.Api.Resources;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Events;
using CloudController.GrainInterfaces.Hosting;
using CloudController.GrainInterfaces.Jobs;

namespace CloudController.Api.Endpoints;

/// <summary>
/// How a v2 delete answers. A recursive delete (an organization, space or domain with everything in it) is a durable
/// job run outside any grain's turn: with <c>?async=true</c> (what <c>cf delete-space</c> and <c>delete-org</c> send)
/// the answer is 202 with the job, which the client polls; without it the request waits for the job (bounded) and
/// answers 204, or the job's error. A non-recursive delete happens at once: 202 with CF's finished job (guid "0",
/// which <c>GET /v2/jobs/0</c> also reads as finished) when async was asked, else 204.
/// </summary>
internal static class AsyncDeletion
{
    /// <summary>How long a synchronous recursive delete waits for its job before answering with the job instead.</summary>
    private static readonly TimeSpan SyncWait = TimeSpan.FromSeconds(25);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    public static bool Recursive(HttpContext http) => string.Equals(http.Request.Query["recursive"], "true", StringComparison.OrdinalIgnoreCase);

    public static bool Async(HttpContext http) => string.Equals(http.Request.Query["async"], "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The answer to a delete that has already happened.</summary>
    public static IResult Answer(HttpContext http) =>
        Async(http) ? TypedResults.Json(V2Job.Null, CfJson.Options, statusCode: 202) : TypedResults.NoContent();

    /// <summary>Starts the durable deletion of <paramref name="target"/> and everything in it; answers the job.</summary>
    public static Task<JobSnapshot> StartAsync(HttpContext http, IGrainFactory grains, JobKind kind, Guid target)
    {
        var request = new JsonObject { ["recursive"] = true };
        var actor = AuditContext.Actor;
        return NewGrain.CallAsync(grains.GetGrain<IJobGrain>(Guid.NewGuid()),
            job => job.EnqueueAsync(JobWork.Delete(kind, target, http.CfUser()!.UserId, actor, request.ToJsonString()), []));
    }

    /// <summary>v2's answer to a recursive delete: the job (async), or the outcome once it ends.</summary>
    public static async Task<IResult> AnswerJobAsync(HttpContext http, IGrainFactory grains, JobSnapshot job)
    {
        if (Async(http))
        {
            return TypedResults.Json(V2Job.From(job), CfJson.Options, statusCode: 202);
        }

        var started = TimeProvider.System.GetTimestamp();
        while (TimeProvider.System.GetElapsedTime(started) < SyncWait)
        {
            var now = await grains.GetGrain<IJobGrain>(job.Guid).FindAsync();
            switch (now)
            {
                case { Status: JobStatus.Finished }:
                    return TypedResults.NoContent();
                case { Status: JobStatus.Failed, Error: { } error }:
                    throw new CloudControllerException(error.Code, error.Description);
            }

            await Task.Delay(Poll, http.RequestAborted);
        }

        // Still deleting: the job goes on durably; the client can follow it.
        return TypedResults.Json(V2Job.From(await grains.GetGrain<IJobGrain>(job.Guid).FindAsync()), CfJson.Options, statusCode: 202);
    }
}
